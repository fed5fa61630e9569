import { z } from 'zod';
import { nonEmptyPatch } from '../../../platform/http/input.js';
import { isIanaTimezone } from '../../../platform/zoned-clock.js';
import { conditionGroupSchema } from '../rules/conditions.js';
import { CHECK_TYPES, ORGANISATION_TYPES } from '../record.tables.js';

export const idParams = z.object({ id: z.uuid() });

/** An IANA time zone the runtime knows (e.g. Europe/London; stored as the zone list spells it). */
const timeZone = z.string().trim().min(1).max(64).refine(isIanaTimezone, 'an IANA time zone such as Europe/London');

export const organisationSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(ORGANISATION_TYPES),
  retentionYears: z.number(),
  /** Its "today" (ratings, leavers): an IANA time zone. */
  timeZone: z.string(),
  /** The caller's level here. */
  access: z.enum(['view', 'edit', 'administer']),
});
export const organisationCreateSchema = z.object({
  name: z.string().trim().min(1).max(200),
  type: z.enum(ORGANISATION_TYPES),
  retentionYears: z.number().int().min(1).max(100).default(6),
  timeZone: timeZone.default('Europe/London'),
});
export const organisationPatchSchema = nonEmptyPatch(z.object({
  name: z.string().trim().min(1).max(200),
  type: z.enum(ORGANISATION_TYPES),
  retentionYears: z.number().int().min(1).max(100),
  timeZone,
}).partial());

export const profileTypeSchema = z.object({ id: z.string(), key: z.string(), name: z.string(), builtIn: z.boolean(), retired: z.boolean() });
export const profileTypeCreateSchema = z.object({ name: z.string().trim().min(1).max(100) });
export const profileTypePatchSchema = nonEmptyPatch(z.object({ name: z.string().trim().min(1).max(100).optional(), retired: z.boolean().optional() }));

const validitySchema = z.object({ n: z.number().int().min(1).max(100), unit: z.enum(['months', 'years']) });

export const checkSchema = z.object({
  id: z.string(),
  key: z.string(),
  scope: z.enum(['builtin', 'tenant', 'organisation']),
  organisationId: z.string().nullable(),
  setVersion: z.string().nullable(),
  section: z.string(),
  name: z.string(),
  help: z.string(),
  type: z.enum(CHECK_TYPES),
  options: z.array(z.string()),
  requirement: z.enum(['statutory', 'recommended', 'optional']),
  appliesTo: z.array(z.string()),
  condition: conditionGroupSchema.nullable(),
  validity: validitySchema.nullable(),
  passValue: z.boolean().nullable(),
  referenceLabel: z.string().nullable(),
  enabled: z.boolean(),
});
const checkFields = {
  section: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(200),
  help: z.string().max(2000),
  type: z.enum(CHECK_TYPES),
  options: z.array(z.string().trim().min(1).max(200)).max(100),
  requirement: z.enum(['statutory', 'recommended', 'optional']),
  appliesTo: z.array(z.string().min(1).max(100)).max(100),
  condition: conditionGroupSchema.nullable(),
  validity: validitySchema.nullable(),
  passValue: z.boolean().nullable(),
  referenceLabel: z.string().trim().min(1).max(100).nullable(),
};
export const checkCreateSchema = z.object({
  scope: z.enum(['tenant', 'organisation']),
  organisationId: z.uuid().optional(),
  section: checkFields.section,
  name: checkFields.name,
  type: checkFields.type,
  help: checkFields.help.default(''),
  options: checkFields.options.default([]),
  requirement: checkFields.requirement.default('recommended'),
  appliesTo: checkFields.appliesTo.default([]),
  condition: checkFields.condition.default(null),
  validity: checkFields.validity.default(null),
  passValue: checkFields.passValue.default(null),
  referenceLabel: checkFields.referenceLabel.default(null),
});
export const checkPatchSchema = nonEmptyPatch(z.object(checkFields).partial().extend({ enabled: z.boolean().optional() }));

export const ratingSystemSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  readyColour: z.string(),
  notReadyColour: z.string(),
  enabled: z.boolean(),
  mandatory: z.boolean(),
  builtIn: z.boolean(),
  defaultRequire: z.enum(['statutory', 'all']),
  rules: z.record(z.string(), z.object({ require: z.union([z.enum(['statutory', 'all']), z.array(z.string())]) })),
});
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #2f9e44');
export const ratingSystemCreateSchema = z.object({
  name: z.string().trim().min(1).max(100),
  readyColour: colour.default('#2f9e44'),
  notReadyColour: colour.default('#e03131'),
  enabled: z.boolean().default(true),
  mandatory: z.boolean().default(false),
  defaultRequire: z.enum(['statutory', 'all']).default('statutory'),
  rules: ratingSystemSchema.shape.rules.default({}),
});
export const ratingSystemPatchSchema = nonEmptyPatch(z.object({
  name: z.string().trim().min(1).max(100),
  readyColour: colour,
  notReadyColour: colour,
  enabled: z.boolean(),
  mandatory: z.boolean(),
  defaultRequire: z.enum(['statutory', 'all']),
  rules: ratingSystemSchema.shape.rules,
}).partial());

export const fieldCatalogSchema = z.object({
  items: z.array(z.object({ field: z.string(), label: z.string(), kind: z.enum(['text', 'date', 'yesno', 'choice']), options: z.array(z.string()) })),
  operators: z.array(z.object({ operator: z.string(), label: z.string() })),
});
