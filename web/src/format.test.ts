import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatTime } from './format';

describe('one date and time style for the app', () => {
  // 13:21 UTC on 6 December (GMT in London) and 13:21 UTC on 6 July (BST, 14:21 in London).
  const winter = '2026-12-06T13:21:00.000Z';
  const summer = '2026-07-06T13:21:00.000Z';

  it('shows a date as dd/mm/yyyy and a time as 24-hour HH:mm', () => {
    expect(formatDateTime(winter, 'Europe/London')).toBe('06/12/2026 13:21');
    expect(formatTime('2026-12-06T21:05:00Z', 'Europe/London')).toBe('21:05');
    expect(formatTime('2026-12-06T00:05:00Z', 'UTC')).toBe('00:05');
    expect(formatDate(winter, 'Europe/London')).toBe('06/12/2026');
  });

  it('shows an instant on the site’s clock, summer time included', () => {
    expect(formatTime(summer, 'Europe/London')).toBe('14:21');
    expect(formatTime(winter, 'America/New_York')).toBe('08:21');
    // Late evening in New York is already the next day in UTC: the date is New York's.
    expect(formatDateTime('2026-12-07T03:30:00Z', 'America/New_York')).toBe('06/12/2026 22:30');
  });

  it('shows a local date as it is, with no time zone shift', () => {
    expect(formatDate('2026-01-31')).toBe('31/01/2026');
    expect(formatDate('2026-01-31', 'Pacific/Kiritimati')).toBe('31/01/2026');
  });

  it('falls back to the browser’s zone for a zone it does not know, and shows a non-date as given', () => {
    expect(formatTime(winter, 'Not/AZone')).toMatch(/^\d{2}:\d{2}$/);
    expect(formatDateTime('not a date')).toBe('not a date');
  });

  it('gives an empty date or time, and a dash for an empty date-time', () => {
    expect(formatDate(null)).toBe('');
    expect(formatTime(undefined)).toBe('');
    expect(formatDateTime(null)).toBe('—');
  });
});
