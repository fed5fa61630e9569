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

/** The zone's canonical IANA name as Node's Intl gives it (`europe/london` → `Europe/London`, `US/Eastern` → `America/New_York`). */
export function canonicalTimezone(tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz }).resolvedOptions().timeZone;
}

/** An IANA time zone (the service stores it under its canonical name and checks the database knows it). */
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
