import { describe, expect, it } from 'vitest';
import { flushTicks, forgetOfflineStart, loadOfflineStart, loadOnSite, loadPending, offlineUpload, saveOnSite, savePending, startOffline, withPending, type OnSite, type PendingTick, type RollCallEntry, type RollCallView } from './rollCallLive';

const entry = (id: string, status: 'safe' | 'unaccounted' = 'unaccounted', markedAt: string | null = null): RollCallEntry => ({
  id, visitId: `v${id}`, memberId: null, personName: id, groupId: 'g', groupName: 'Staff', groupColour: '#000', signedInAt: '2026-03-02T08:00:00.000Z', joinedDuring: false, signedOutAt: null, status, markedAt, markedBy: null,
});
const view = (entries: RollCallEntry[]): RollCallView => ({
  rollCall: { id: 'rc', siteId: 's', siteName: 'North', status: 'open', seq: 1, note: '', startedAt: '', startedBy: '', closedAt: null, closedBy: null, total: entries.length, safe: 0, unaccounted: entries.length },
  entries,
});
const tick = (entryId: string, at: string, status: 'safe' | 'unaccounted' = 'safe'): PendingTick => ({ key: `${entryId}${at}`, entryId, status, at });

describe('roll call ticks made offline', () => {
  it('shows waiting ticks over the last list, unless the server has a later change', () => {
    const v = withPending(view([entry('a'), entry('b', 'unaccounted', '2026-03-02T10:10:00Z'), entry('c')]), [tick('a', '2026-03-02T10:05:00Z'), tick('b', '2026-03-02T10:05:00Z'), tick('c', '2026-03-02T10:01:00Z'), tick('c', '2026-03-02T10:02:00Z', 'unaccounted')]);
    expect(v.entries.map((e) => `${e.id}:${e.status}`)).toEqual(['a:safe', 'b:unaccounted', 'c:unaccounted']);
    expect(v.rollCall).toMatchObject({ safe: 1, unaccounted: 2, total: 3 });
  });

  it('sends in order, stops and keeps the rest when the network fails, drops and reports other refusals', async () => {
    const ticks = [tick('a', '1'), tick('closed', '2'), tick('b', '3'), tick('down', '4'), tick('c', '5')];
    const sent: string[] = [];
    const net = new Error('network');
    const r = await flushTicks(
      ticks,
      async (t) => {
        if (t.entryId === 'closed') throw new Error('roll_call_closed');
        if (t.entryId === 'down') throw net;
        sent.push(t.entryId);
        return entry(t.entryId, 'safe');
      },
      (e) => e === net,
    );
    expect(sent).toEqual(['a', 'b']);
    expect(r.remaining.map((t) => t.entryId)).toEqual(['down', 'c']);
    expect(r.dropped.map((d) => d.tick.entryId)).toEqual(['closed']);
    expect(r.entries.map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('keeps the waiting ticks on the phone across reloads', () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v), removeItem: (k: string) => void mem.delete(k) };
    savePending('rc', [tick('a', '1')], storage);
    expect(loadPending('rc', storage)).toEqual([tick('a', '1')]);
    savePending('rc', [], storage);
    expect(mem.size).toBe(0);
  });
});

describe('the kept list expires', () => {
  it('is not shown after 72 hours without reaching the server', async () => {
    const { loadCached } = await import('./rollCallLive');
    const raw = JSON.stringify({ view: view([entry('a')]), savedAt: '2026-03-02T10:00:00.000Z' });
    const storage = { getItem: () => raw };
    expect(loadCached('rc', storage, new Date('2026-03-05T09:00:00Z'))?.view.entries).toHaveLength(1);
    expect(loadCached('rc', storage, new Date('2026-03-05T10:00:01Z'))).toBeNull();
  });
});

describe('a roll call started on the phone with no connection', () => {
  const store = () => {
    const m = new Map<string, string>();
    return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
  };
  const onSite: OnSite = {
    site: { id: 's1', name: 'North', timezone: 'Europe/London' },
    total: 3,
    openRollCallId: null,
    groups: [
      { id: 'g1', name: 'Staff', colour: '#f00', showOnFireList: true, people: [{ visitId: 'v1', memberId: 'm1', personName: 'Ada', signedInAt: '2026-03-02T08:00:00.000Z' }] },
      { id: 'g2', name: 'Contractors', colour: '#0f0', showOnFireList: false, people: [{ visitId: 'v2', memberId: null, personName: 'Bob', signedInAt: '2026-03-02T08:00:00.000Z' }] },
    ],
  };

  it('lists the kept on-site people of fire-list groups, by visit; sends its start and ticks by visit in order; forgets it all once sent', () => {
    const s = store();
    saveOnSite(onSite, s);
    const kept = loadOnSite('s1', s, new Date())!;
    const now = new Date('2026-03-02T10:00:00.000Z');
    const v = startOffline(kept, 'Marshal', s, now);
    expect(v.rollCall).toMatchObject({ siteId: 's1', timezone: 'Europe/London', status: 'open', startedAt: now.toISOString(), total: 1, unaccounted: 1 });
    expect(v.rollCall.id).toMatch(/^offline-/);
    expect(v.entries.map((e) => [e.id, e.visitId, e.personName])).toEqual([['v1', 'v1', 'Ada']]);
    const start = loadOfflineStart(v.rollCall.id, s)!;
    savePending(v.rollCall.id, [tick('v1', '2026-03-02T10:01:00.000Z'), tick('v1', '2026-03-02T10:02:00.000Z', 'unaccounted')], s);
    expect(offlineUpload(start, loadPending(v.rollCall.id, s))).toEqual({
      startedAt: now.toISOString(),
      ticks: [
        { visitId: 'v1', status: 'safe', at: '2026-03-02T10:01:00.000Z' },
        { visitId: 'v1', status: 'unaccounted', at: '2026-03-02T10:02:00.000Z' },
      ],
    });
    forgetOfflineStart(v.rollCall.id, s);
    expect([...s.m.keys()]).toEqual(['threshold.onSite.s1']);
  });

  it('does not use a kept on-site list older than the kept-list limit', () => {
    const s = store();
    saveOnSite(onSite, s);
    expect(loadOnSite('s1', s, new Date(Date.now() + 73 * 3_600_000))).toBeNull();
  });
});
