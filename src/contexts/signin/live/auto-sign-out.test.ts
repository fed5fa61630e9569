import { describe, expect, it } from 'vitest';
import { dueAt } from './auto-sign-out.js';

describe('automatic sign-out time', () => {
  const cases: Array<[string, string, Parameters<typeof dueAt>[1], string, string | null]> = [
    ['never', '2026-06-01T08:00:00Z', { mode: 'never' }, 'Europe/London', null],
    ['after N hours', '2026-06-01T08:00:00Z', { mode: 'after_hours', hours: 8 }, 'Europe/London', '2026-06-01T16:00:00.000Z'],
    ['after half an hour', '2026-06-01T08:00:00Z', { mode: 'after_hours', hours: 0.5 }, 'Europe/London', '2026-06-01T08:30:00.000Z'],
    ['at a time later that day (BST)', '2026-06-01T08:00:00Z', { mode: 'at_time', time: '18:00' }, 'Europe/London', '2026-06-01T17:00:00.000Z'],
    ['at a time later that day (GMT)', '2026-01-15T08:00:00Z', { mode: 'at_time', time: '18:00' }, 'Europe/London', '2026-01-15T18:00:00.000Z'],
    ['signed in after the time: the next day', '2026-06-01T19:00:00Z', { mode: 'at_time', time: '18:00' }, 'Europe/London', '2026-06-02T17:00:00.000Z'],
    ['across the spring DST change', '2026-03-28T20:00:00Z', { mode: 'at_time', time: '18:00' }, 'Europe/London', '2026-03-29T17:00:00.000Z'],
    ['a time the spring change skips: after the gap (03:30 EDT), never before the time set', '2026-03-07T12:00:00Z', { mode: 'at_time', time: '02:30' }, 'America/New_York', '2026-03-08T07:30:00.000Z'],
    ['a time the autumn change shows twice: its first showing', '2026-10-24T12:00:00Z', { mode: 'at_time', time: '01:30' }, 'Europe/London', '2026-10-25T00:30:00.000Z'],
    ['midnight in the site’s zone, not UTC', '2026-06-01T10:00:00Z', { mode: 'at_time', time: '00:00' }, 'America/New_York', '2026-06-02T04:00:00.000Z'],
    ['local date differs from the UTC date', '2026-06-01T23:30:00Z', { mode: 'at_time', time: '09:00' }, 'Asia/Tokyo', '2026-06-02T00:00:00.000Z'],
  ];
  it.each(cases)('%s', (_name, signedIn, rule, tz, expected) => {
    const due = dueAt(new Date(signedIn), rule, tz);
    expect(due?.toISOString() ?? null).toBe(expected);
  });
});
