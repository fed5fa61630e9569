import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { QueueStore } from './queue';
import type { OfflineEvent, SyncLogEntry } from './types';

/**
 * The device's offline storage (IndexedDB, one database per origin): `kv` holds the kiosk's copy
 * (config, offline data, PIN verifiers, last contact) and the roll call's last list; `photos` the
 * members' photos of the copy, made small; `queue` the
 * events waiting to be sent, in order; `log` the sync log. See the README's "Offline kiosk".
 */
/** A member's photo as a kiosk keeps it: made small on the device, with the copy's tag for it. */
export type StoredPhoto = { tag: string; blob: Blob };

interface OfflineSchema extends DBSchema {
  kv: { key: string; value: unknown };
  /** Members' photos by member id (groups whose offline policy keeps photos), part of the copy. */
  photos: { key: string; value: StoredPhoto };
  queue: { key: number; value: OfflineEvent };
  log: { key: number; value: SyncLogEntry };
}

const NAME = 'threshold-offline';
let opened: Promise<IDBPDatabase<OfflineSchema>> | null = null;

function db() {
  opened ??= openDB<OfflineSchema>(NAME, 2, {
    upgrade(d, oldVersion) {
      if (oldVersion < 1) {
        d.createObjectStore('kv');
        d.createObjectStore('queue', { autoIncrement: true });
        d.createObjectStore('log', { autoIncrement: true });
      }
      if (oldVersion < 2) d.createObjectStore('photos');
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
  async photo(memberId: string): Promise<StoredPhoto | undefined> {
    return (await db()).get('photos', memberId);
  },
  /** The tag and size of every photo kept (not the images). */
  async photoTags(): Promise<Map<string, { tag: string; size: number }>> {
    const d = await db();
    const tx = d.transaction('photos');
    const out = new Map<string, { tag: string; size: number }>();
    for (let c = await tx.store.openCursor(); c; c = await c.continue()) out.set(c.key, { tag: c.value.tag, size: c.value.blob.size });
    await tx.done;
    return out;
  },
  async putPhoto(memberId: string, p: StoredPhoto): Promise<void> {
    await (await db()).put('photos', p, memberId);
  },
  async deletePhotos(memberIds: readonly string[]): Promise<void> {
    if (memberIds.length === 0) return;
    const tx = (await db()).transaction('photos', 'readwrite');
    await Promise.all([...memberIds.map((id) => tx.store.delete(id)), tx.done]);
  },
  /** Everything the kiosk keeps about people (photos too), except the queue (events not yet sent are records of people on site). */
  async wipeCopy(keys: readonly string[]): Promise<void> {
    const tx = (await db()).transaction(['kv', 'photos'], 'readwrite');
    await Promise.all([...keys.map((k) => tx.objectStore('kv').delete(k)), tx.objectStore('photos').clear(), tx.done]);
  },
  /** Everything (unpaired or revoked: the server will not take the queue either). */
  async wipeAll(): Promise<void> {
    const tx = (await db()).transaction(['kv', 'photos', 'queue', 'log'], 'readwrite');
    await Promise.all([tx.objectStore('kv').clear(), tx.objectStore('photos').clear(), tx.objectStore('queue').clear(), tx.objectStore('log').clear(), tx.done]);
  },
} satisfies QueueStore & Record<string, unknown>;
