import { z } from 'zod';

/**
 * The days and instants the API takes: 1900-01-01 to 2999-12-31 (UTC). PostgreSQL and PGlite
 * refuse year 0000 (a 500 where a 400 was due), and a timestamp before 1900 or after 2999 is no
 * day anyone signs in, is born or starts work; one range for every date a request carries, so a
 * date the API accepted is one every column stores and reads back alike.
 */
export const FIRST_DAY = '1900-01-01';
export const LAST_DAY = '2999-12-31';
const FIRST_INSTANT = Date.parse(`${FIRST_DAY}T00:00:00Z`);
const END_INSTANT = Date.parse('3000-01-01T00:00:00Z');
const RANGE = `between ${FIRST_DAY} and ${LAST_DAY}`;

/** A `YYYY-MM-DD` text inside the range (its being a real day is checked apart). */
export const isDayInRange = (day: string): boolean => day >= FIRST_DAY && day <= LAST_DAY;

/** An instant inside the range (NaN is not). */
export const isInstantInRange = (ms: number): boolean => ms >= FIRST_INSTANT && ms < END_INSTANT;

/** Checked only once the format is right (one message, not two, for `31/02/2024`). */
const whenWellFormed = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

/** A real calendar day inside the range. */
export const storableDate = z.iso.date().refine(isDayInRange, { message: `a date ${RANGE}`, ...whenWellFormed });

/** An ISO date and time with its offset, inside the range. */
export const storableDateTime = z.iso.datetime({ offset: true }).refine((s) => isInstantInRange(Date.parse(s)), { message: `a date and time ${RANGE}`, ...whenWellFormed });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The position a keyset cursor carries (a time and a row id), or undefined when it is not one this server could have given. */
export function cursorPosition(at: unknown, id: unknown): { at: Date; id: string } | undefined {
  if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id) || !storableDateTime.safeParse(at).success) return undefined;
  return { at: new Date(at), id };
}
