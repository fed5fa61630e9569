import { describe, expect, it } from 'vitest';
import { auditFilter } from './Audit';

describe('audit log filter', () => {
  it('leaves empty fields out, trims text, and turns local days into [start of from, start of the day after to)', () => {
    expect(auditFilter({ action: '  ', actorId: '', targetType: '', from: '', to: '' })).toEqual({
      action: undefined,
      actorId: undefined,
      targetType: undefined,
      from: undefined,
      to: undefined,
    });
    const f = auditFilter({ action: ' user.* ', actorId: 'u1', targetType: 'user ', from: '2026-03-01', to: '2026-03-31' });
    expect(f).toMatchObject({ action: 'user.*', actorId: 'u1', targetType: 'user' });
    expect(f.from).toBe(new Date(2026, 2, 1).toISOString());
    expect(f.to).toBe(new Date(2026, 3, 1).toISOString());
  });
});
