/**
 * Calendar dates as YYYY-MM-DD strings (no time zone games): validation, arithmetic, UK input
 * formats and display; "today" in a time zone through the platform's `zonedClock`. Pure.
 */
import { zonedClock } from '../../../platform/zoned-clock.js';

export type PeriodUnit = 'days' | 'months' | 'years';

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(s: string): boolean {
  const m = ISO.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Adds (or with a negative n subtracts) a period; month ends clamp (31 Jan + 1 month = 28/29 Feb). */
export function addPeriod(date: string, n: number, unit: PeriodUnit): string {
  // Read YYYY-MM-DD by position (no split/map: this runs for every dated check of every profile).
  const [y, m, d] = date.length === 10 ? [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))] : (date.split('-').map(Number) as [number, number, number]);
  if (unit === 'days') {
    const t = new Date(Date.UTC(y, m - 1, d) + n * 86_400_000);
    return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  }
  const months = unit === 'months' ? n : n * 12;
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return `${pad(ny, 4)}-${pad(nm)}-${pad(Math.min(d, daysInMonth(ny, nm)))}`;
}

/** Whole days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  const t = (s: string) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((t(b) - t(a)) / 86_400_000);
}

/** Today's date in the UK (the record's calendar), from an instant. */
export function todayIn(now: Date, timeZone = 'Europe/London'): string {
  return zonedClock(timeZone).date(now);
}

/** 2025-02-03 → 03/02/2025, the way an English school writes it. */
export function ukDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Reads a date as people type it in a UK spreadsheet: 31/01/2024, 31-01-2024, 31.01.24,
 * 31-Jan-2024, 31 January 2024, and ISO 2024-01-31. Undefined when it is not a real date.
 */
export function parseUkDate(input: string): string | undefined {
  const s = input.trim();
  if (isIsoDate(s)) return s;
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s);
  if (m) return make(m[3]!, Number(m[2]), Number(m[1]));
  m = /^(\d{1,2})[\s/-]+([A-Za-z]{3,9})[\s/-]+(\d{2}|\d{4})$/.exec(s);
  if (m) {
    const idx = MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase());
    const full = m[2]!.toLowerCase();
    const names = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
    if (idx < 0 || (full.length > 3 && !(names[idx]!.startsWith(full) || full === 'sept'))) return undefined;
    return make(m[3]!, idx + 1, Number(m[1]));
  }
  return undefined;
}

/** `year` as written: two digits are 1970–2069, four are that year (`0050` is the year 50, not 2050). */
function make(year: string, month: number, day: number): string | undefined {
  const n = Number(year);
  const y = year.length === 2 ? (n >= 70 ? 1900 + n : 2000 + n) : n;
  const iso = `${pad(y, 4)}-${pad(month)}-${pad(day)}`;
  return isIsoDate(iso) ? iso : undefined;
}
