import { z } from 'zod';
import { FIRST_DAY, isDayInRange, LAST_DAY } from '../../../platform/http/dates.js';
import { rowVersion } from '../../../platform/http/numbers.js';

/** A day as YYYY-MM-DD in the API's range (year 0000 was the database's 500); whether it is a real day is validation.ts's. */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').refine(isDayInRange, `a date between ${FIRST_DAY} and ${LAST_DAY}`);

export const checkValueInput = z
  .object({
    value: z.union([z.boolean(), z.string().max(2000), z.null()]),
    reference: z.string().trim().max(200).nullable().optional(),
    checkedOn: isoDate.nullable().optional(),
    evidence: z.string().trim().max(2000).optional(),
  })
  .nullable();
export type CheckValueInput = z.infer<typeof checkValueInput>;

const profileFields = {
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  dateOfBirth: isoDate.nullable().optional(),
  email: z.string().trim().max(320).optional(),
  phone: z.string().trim().max(50).optional(),
  role: z.string().trim().max(200).optional(),
  startDate: isoDate.nullable().optional(),
  leavingDate: isoDate.nullable().optional(),
  organisationId: z.uuid(),
  profileTypeId: z.uuid(),
};

export const profileCreateSchema = z.object({
  ...profileFields,
  /** Check values by check key; null clears. */
  checks: z.record(z.string(), checkValueInput).default({}),
  /** Facts about the post by fact key: true, false, or null (not answered). Unset ones take the profile type's defaults. */
  facts: z.record(z.string(), z.unknown()).optional(),
});
export type ProfileCreateInput = z.output<typeof profileCreateSchema>;

export const profilePatchSchema = z.object({
  /** The version the change was made from (optimistic concurrency). */
  version: rowVersion,
  ...Object.fromEntries(Object.entries(profileFields).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof typeof profileFields]: z.ZodOptional<(typeof profileFields)[K]>;
  },
  checks: z.record(z.string(), checkValueInput).optional(),
  /** Facts about the post by fact key: true, false, or null (not answered). */
  facts: z.record(z.string(), z.unknown()).optional(),
});
export type ProfilePatchInput = z.output<typeof profilePatchSchema>;

export const profileListQuery = z.object({
  organisationId: z.uuid().optional(),
  profileTypeId: z.uuid().optional(),
  status: z.enum(['live', 'archived']).default('live'),
  q: z.string().trim().max(100).optional(),
  /** Evaluate on this date (YYYY-MM-DD; default: today in each organisation's time zone): people who have left by then are out, who have started are in. */
  asOf: isoDate.optional(),
  /** A condition (JSON) over profile fields and checks. */
  condition: z.string().max(20_000).optional(),
  ratingSystem: z.string().max(100).optional(),
  /** With ratingSystem: ready in that system; without: ready overall (every mandatory system). */
  ready: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const problemSchema = z.object({ checkKey: z.string(), state: z.enum(['missing', 'invalid', 'expired']), message: z.string() });
export const ratingSchema = z.object({ systemId: z.string(), key: z.string(), name: z.string(), mandatory: z.boolean(), ready: z.boolean(), colour: z.string(), problems: z.array(problemSchema) });

export const documentSchema = z.object({
  id: z.string(),
  checkKey: z.string().nullable(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number(),
  uploadedAt: z.string(),
  deleteAfter: z.string().nullable(),
  deletedAt: z.string().nullable(),
  deletedReason: z.string().nullable(),
});

export const profileCheckSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  section: z.string(),
  type: z.string(),
  requirement: z.string(),
  options: z.array(z.string()),
  referenceLabel: z.string().nullable(),
  applies: z.boolean(),
  state: z.enum(['ok', 'missing', 'invalid', 'expired']).nullable(),
  message: z.string().nullable(),
  expiresOn: z.string().nullable(),
  value: z.union([z.boolean(), z.string(), z.null()]),
  reference: z.string().nullable(),
  checkedOn: z.string().nullable(),
  evidence: z.string(),
  recordedBy: z.string().nullable(),
  recordedAt: z.string().nullable(),
});

export const profileSummarySchema = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  role: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  profileTypeId: z.string(),
  profileType: z.string(),
  startDate: z.string().nullable(),
  status: z.enum(['live', 'archived']),
  version: z.number(),
  /** Ready overall: every mandatory rating system ready (every enabled one when none is mandatory). */
  ready: z.boolean(),
  ratings: z.array(ratingSchema),
  /** The date the ratings are for. */
  asOf: z.string(),
  /** Facts about the post not answered yet (counted as the answer that asks for more checks). */
  factsToConfirm: z.array(z.object({ key: z.string(), name: z.string() })),
});

export const profileFactSchema = z.object({
  key: z.string(),
  name: z.string(),
  help: z.string(),
  /** The recorded answer; null: not answered yet. */
  value: z.boolean().nullable(),
  /** The answer it counts as while not answered. */
  safeAnswer: z.boolean(),
});

export const profileSchema = profileSummarySchema.extend({
  profileTypeKey: z.string(),
  dateOfBirth: z.string().nullable(),
  email: z.string(),
  phone: z.string(),
  leavingDate: z.string().nullable(),
  archivedAt: z.string().nullable(),
  updatedAt: z.string(),
  facts: z.array(profileFactSchema),
  checks: z.array(profileCheckSchema),
  documents: z.array(documentSchema),
  /** The next date the ratings may change by the calendar alone (an expiry, a start, the day after leaving). */
  nextChangeOn: z.string().nullable(),
});

export const historySchema = z.object({
  items: z.array(z.object({ version: z.number(), field: z.string(), before: z.string().nullable(), after: z.string().nullable(), actor: z.string(), at: z.string() })),
});
