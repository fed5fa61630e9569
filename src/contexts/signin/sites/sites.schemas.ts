import { z } from 'zod';
import { nonEmptyPatch } from '../../../platform/http/input.js';

export function isIanaTimezone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone as given, with its letters' case as the zone list spells it (`europe/london` →
 * `Europe/London`). Not Intl's canonical name: ICU's is CLDR's, often an old alias (`Asia/Kolkata`
 * → `Asia/Calcutta`, `Europe/Kyiv` → `Europe/Kiev`), which a server's tzdata may lack and nobody typed.
 */
export function canonicalTimezone(tz: string): string {
  const lower = tz.toLowerCase();
  const listed = Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === lower);
  if (listed) return listed;
  const resolved = new Intl.DateTimeFormat('en-GB', { timeZone: tz }).resolvedOptions().timeZone; // throws for no zone
  return resolved.toLowerCase() === lower ? resolved : tz;
}

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
