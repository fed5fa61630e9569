import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { QueueStore } from './queue';
import type { OfflineEvent, SyncLogEntry } from './types';

/**
 * The device's offline storage (IndexedDB, one database per origin): `kv` holds the kiosk's copy
 * (config, offline data, PIN verifiers, last contact) and the roll call's last list; `queue` the
 * events waiting to be sent, in order; `log` the sync log. See the README's "Offline kiosk".
 */
interface OfflineSchema extends DBSchema {
  kv: { key: string; value: unknown };
  queue: { key: number; value: OfflineEvent };
  log: { key: number; value: SyncLogEntry };
}

const NAME = 'threshold-offline';
let opened: Promise<IDBPDatabase<OfflineSchema>> | null = null;

function db() {
  opened ??= openDB<OfflineSchema>(NAME, 1, {
    upgrade(d) {
      d.createObjectStore('kv');
      d.createObjectStore('queue', { autoIncrement: true });
      d.createObjectStore('log', { autoIncrement: true });
    },
  });
  return opened;
}

export const offlineStore = {
  async get<T>(key: string): Promise<T | undefined> {
    return (await (await db()).get('kv', key)) as T | undefined;
  },
  async set(key: string, value: unknown): Promise<void> {
    await (await db()).put('kv', value, key);
  },
  async del(key: string): Promise<void> {
    await (await db()).delete('kv', key);
  },
  async enqueue(e: OfflineEvent): Promise<void> {
    await (await db()).add('queue', e);
  },
  async queued(): Promise<Array<{ seq: number; event: OfflineEvent }>> {
    const d = await db();
    const tx = d.transaction('queue');
    const out: Array<{ seq: number; event: OfflineEvent }> = [];
    for (let c = await tx.store.openCursor(); c; c = await c.continue()) out.push({ seq: c.key, event: c.value });
    await tx.done;
    return out;
  },
  async count(): Promise<number> {
    return (await db()).count('queue');
  },
  async remove(seqs: number[]): Promise<void> {
    const tx = (await db()).transaction('queue', 'readwrite');
    await Promise.all([...seqs.map((s) => tx.store.delete(s)), tx.done]);
  },
  async addLog(entries: SyncLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = (await db()).transaction('log', 'readwrite');
    await Promise.all([...entries.map((e) => tx.store.add(e)), tx.done]);
  },
  async log(limit = 100): Promise<SyncLogEntry[]> {
    const all = await (await db()).getAll('log');
    return all.reverse().slice(0, limit);
  },
  /** Everything the kiosk keeps about people, except the queue (events not yet sent are records of people on site). */
  async wipeCopy(keys: readonly string[]): Promise<void> {
    const tx = (await db()).transaction(['kv'], 'readwrite');
    await Promise.all([...keys.map((k) => tx.objectStore('kv').delete(k)), tx.done]);
  },
  /** Everything (unpaired or revoked: the server will not take the queue either). */
  async wipeAll(): Promise<void> {
    const tx = (await db()).transaction(['kv', 'queue', 'log'], 'readwrite');
    await Promise.all([tx.objectStore('kv').clear(), tx.objectStore('queue').clear(), tx.objectStore('log').clear(), tx.done]);
  },
} satisfies QueueStore & Record<string, unknown>;
