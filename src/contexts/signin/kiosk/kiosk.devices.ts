import type { DbOrTx } from '../../../platform/db/database.js';
import { createResolvedCache } from '../../../platform/cache.js';
import { kioskRepo, type KioskDeviceRow } from './kiosk.repo.js';

/** Revoking a kiosk NOTIFYs this channel (payload: the tenant id) so every instance forgets the tenant's cached devices. */
export const KIOSK_CHANGED_CHANNEL = 'threshold_kiosk_changed';
/** How stale a kiosk's last-seen time may get before it is written again. */
export const KIOSK_SEEN_EVERY_MS = 60_000;

/**
 * Kiosk devices resolved from their tokens in the last `ttlMs` (AUTH_CACHE_SECONDS, like sessions
 * and API keys), so a warm kiosk request reads nothing for its token (platform/cache.ts). `drop`
 * forgets a tenant's devices (a revoke, here at once and on other instances through NOTIFY); a
 * lookup that started before a drop does not put its (maybe stale) row back.
 */
export function createDeviceCache(opts: { ttlMs: number; max?: number }) {
  const cache = createResolvedCache<KioskDeviceRow>({ ...opts, groupOf: (d) => d.tenantId });
  return {
    resolve: (tokenHash: string, read: (tokenHash: string) => Promise<KioskDeviceRow | undefined>) => cache.resolve(tokenHash, () => read(tokenHash)),
    drop: cache.drop,
    get size() {
      return cache.size;
    },
  };
}

/**
 * Kiosks' last-seen times, written after the responses: collected for `delayMs` after a response
 * has been sent, then one UPDATE per tenant for all of its kiosks seen. A request never waits for it.
 */
export function createSeenBuffer(db: DbOrTx, onError: (err: unknown) => void, delayMs = 1000) {
  let seen = new Map<string, { tenantId: string; at: Date }>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = seen;
    seen = new Map();
    if (batch.size === 0) return writing;
    writing = writing.then(async () => {
      const byTenant = new Map<string, { ids: string[]; at: Date }>();
      for (const [id, s] of batch) {
        const t = byTenant.get(s.tenantId) ?? { ids: [], at: s.at };
        t.ids.push(id);
        if (s.at > t.at) t.at = s.at;
        byTenant.set(s.tenantId, t);
      }
      for (const [tenantId, t] of byTenant) {
        try {
          await kioskRepo.touchDevices(db, tenantId, t.ids, t.at);
        } catch (err) {
          onError(err);
        }
      }
    });
    return writing;
  };
  return {
    seen(device: { id: string; tenantId: string }, at: Date) {
      seen.set(device.id, { tenantId: device.tenantId, at });
    },
    /** Schedules the write (call it once a response has been sent). */
    afterResponse() {
      if (seen.size === 0) return;
      timer ??= setTimeout(() => void flush(), delayMs);
      timer.unref?.();
    },
    flush,
  };
}
