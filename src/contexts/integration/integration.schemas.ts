import { z } from 'zod';
import { conditionGroupSchema } from '../record/index.js';
import { RATING_MODES, RUN_KINDS, RUN_STATUSES, type SkipReason } from './integration.tables.js';

/** The profile fields a merge compares and chooses between, field by field. */
export const PROFILE_FIELDS = ['firstName', 'lastName', 'dateOfBirth', 'email', 'phone', 'role', 'startDate', 'leavingDate', 'profileTypeId'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const groupParams = z.object({ groupId: z.uuid() });
export const idParams = z.object({ id: z.uuid() });
export const memberParams = z.object({ memberId: z.uuid() });
export const profileParams = z.object({ profileId: z.uuid() });

export const linkInput = z.object({
  organisationId: z.uuid(),
  ratingMode: z.enum(RATING_MODES).default('all'),
  ratingSystemIds: z.array(z.uuid()).max(50).default([]),
});
export const linkSchema = z.object({
  groupId: z.uuid(),
  groupName: z.string().nullable(),
  groupType: z.string().nullable(),
  organisationId: z.uuid(),
  organisationName: z.string().nullable(),
  ratingMode: z.enum(RATING_MODES),
  ratingSystemIds: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const groupLinkView = z.object({
  group: z.object({ id: z.uuid(), name: z.string(), type: z.string(), linkable: z.boolean(), reason: z.string().nullable() }),
  link: linkSchema.nullable(),
});

export const settingsSchema = z.object({ includeRecordInSafetyCheck: z.boolean() });

export const ruleInput = z.object({ profileTypeId: z.uuid(), condition: conditionGroupSchema });
export const typeMapInput = z.object({ rules: z.array(ruleInput).max(100) });
export const typeMapSchema = z.object({
  rules: z.array(z.object({ id: z.string(), profileTypeId: z.string(), profileTypeName: z.string(), position: z.number(), condition: conditionGroupSchema })),
  profileTypes: z.array(z.object({ id: z.string(), key: z.string(), name: z.string() })),
  fields: z.array(z.object({ field: z.string(), kind: z.string(), label: z.string() })),
});
export const previewInput = z.object({ rules: z.array(ruleInput).max(100).optional() });
export const previewSchema = z.object({
  members: z.number(),
  rules: z.array(z.object({ ruleId: z.string(), profileTypeId: z.string(), profileTypeName: z.string(), count: z.number() })),
  teachingStaffDefault: z.number(),
  unmapped: z.array(z.object({ memberId: z.string(), fullName: z.string(), groupName: z.string(), role: z.string() })),
});

export const runSchema = z.object({
  id: z.uuid(),
  kind: z.enum(RUN_KINDS),
  status: z.enum(RUN_STATUSES),
  total: z.number(),
  done: z.number(),
  created: z.number(),
  queued: z.number().describe("Of created: probable duplicates of existing profiles, waiting in the merge queue"),
  updated: z.number(),
  skipped: z.number(),
  skippedBy: z
    .object({ already_linked: z.number(), excluded: z.number(), group_archived: z.number(), no_profile_type: z.number() } satisfies Record<SkipReason, z.ZodNumber>)
    .optional()
    .describe('Of skipped, per reason (an import, on GET /api/integration/runs/{id}): already linked to a profile, excluded, its group archived, no profile type matched. Skips of a run started before this was counted are in none of them'),
  failed: z.number(),
  percent: z.number(),
  error: z.string().nullable(),
  attempts: z.number(),
  params: z.record(z.string(), z.unknown()),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const importInput = z.object({ groupIds: z.array(z.uuid()).max(100).optional() });
export const pushInput = z.object({
  groupId: z.uuid(),
  profileTypeIds: z.array(z.uuid()).max(100).optional(),
  profileIds: z.array(z.uuid()).max(20_000).optional(),
});

const side = z.enum(['kept', 'merged']);
export const choicesSchema = z.partialRecord(z.enum(PROFILE_FIELDS), side);
export const mergeInput = z.object({ keptProfileId: z.uuid(), mergedProfileId: z.uuid(), choices: choicesSchema.optional(), queueId: z.uuid().optional() });
const batchSide = z.enum(['kept', 'merged', 'record', 'signin']).describe("record: the profile the Central Record already had; signin: the one from sign-in (linked to a member)");
export const mergeAllInput = z.object({
  /** Per field, which profile of every pair wins (fields left out: the value that is there, else the more recent). */
  preserve: z.partialRecord(z.enum(PROFILE_FIELDS), batchSide).optional(),
  /** Per suggested pair (queue id), its own choices instead of the batch's. */
  exceptions: z
    .record(z.uuid(), choicesSchema)
    .refine((e) => Object.keys(e).length <= 5000, 'At most 5000 exceptions')
    .optional(),
});
const origin = z.enum(['record', 'signin']);
export const mergePreviewSchema = z.object({
  total: z.number(),
  items: z.array(
    z.object({
      queueId: z.uuid(),
      exception: z.boolean(),
      kept: z.object({ id: z.uuid(), name: z.string(), origin }),
      merged: z.object({ id: z.uuid(), name: z.string(), origin }),
      fields: z.array(z.object({ field: z.string(), value: z.string().nullable(), from: side, origin })),
    }),
  ),
});
export const mergeSchema = z.object({
  id: z.uuid(),
  keptProfileId: z.uuid(),
  mergedProfileId: z.uuid(),
  keptName: z.string().optional(),
  mergedName: z.string().optional(),
  choices: z.record(z.string(), side),
  mergedBy: z.string(),
  mergedAt: z.string(),
  undoneAt: z.string().nullable(),
  undoneBy: z.string().nullable(),
});
export const undoSchema = z.object({
  mergeId: z.uuid(),
  keptProfileId: z.uuid(),
  restoredProfileId: z.uuid(),
  editsSince: z.array(z.object({ profileId: z.string(), field: z.string(), note: z.string() })),
});
const brief = z.object({ id: z.string(), name: z.string(), email: z.string(), status: z.string() });
export const queueItemSchema = z.object({ id: z.uuid(), reason: z.string(), detail: z.string(), status: z.string(), a: brief, b: brief, createdAt: z.string() });
const pairSide = z.object({ id: z.uuid(), origin, fields: z.record(z.string(), z.string().nullable()), checks: z.number(), updatedAt: z.string(), createdAt: z.string() });
export const pairSchema = z.object({ id: z.uuid(), reason: z.string(), detail: z.string(), status: z.string(), kept: pairSide, merged: pairSide, defaults: z.record(z.string(), side) });

export const exclusionSchema = z.object({ id: z.uuid(), memberId: z.uuid(), reason: z.string(), profile: z.record(z.string(), z.unknown()), createdBy: z.string(), createdAt: z.string() });
export const readinessSchema = z.object({
  applies: z.boolean(),
  ready: z.boolean().nullable(),
  reasons: z.array(z.string()),
  profileId: z.string().nullable(),
});
