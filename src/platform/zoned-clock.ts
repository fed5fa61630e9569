/**
 * The wall clock in a time zone: what a clock on a site's (or an organisation's) wall shows at an
 * instant, and the instant it shows a given time. The one place the server asks Intl for a zone's
 * local time (the sign-in safety check, the record's "today", the automatic sign-out, the visit
 * export all go through it).
 */
import { IANA_ZONE_NAMES } from './tz-names.js';

/** Whether `tz` names an IANA time zone the runtime knows (`Europe/London`; not an offset or an abbreviation). */
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
 * The zone as given, with its letters' case as the IANA database spells it (`europe/london` →
 * `Europe/London`, `asia/kolkata` → `Asia/Kolkata`, `us/eastern` → `US/Eastern`). Not Intl's
 * canonical name: ICU's is CLDR's, often an old alias (`Asia/Kolkata` → `Asia/Calcutta`,
 * `Europe/Kyiv` → `Europe/Kiev`), which a server's tzdata may lack and nobody typed; and Intl lists
 * no other spelling, so the IANA names come from `tz-names.ts` (a zone newer than that list, from
 * Intl's own list). Throws for a name that is no zone.
 */
export function canonicalTimezone(tz: string): string {
  const lower = tz.toLowerCase();
  const named = IANA_ZONE_NAMES.find((z) => z.toLowerCase() === lower) ?? Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === lower);
  if (named) return named;
  const resolved = new Intl.DateTimeFormat('en-GB', { timeZone: tz }).resolvedOptions().timeZone; // throws for no zone
  return resolved.toLowerCase() === lower ? resolved : tz;
}

/** A local date and time as numbers (month 1–12, hour 0–23). */
export type WallTime = { year: number; month: number; day: number; hour: number; minute: number; second: number };

export type ZonedClock = {
  readonly zone: string;
  /** The calendar date at the instant, `YYYY-MM-DD`. */
  date(at: Date): string;
  /** The date and time at the instant, `YYYY-MM-DD HH:MM:SS`. */
  dateTime(at: Date): string;
  /** The date and time at the instant, as numbers. */
  wallTime(at: Date): WallTime;
  /** The zone's offset from UTC at the instant, in ms (east positive). */
  offsetAt(at: Date): number;
  /**
   * The instant the clock shows this date and time. A time it shows twice (moving back) is its first
   * showing; a time it skips (moving forward) is moved on by the gap (01:30 on the spring change in
   * London is 02:30 BST). Temporal's `disambiguation: 'compatible'`.
   */
  instantAt(year: number, month: number, day: number, hour: number, minute: number): Date;
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}, \d{2}:\d{2}:\d{2}$/;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function partsOf(f: Intl.DateTimeFormat, at: Date): WallTime {
  const t: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of f.formatToParts(at)) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute' || p.type === 'second') t[p.type] = Number(p.value);
  }
  return t;
}

function makeClock(zone: string): ZonedClock {
  // `format` is about a third of the cost of `formatToParts`: it is used whenever this runtime's
  // en-CA writes the fixed-width ISO shape (checked once here, and by length on each call), with
  // `formatToParts` as the fallback for a runtime that does not.
  const dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const fullFormat = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const sample = new Date(Date.UTC(2001, 1, 3, 4, 5, 6));
  const fastDate = ISO_DATE.test(dateFormat.format(sample));
  const fastFull = ISO_DATE_TIME.test(fullFormat.format(sample));

  function wallTime(at: Date): WallTime {
    if (fastFull) {
      const s = fullFormat.format(at);
      if (s.length === 20) {
        return { year: +s.slice(0, 4), month: +s.slice(5, 7), day: +s.slice(8, 10), hour: +s.slice(12, 14), minute: +s.slice(15, 17), second: +s.slice(18, 20) };
      }
    }
    return partsOf(fullFormat, at);
  }
  function date(at: Date): string {
    if (fastDate) {
      const s = dateFormat.format(at);
      if (s.length === 10) return s;
    }
    const t = partsOf(fullFormat, at);
    return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
  }
  function dateTime(at: Date): string {
    if (fastFull) {
      const s = fullFormat.format(at);
      if (s.length === 20) return `${s.slice(0, 10)} ${s.slice(12)}`;
    }
    const t = partsOf(fullFormat, at);
    return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
  }
  function offsetAt(at: Date): number {
    const t = wallTime(at);
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(at.getTime() / 1000) * 1000;
  }
  function instantAt(year: number, month: number, day: number, hour: number, minute: number): Date {
    const wall = Date.UTC(year, month - 1, day, hour, minute);
    // The offsets a day either side (no zone changes twice in two days): the same, and that is the answer.
    const before = offsetAt(new Date(wall - 86_400_000));
    const after = offsetAt(new Date(wall + 86_400_000));
    if (before === after) return new Date(wall - before);
    // Near a change: of the instants the two offsets give, the first at which the clock shows this time.
    const shows = (instant: number) => instant + offsetAt(new Date(instant)) === wall;
    const early = Math.min(wall - before, wall - after);
    const late = Math.max(wall - before, wall - after);
    if (shows(early)) return new Date(early);
    if (shows(late)) return new Date(late);
    // In the gap: read with the offset before the change, so it lands as far after the gap as it was into it.
    return new Date(wall - before);
  }
  return { zone, date, dateTime, wallTime, offsetAt, instantAt };
}

/**
 * One clock per time zone, kept for the life of the process: building an Intl.DateTimeFormat costs
 * far more than using one (it was 2 % of a sign-in's CPU and most of the trust dashboard's time).
 * A pure computation, the same for every platform (documented in ARCHITECTURE.md).
 */
const clocks = new Map<string, ZonedClock>();

/** The wall clock in `zone` (an IANA name; a RangeError for an unknown one, as Intl throws). */
export function zonedClock(zone: string): ZonedClock {
  let clock = clocks.get(zone);
  if (!clock) {
    clock = makeClock(zone);
    clocks.set(zone, clock);
  }
  return clock;
}
