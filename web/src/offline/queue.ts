import type { OfflineEvent, ReplayResult, SyncLogEntry } from './types';

/** Where the queue lives (IndexedDB in the kiosk, memory in the tests). Entries come back in order. */
export type QueueStore = {
  queued(): Promise<Array<{ seq: number; event: OfflineEvent }>>;
  remove(seqs: number[]): Promise<void>;
  addLog(entries: SyncLogEntry[]): Promise<void>;
};

/** A batch at most this long per request (the server takes up to 500). */
export const BATCH = 200;

export class NetworkDown extends Error {}

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
 */
export async function flushQueue(store: QueueStore, send: (events: Array<Omit<OfflineEvent, 'label'>>) => Promise<ReplayResult[]>, now: () => Date = () => new Date()) {
  let sent = 0;
  let logged = 0;
  for (;;) {
    const batch = (await store.queued()).slice(0, BATCH);
    if (batch.length === 0) return { sent, logged };
    const results = await send(batch.map((b) => wireEvent(b.event)));
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

/** A key no other event of this device will have (the server dedupes on it per kiosk). */
export function newKey(): string {
  return `ev-${crypto.randomUUID()}`;
}
