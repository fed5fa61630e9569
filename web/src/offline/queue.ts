import type { OfflineEvent, ReplayResult, SyncLogEntry } from './types';

/** Where the queue lives (IndexedDB in the kiosk, memory in the tests). Entries come back in order. */
export type QueueStore = {
  queued(): Promise<Array<{ seq: number; event: OfflineEvent }>>;
  remove(seqs: number[]): Promise<void>;
  addLog(entries: SyncLogEntry[]): Promise<void>;
};

/** A batch at most this long per request (the server takes up to 500). */
export const BATCH = 200;
/**
 * A batch's body at most this many bytes of JSON (the server takes 2 MB; a reverse proxy in front
 * of it may take less: nginx's default is 1 MB). An event longer than this goes alone.
 */
export const BATCH_BYTES = 512 * 1024;

export class NetworkDown extends Error {}
/** `send`'s way to say the request was refused as too large (HTTP 413, from the server or a proxy). */
export class TooLarge extends Error {}

/** The event as sent: the local label (a name for the sync log) stays on the device. */
export function wireEvent(e: OfflineEvent): Omit<OfflineEvent, 'label'> {
  const { label: _label, ...rest } = e;
  return rest;
}

/**
 * Sends the queue in order, in batches, until it is empty or the network drops. Every answered
 * event leaves the queue (accepted, duplicate, conflict or refused alike: the server's answer is
 * final); conflicts and refusals go to the sync log with their reason. A batch whose request fails
 * stays queued, whole and in order, for the next attempt. A malformed entry is just a refused one.
 *
 * A batch is at most BATCH events and BATCH_BYTES of JSON. One refused as too large is sent again
 * in halves; a single event refused as too large could never be sent, so it leaves the queue
 * for the sync log (refused, `payload_too_large`) instead of holding up every event behind it.
 */
export async function flushQueue(store: QueueStore, send: (events: Array<Omit<OfflineEvent, 'label'>>) => Promise<ReplayResult[]>, now: () => Date = () => new Date()) {
  let sent = 0;
  let logged = 0;
  let most = BATCH; // lowered by a 413 for the rest of this flush
  for (;;) {
    const batch = withinBytes((await store.queued()).slice(0, most));
    if (batch.length === 0) return { sent, logged };
    let results: ReplayResult[];
    try {
      results = await send(batch.map((b) => b.event).map(wireEvent));
    } catch (err) {
      if (!(err instanceof TooLarge)) throw err;
      if (batch.length > 1) {
        most = Math.ceil(batch.length / 2);
        continue;
      }
      const b = batch[0]!;
      const reason = 'Too large for the server to take: it was not recorded';
      await store.addLog([{ at: now().toISOString(), key: b.event.key, kind: b.event.kind, label: b.event.label, eventAt: b.event.at, status: 'refused', code: 'payload_too_large', reason }]);
      await store.remove([b.seq]);
      logged += 1;
      continue;
    }
    const log: SyncLogEntry[] = [];
    const done: number[] = [];
    batch.forEach((b, i) => {
      const r = results[i];
      if (!r) return; // not answered: stays queued
      done.push(b.seq);
      if (r.status === 'conflict' || r.status === 'refused') {
        log.push({ at: now().toISOString(), key: b.event.key, kind: b.event.kind, label: b.event.label, eventAt: b.event.at, status: r.status, code: r.code, reason: r.reason });
      }
    });
    if (done.length === 0) return { sent, logged };
    await store.addLog(log);
    await store.remove(done);
    sent += done.length;
    logged += log.length;
  }
}

/** The longest start of `queued` whose events' JSON fits BATCH_BYTES (at least one event). */
const utf8 = new TextEncoder();
function withinBytes<T extends { event: OfflineEvent }>(queued: T[]): T[] {
  let bytes = 0;
  let n = 0;
  for (const q of queued) {
    bytes += utf8.encode(JSON.stringify(wireEvent(q.event))).length + 1;
    if (n > 0 && bytes > BATCH_BYTES) break;
    n += 1;
  }
  return queued.slice(0, n);
}

/** A key no other event of this device will have (the server dedupes on it per kiosk). */
export function newKey(): string {
  return `ev-${crypto.randomUUID()}`;
}
