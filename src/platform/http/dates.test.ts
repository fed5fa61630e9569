import { describe, expect, it } from 'vitest';
import { cursorPosition, storableDate, storableDateTime } from './dates.js';

describe('the API’s dates', () => {
  it('takes real days from 1900 to 2999, and refuses year 0000 (the database’s 500) with one message', () => {
    for (const ok of ['1900-01-01', '2024-02-29', '2999-12-31']) expect(storableDate.safeParse(ok).success).toBe(true);
    for (const bad of ['0000-01-01', '0001-01-01', '1899-12-31', '3000-01-01', '9999-12-31']) {
      const r = storableDate.safeParse(bad);
      expect(r.error?.issues.map((i) => i.message)).toEqual(['a date between 1900-01-01 and 2999-12-31']);
    }
    expect(storableDate.safeParse('2025-02-30').error?.issues).toHaveLength(1);
  });

  it('takes instants in the same range, whatever their offset', () => {
    for (const ok of ['1900-01-01T00:00:00Z', '2026-01-01T00:00:00.123456+14:00', '2999-12-31T23:59:59.999Z']) expect(storableDateTime.safeParse(ok).success).toBe(true);
    for (const bad of ['0000-01-01T00:00:00Z', '1899-12-31T23:59:59Z', '1900-01-01T00:30:00+01:00', '3000-01-01T00:00:00Z']) expect(storableDateTime.safeParse(bad).success).toBe(false);
    expect(storableDateTime.safeParse('2025-01-01').error?.issues).toHaveLength(1);
  });

  it('reads a cursor’s position only when its time is one and its id a uuid', () => {
    const id = '0b7c6f8e-4d6f-4c55-9a55-2f1b0b3c9d10';
    expect(cursorPosition('2026-01-02T03:04:05.678Z', id)).toEqual({ at: new Date('2026-01-02T03:04:05.678Z'), id });
    for (const [at, bad] of [
      ['2026-01-02T03:04:05Z', '-'.repeat(36)],
      ['2026-01-02T03:04:05Z', 'g'.repeat(36)],
      ['-271821-04-20T00:00:00Z', id],
      ['+275760-09-13T00:00:00Z', id],
      ['0000-01-01T00:00:00Z', id],
      ['1', id],
      [undefined, id],
    ] as const) expect(cursorPosition(at, bad)).toBeUndefined();
  });
});
