import { describe, expect, it } from 'vitest';
import { flushQueue, NetworkDown, wireEvent, type QueueStore } from './queue';
import type { OfflineEvent, ReplayResult, SyncLogEntry } from './types';

function memoryStore(events: OfflineEvent[]) {
  let seq = 0;
  const q = events.map((event) => ({ seq: ++seq, event }));
  const log: SyncLogEntry[] = [];
  const store: QueueStore = {
    queued: async () => [...q],
    remove: async (seqs) => {
      for (const s of seqs) q.splice(q.findIndex((x) => x.seq === s), 1);
    },
    addLog: async (entries) => void log.push(...entries),
  };
  return { store, q, log };
}

const signIn = (key: string, label = 'Ada'): OfflineEvent => ({ key, kind: 'sign_in', at: '2026-03-02T10:42:00.000Z', groupId: 'g', memberId: 'm', answers: {}, agreementAccepted: false, admitted: true, stale: false, label });
const ok = (key: string): ReplayResult => ({ key, status: 'accepted', code: null, reason: null, visitId: 'v', recordedAt: '2026-03-02T10:42:00.000Z' });

describe('the offline queue', () => {
  it('sends events in order, without their local labels, and empties the queue', async () => {
    const { store, q } = memoryStore([signIn('a'), signIn('b'), signIn('c')]);
    const sent: string[][] = [];
    const r = await flushQueue(store, async (events) => {
      sent.push(events.map((e) => e.key));
      expect(events.every((e) => !('label' in e))).toBe(true);
      return events.map((e) => ok(e.key));
    });
    expect(sent).toEqual([['a', 'b', 'c']]);
    expect(r).toEqual({ sent: 3, logged: 0 });
    expect(q).toHaveLength(0);
  });

  it('keeps the whole queue, in order, when the network is down', async () => {
    const { store, q } = memoryStore([signIn('a'), signIn('b')]);
    await expect(
      flushQueue(store, async () => {
        throw new NetworkDown('down');
      }),
    ).rejects.toBeInstanceOf(NetworkDown);
    expect(q.map((x) => x.event.key)).toEqual(['a', 'b']);
  });

  it('logs refusals and conflicts with their reasons, drops duplicates silently, and never lets a refused entry block the ones behind', async () => {
    const { store, q, log } = memoryStore([signIn('a', 'Ada'), signIn('bad', 'Tampered'), signIn('dup', 'Bo'), signIn('late', 'Cy'), signIn('d', 'Di')]);
    await flushQueue(
      store,
      async (events) =>
        events.map((e): ReplayResult => {
          if (e.key === 'bad') return { key: e.key, status: 'refused', code: 'unknown_member', reason: 'No such member', visitId: null, recordedAt: null };
          if (e.key === 'dup') return { key: e.key, status: 'duplicate', code: null, reason: 'Already received; ignored', visitId: 'v', recordedAt: null };
          if (e.key === 'late') return { key: e.key, status: 'conflict', code: 'already_signed_in', reason: 'Already signed in', visitId: null, recordedAt: null };
          return ok(e.key);
        }),
      () => new Date('2026-03-02T11:00:00Z'),
    );
    expect(q).toHaveLength(0);
    expect(log.map((l) => `${l.label}:${l.status}:${l.code}:${l.reason}`)).toEqual(['Tampered:refused:unknown_member:No such member', 'Cy:conflict:already_signed_in:Already signed in']);
    expect(log[0]).toMatchObject({ at: '2026-03-02T11:00:00.000Z', eventAt: '2026-03-02T10:42:00.000Z', kind: 'sign_in' });
  });

  it('leaves unanswered events queued (a short answer) and sends big queues in batches', async () => {
    const many = Array.from({ length: 450 }, (_, i) => signIn(`k${i}`));
    const { store, q } = memoryStore(many);
    const sizes: number[] = [];
    await flushQueue(store, async (events) => (sizes.push(events.length), events.map((e) => ok(e.key))));
    expect(sizes).toEqual([200, 200, 50]);
    expect(q).toHaveLength(0);

    const short = memoryStore([signIn('a'), signIn('b')]);
    let calls = 0;
    await flushQueue(short.store, async (events) => (calls++ === 0 ? [ok(events[0]!.key)] : []));
    expect(short.q.map((x) => x.event.key)).toEqual(['b']);
  });

  it('strips only the label from the wire form', () => {
    expect(wireEvent(signIn('a'))).toEqual({ key: 'a', kind: 'sign_in', at: '2026-03-02T10:42:00.000Z', groupId: 'g', memberId: 'm', answers: {}, agreementAccepted: false, admitted: true, stale: false });
  });
});
