import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, flushQueue, NetworkDown, TooLarge, wireEvent, type QueueStore } from './queue';
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

  it('keeps each batch under BATCH_BYTES of JSON, an event bigger than that alone', async () => {
    const long = (key: string, chars: number): OfflineEvent => ({ ...(signIn(key) as Extract<OfflineEvent, { kind: 'sign_in' }>), answers: { note: 'x'.repeat(chars) } });
    // 20 events of ~100 KB: five fit in 512 KB; then one of 600 KB goes alone.
    const { store, q } = memoryStore([...Array.from({ length: 20 }, (_, i) => long(`k${i}`, 100_000)), long('huge', 600_000), signIn('after')]);
    const bodies: Array<{ n: number; bytes: number }> = [];
    await flushQueue(store, async (events) => {
      bodies.push({ n: events.length, bytes: new TextEncoder().encode(JSON.stringify(events)).length });
      return events.map((e) => ok(e.key));
    });
    expect(bodies.map((b) => b.n)).toEqual([5, 5, 5, 5, 1, 1]);
    expect(bodies.filter((b) => b.n > 1).every((b) => b.bytes <= BATCH_BYTES)).toBe(true);
    expect(q).toHaveLength(0);
  });

  it('sends a batch refused as too large (413) again in halves, in order; a single event too large leaves the queue for the sync log and the rest go on', async () => {
    // A proxy in front of the server that takes at most 3 events a request, and never the one called "huge".
    const { store, q, log } = memoryStore([signIn('a'), signIn('b'), signIn('huge', 'Big'), signIn('c'), signIn('d'), signIn('e'), signIn('f'), signIn('g')]);
    const accepted: string[] = [];
    const r = await flushQueue(
      store,
      async (events) => {
        if (events.length > 3 || events.some((e) => e.key === 'huge')) throw new TooLarge('413');
        accepted.push(...events.map((e) => e.key));
        return events.map((e) => ok(e.key));
      },
      () => new Date('2026-03-02T11:00:00Z'),
    );
    expect(accepted).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(q).toHaveLength(0);
    expect(log).toEqual([{ at: '2026-03-02T11:00:00.000Z', key: 'huge', kind: 'sign_in', label: 'Big', eventAt: '2026-03-02T10:42:00.000Z', status: 'refused', code: 'payload_too_large', reason: 'Too large for the server to take: it was not recorded' }]);
    expect(r).toEqual({ sent: 7, logged: 1 });
  });

  it('strips only the label from the wire form', () => {
    expect(wireEvent(signIn('a'))).toEqual({ key: 'a', kind: 'sign_in', at: '2026-03-02T10:42:00.000Z', groupId: 'g', memberId: 'm', answers: {}, agreementAccepted: false, admitted: true, stale: false });
  });
});
