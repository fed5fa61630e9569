import { describe, expect, it } from 'vitest';
import { applyEvent, loadCached, saveCached, type RollCallEntry, type RollCallView } from './rollCallLive';

const entry = (id: string, status: 'safe' | 'unaccounted' = 'unaccounted'): RollCallEntry => ({
  id,
  visitId: `v-${id}`,
  memberId: null,
  personName: `Person ${id}`,
  groupId: 'g',
  groupName: 'Staff',
  groupColour: '#000000',
  signedInAt: '2026-01-01T08:00:00Z',
  joinedDuring: false,
  signedOutAt: null,
  status,
  markedAt: null,
  markedBy: null,
});
const view: RollCallView = {
  rollCall: { id: 'rc', siteId: 's', siteName: 'Site', status: 'open', seq: 1, note: '', startedAt: '', startedBy: '', closedAt: null, closedBy: null, total: 2, safe: 0, unaccounted: 2 },
  entries: [entry('a'), entry('b')],
};

describe('roll call state on the phone', () => {
  it('applies ticks, additions and the close, recounting; a repeated event changes nothing', () => {
    const ticked = applyEvent(view, { seq: 2, type: 'entry.updated', data: { entry: entry('a', 'safe') }, at: '' });
    expect(ticked.rollCall).toMatchObject({ seq: 2, safe: 1, unaccounted: 1 });
    expect(applyEvent(ticked, { seq: 2, type: 'entry.updated', data: { entry: entry('a', 'safe') }, at: '' })).toEqual(ticked);
    const added = applyEvent(ticked, { seq: 3, type: 'entry.added', data: { entry: entry('c') }, at: '' });
    expect(added.rollCall).toMatchObject({ total: 3, safe: 1, unaccounted: 2 });
    const closed = applyEvent(added, { seq: 4, type: 'roll_call.closed', data: { closedAt: 'x', closedBy: 'Ann' }, at: '' });
    expect(closed.rollCall).toMatchObject({ status: 'closed', closedBy: 'Ann', seq: 4 });
  });

  it('keeps the last list in storage', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadCached('rc', storage)).toBeNull();
    saveCached(view, storage);
    expect(loadCached('rc', storage)?.view).toEqual(view);
  });
});
