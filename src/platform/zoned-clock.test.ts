import { describe, expect, it } from 'vitest';
import { canonicalTimezone, isIanaTimezone, zonedClock } from './zoned-clock.js';
import { IANA_ZONE_NAMES } from './tz-names.js';

const at = (iso: string) => new Date(iso);
const H = 3_600_000;

describe('zonedClock: the wall clock in a time zone', () => {
  it.each([
    // Europe/London: BST starts 2026-03-29 01:00Z (01:00 GMT → 02:00 BST), ends 2026-10-25 01:00Z (02:00 BST → 01:00 GMT).
    ['Europe/London', '2026-01-15T12:00:00Z', '2026-01-15 12:00:00', 0],
    ['Europe/London', '2026-03-29T00:59:59Z', '2026-03-29 00:59:59', 0],
    ['Europe/London', '2026-03-29T01:00:00Z', '2026-03-29 02:00:00', H],
    ['Europe/London', '2026-06-30T23:30:00Z', '2026-07-01 00:30:00', H],
    ['Europe/London', '2026-10-25T00:59:59Z', '2026-10-25 01:59:59', H],
    ['Europe/London', '2026-10-25T01:00:00Z', '2026-10-25 01:00:00', 0],
    // Asia/Kolkata: +05:30 all year; the day turns at 18:30Z.
    ['Asia/Kolkata', '2026-06-15T18:29:59Z', '2026-06-15 23:59:59', 5.5 * H],
    ['Asia/Kolkata', '2026-06-15T18:30:00Z', '2026-06-16 00:00:00', 5.5 * H],
    // Australia/Lord_Howe: +10:30, and a half-hour daylight saving (+11) from 2026-10-03 15:30Z.
    ['Australia/Lord_Howe', '2026-04-04T14:59:59Z', '2026-04-05 01:59:59', 11 * H],
    ['Australia/Lord_Howe', '2026-04-04T15:00:00Z', '2026-04-05 01:30:00', 10.5 * H],
    ['Australia/Lord_Howe', '2026-10-03T15:29:59Z', '2026-10-04 01:59:59', 10.5 * H],
    ['Australia/Lord_Howe', '2026-10-03T15:30:00Z', '2026-10-04 02:30:00', 11 * H],
    // The far ends of the world's clocks.
    ['Pacific/Kiritimati', '2026-06-15T10:00:00Z', '2026-06-16 00:00:00', 14 * H],
    ['Pacific/Pago_Pago', '2026-06-15T10:59:00Z', '2026-06-14 23:59:00', -11 * H],
  ])('%s at %s shows %s (offset %d ms)', (zone, instant, shows, offset) => {
    const clock = zonedClock(zone);
    expect(clock.dateTime(at(instant))).toBe(shows);
    expect(clock.date(at(instant))).toBe(shows.slice(0, 10));
    const [y, mo, d, h, mi, s] = shows.split(/[- :]/).map(Number);
    expect(clock.wallTime(at(instant))).toEqual({ year: y, month: mo, day: d, hour: h, minute: mi, second: s });
    expect(clock.offsetAt(at(instant))).toBe(offset);
  });

  it.each<[string, [number, number, number, number, number], string, string]>([
    ['Europe/London', [2026, 1, 15, 18, 0], '2026-01-15T18:00:00.000Z', 'winter'],
    ['Europe/London', [2026, 6, 1, 18, 0], '2026-06-01T17:00:00.000Z', 'summer'],
    ['Europe/London', [2026, 3, 29, 0, 30], '2026-03-29T00:30:00.000Z', 'just before the spring gap'],
    ['Europe/London', [2026, 3, 29, 1, 30], '2026-03-29T01:30:00.000Z', 'in the spring gap: 02:30 BST'],
    ['Europe/London', [2026, 3, 29, 2, 0], '2026-03-29T01:00:00.000Z', 'just after the spring gap'],
    ['Europe/London', [2026, 10, 25, 1, 30], '2026-10-25T00:30:00.000Z', 'shown twice in autumn: the first (BST)'],
    ['Europe/London', [2026, 10, 25, 2, 0], '2026-10-25T02:00:00.000Z', 'after the autumn change'],
    ['America/New_York', [2026, 3, 8, 2, 30], '2026-03-08T07:30:00.000Z', 'in the spring gap west of UTC: 03:30 EDT, not an hour early'],
    ['America/New_York', [2026, 11, 1, 1, 30], '2026-11-01T05:30:00.000Z', 'shown twice west of UTC: the first (EDT)'],
    ['Asia/Kolkata', [2026, 6, 16, 0, 0], '2026-06-15T18:30:00.000Z', 'half-hour offset'],
    ['Australia/Lord_Howe', [2026, 10, 4, 2, 15], '2026-10-03T15:45:00.000Z', 'in the half-hour spring gap: 02:45'],
    ['Australia/Lord_Howe', [2026, 4, 5, 1, 45], '2026-04-04T14:45:00.000Z', 'shown twice in the half-hour autumn change: the first (+11)'],
    ['Australia/Lord_Howe', [2026, 4, 5, 2, 0], '2026-04-04T15:30:00.000Z', 'after the half-hour autumn change'],
  ])('%s %j is %s (%s)', (zone, [y, mo, d, h, mi], instant) => {
    const clock = zonedClock(zone);
    const got = clock.instantAt(y, mo, d, h, mi);
    expect(got.toISOString()).toBe(instant);
  });

  it('a time that exists is shown by the clock at the instant it gives, every quarter hour of the weeks around 2026’s changes', () => {
    const quarters = (from: number, to: number) => Array.from({ length: (to - from) / 900_000 }, (_, i) => from + i * 900_000);
    const weeks = [...quarters(Date.UTC(2026, 2, 3), Date.UTC(2026, 3, 9)), ...quarters(Date.UTC(2026, 8, 30), Date.UTC(2026, 10, 4))];
    for (const zone of ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
      const clock = zonedClock(zone);
      for (const t of weeks) {
        const w = clock.wallTime(new Date(t));
        const back = clock.instantAt(w.year, w.month, w.day, w.hour, w.minute).getTime();
        // The instant itself, or (for a time shown twice) its first showing, which the clock also shows.
        expect(back <= t && clock.dateTime(new Date(back)) === clock.dateTime(new Date(t))).toBe(true);
      }
    }
  });

  it('agrees with Intl’s own parts for any instant in 1900–2999', () => {
    const zone = 'Europe/London';
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    const clock = zonedClock(zone);
    const from = Date.UTC(1900, 0, 1);
    const step = Math.floor((Date.UTC(2999, 11, 31) - from) / 1000) + 7919;
    for (let i = 0; i < 1000; i++) {
      const t = new Date(from + i * step);
      const p = Object.fromEntries(parts.formatToParts(t).map((x) => [x.type, x.value]));
      expect(clock.dateTime(t)).toBe(`${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`);
    }
  });

  it('is one clock per zone, and an unknown zone is a RangeError', () => {
    expect(zonedClock('Europe/London')).toBe(zonedClock('Europe/London'));
    expect(() => zonedClock('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('canonicalTimezone: a zone spelt as the IANA database spells it', () => {
  it.each([
    // Intl lists these only under CLDR's old names (Asia/Calcutta, Europe/Kiev, Asia/Saigon): the name typed is kept, its case set.
    ['asia/kolkata', 'Asia/Kolkata'],
    ['ASIA/KOLKATA', 'Asia/Kolkata'],
    ['asia/calcutta', 'Asia/Calcutta'],
    ['europe/kyiv', 'Europe/Kyiv'],
    ['EUROPE/KIEV', 'Europe/Kiev'],
    ['asia/ho_chi_minh', 'Asia/Ho_Chi_Minh'],
    ['Asia/saigon', 'Asia/Saigon'],
    ['america/argentina/buenos_aires', 'America/Argentina/Buenos_Aires'],
    // A link Intl lists under nothing of its own.
    ['us/eastern', 'US/Eastern'],
    // Plain ones.
    ['europe/london', 'Europe/London'],
    ['Europe/London', 'Europe/London'],
    ['utc', 'UTC'],
    ['etc/gmt+5', 'Etc/GMT+5'],
  ])('%s is %s', (given, spelt) => {
    expect(canonicalTimezone(given)).toBe(spelt);
  });

  it('every IANA name the runtime knows, in lower or upper case, is spelt as IANA spells it', () => {
    const known = IANA_ZONE_NAMES.filter(isIanaTimezone);
    expect(known.length).toBeGreaterThan(550);
    const wrong = known.filter((z) => canonicalTimezone(z.toLowerCase()) !== z || canonicalTimezone(z.toUpperCase()) !== z || canonicalTimezone(z) !== z);
    expect(wrong).toEqual([]);
  });

  it('throws for a name that is no zone', () => {
    expect(() => canonicalTimezone('Mars/Olympus')).toThrow();
  });
});
