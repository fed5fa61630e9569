import { createHash } from 'node:crypto';
import { z } from 'zod';

export const customFieldSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _ (start with a letter)'),
    label: z.string().trim().min(1).max(200),
    type: z.enum(['text', 'yesno', 'choice']),
    choices: z.array(z.string().trim().min(1).max(200)).min(1).max(50).optional(),
    required: z.boolean().default(false),
    rejectOn: z.object({ answer: z.string().trim().min(1).max(200), message: z.string().trim().min(1).max(500) }).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.type === 'choice' && !f.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'A choice field needs choices' });
    if (f.type !== 'choice' && f.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'Only choice fields have choices' });
    if (f.rejectOn) {
      const ok = f.type === 'yesno' ? ['yes', 'no'].includes(f.rejectOn.answer) : f.type === 'choice' ? (f.choices ?? []).includes(f.rejectOn.answer) : true;
      if (!ok) ctx.addIssue({ code: 'custom', path: ['rejectOn', 'answer'], message: f.type === 'yesno' ? 'yes or no' : 'One of the choices' });
    }
  });
export type CustomField = z.infer<typeof customFieldSchema>;

const autoSignOutSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('never') }),
  z.object({ mode: z.literal('at_time'), time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM') }),
  z.object({ mode: z.literal('after_hours'), hours: z.number().min(0.5).max(72) }),
]);

/** The sign-in options as an admin writes them (the agreement's version is computed). */
export const signInOptionsInput = z
  .object({
    safetyCheckMode: z.enum(['off', 'reject', 'notify']).default('reject'),
    showOnFireList: z.boolean().default(true),
    autoSignOut: autoSignOutSchema.default({ mode: 'never' }),
    customFields: z.array(customFieldSchema).max(30).default([]),
    agreement: z.object({ text: z.string().trim().min(1).max(20_000) }).nullable().default(null),
    printBadge: z.boolean().default(false),
    /**
     * Privacy at the entrance: whether the kiosk may show why a person was refused. Off by default:
     * the lobby screen says "Please see reception"; the reasons go to the group's contacts and the history.
     */
    showReasonsOnKiosk: z.boolean().default(false),
    /**
     * Offline kiosks: a member's last known safety check outcome older than `maxSafetyAgeHours`
     * (or past the date it changes) is stale; `whenStale` decides: reject, or allow and flag.
     */
    offline: z
      .object({
        maxSafetyAgeHours: z.number().int().min(1).max(24 * 30).default(24),
        whenStale: z.enum(['reject', 'allow_flag']).default('reject'),
        /** Whether kiosks keep this group's members' photos (made small) in their offline copy, to show them offline as online. */
        photos: z.boolean().default(true),
      })
      .default({ maxSafetyAgeHours: 24, whenStale: 'reject', photos: true }),
  })
  .superRefine((o, ctx) => {
    const ids = o.customFields.map((f) => f.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['customFields'], message: 'Field ids must be unique' });
  });
export type SignInOptionsInput = z.input<typeof signInOptionsInput>;

/** The stored (and presented) options. */
export type SignInOptionsStored = Omit<z.infer<typeof signInOptionsInput>, 'agreement'> & { agreement: { text: string; version: string } | null };

export function agreementVersion(text: string): string {
  return createHash('sha256').update(text.normalize('NFC')).digest('hex').slice(0, 16);
}

export function toStoredOptions(input: z.infer<typeof signInOptionsInput>): SignInOptionsStored {
  return { ...input, agreement: input.agreement ? { text: input.agreement.text, version: agreementVersion(input.agreement.text) } : null };
}

/** Options of a row, with defaults for anything missing (older rows, SCIM-created groups). */
export function readOptions(raw: unknown): SignInOptionsStored {
  const r = (raw ?? {}) as Record<string, unknown>;
  const agreement = r.agreement as { text?: unknown } | null | undefined;
  const parsed = signInOptionsInput.safeParse({ ...r, agreement: agreement && typeof agreement.text === 'string' ? { text: agreement.text } : null });
  return toStoredOptions(parsed.success ? parsed.data : signInOptionsInput.parse({}));
}

export const pinSchema = z.string().regex(/^\d{4,8}$/, '4 to 8 digits');
const colourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'A colour like #1c7ed6');

export const groupCreate = z.object({
  name: z.string().trim().min(1).max(200),
  type: z.enum(['standard', 'repeat', 'scim']),
  colour: colourSchema.default('#1c7ed6'),
  isStaffGroup: z.boolean().default(false),
  options: signInOptionsInput.default(signInOptionsInput.parse({})),
  pin: pinSchema.nullable().default(null),
  contactIds: z.array(z.uuid()).max(50).default([]),
  /** The sites the new group is shown at, after their groups (a site-scoped admin names one or more of theirs). */
  siteIds: z.array(z.uuid()).max(100).default([]).describe("The sites the new group is shown at, after each site's groups; an administrator scoped to sites names one or more of theirs"),
});
export const groupPatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  colour: colourSchema.optional(),
  isStaffGroup: z.boolean().optional(),
  options: signInOptionsInput.optional(),
  /** null removes the PIN. */
  pin: pinSchema.nullable().optional(),
  contactIds: z.array(z.uuid()).max(50).optional(),
});

const customFieldOut = z.object({
  id: z.string(),
  label: z.string(),
  type: z.enum(['text', 'yesno', 'choice']),
  choices: z.array(z.string()).optional(),
  required: z.boolean(),
  rejectOn: z.object({ answer: z.string(), message: z.string() }).optional(),
});
export const optionsOut = z.object({
  safetyCheckMode: z.enum(['off', 'reject', 'notify']),
  showOnFireList: z.boolean(),
  autoSignOut: z.union([z.object({ mode: z.literal('never') }), z.object({ mode: z.literal('at_time'), time: z.string() }), z.object({ mode: z.literal('after_hours'), hours: z.number() })]),
  customFields: z.array(customFieldOut),
  agreement: z.object({ text: z.string(), version: z.string() }).nullable(),
  printBadge: z.boolean(),
  showReasonsOnKiosk: z.boolean(),
  /** Presented so a settings form that sends the options back keeps the policy (it was dropped, and reset on every save). */
  offline: z.object({ maxSafetyAgeHours: z.number(), whenStale: z.enum(['reject', 'allow_flag']), photos: z.boolean() }),
});
/** A user the group's contact picker offers, or one of its contacts who no longer reaches its sites. */
export const contactCandidateSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  /** Whether their reach takes in one of the group's sites: a contact who does not is refused (400 `contact_out_of_reach`) and never told. */
  reaches: z.boolean(),
  /** Their account is disabled: a contact who is is refused (400 `contact_disabled`) and never told. */
  disabled: z.boolean(),
  /** One of the group's contacts now. */
  contact: z.boolean(),
});

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['standard', 'repeat', 'scim']),
  colour: z.string(),
  isStaffGroup: z.boolean(),
  options: optionsOut,
  hasPin: z.boolean(),
  contactIds: z.array(z.string()),
  siteIds: z.array(z.string()),
  archived: z.boolean(),
  createdAt: z.string(),
});
