import { z } from 'zod';
import { nonEmptyPatch } from '../../../platform/http/input.js';
import { isIanaTimezone } from '../../../platform/zoned-clock.js';

export { canonicalTimezone } from '../../../platform/zoned-clock.js';

/** An IANA time zone (the service stores it spelled as the zone list does, `canonicalTimezone`, and checks the database knows it). */
export const timezoneSchema = z.string().trim().min(1).max(64).refine(isIanaTimezone, { message: 'Not an IANA time zone (e.g. Europe/London)' });

export const siteInput = z.object({
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().max(1000).default(''),
  timezone: timezoneSchema.default('Europe/London'),
});
export const sitePatch = nonEmptyPatch(z.object({
  name: z.string().trim().min(1).max(200).optional(),
  address: z.string().trim().max(1000).optional(),
  timezone: timezoneSchema.optional(),
}));

export const siteGroupRef = z.object({ id: z.string(), name: z.string(), type: z.string(), colour: z.string(), position: z.number() });
export const siteSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  timezone: z.string(),
  archived: z.boolean(),
  groups: z.array(siteGroupRef),
  createdAt: z.string(),
});
export const idParams = z.object({ id: z.uuid() });
