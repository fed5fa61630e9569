import type { DbOrTx } from '../../../platform/db/database.js';
import { kioskRepo, type KioskDeviceRow } from './kiosk.repo.js';

/** Revoking a kiosk NOTIFYs this channel (payload: the tenant id) so every instance forgets the tenant's cached devices. */
export const KIOSK_CHANGED_CHANNEL = 'threshold_kiosk_changed';
/** How stale a kiosk's last-seen time may get before it is written again. */
export const KIOSK_SEEN_EVERY_MS = 60_000;

/**
 * Kiosk devices resolved from their tokens in the last `ttlMs` (AUTH_CACHE_SECONDS, like sessions
 * and API keys, see accounts/auth-cache.ts), so a warm kiosk request reads nothing for its token.
 * Only devices that resolved are kept (at most `max`, oldest out). `drop` forgets a tenant's
 * devices (a revoke, here at once and on other instances through NOTIFY); a lookup that started
 * before a drop does not put its (maybe stale) row back.
 */
export function createDeviceCache(opts: { ttlMs: number; max?: number }) {
  const max = opts.max ?? 10_000;
  const entries = new Map<string, { device: KioskDeviceRow; until: number }>();
  // Drops so far, per tenant and in all: a lookup caches its row only when none happened meanwhile.
  const drops = new Map<string, number>();
  let allDrops = 0;

  return {
    async resolve(tokenHash: string, read: (tokenHash: string) => Promise<KioskDeviceRow | undefined>): Promise<KioskDeviceRow | undefined> {
      const hit = entries.get(tokenHash);
      if (hit && hit.until > Date.now()) return hit.device;
      if (hit) entries.delete(tokenHash);
      const startedAll = allDrops;
      const startedTenants = new Map(drops);
      const device = await read(tokenHash);
      if (!device || opts.ttlMs <= 0) return device;
      if (allDrops !== startedAll || (drops.get(device.tenantId) ?? 0) !== (startedTenants.get(device.tenantId) ?? 0)) return device;
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
      entries.set(tokenHash, { device, until: Date.now() + opts.ttlMs });
      return device;
    },
    /** Forgets one tenant's devices, or every device (`undefined`). */
    drop(tenantId: string | undefined) {
      if (tenantId === undefined) {
        allDrops++;
        entries.clear();
        return;
      }
      drops.set(tenantId, (drops.get(tenantId) ?? 0) + 1);
      for (const [k, e] of entries) if (e.device.tenantId === tenantId) entries.delete(k);
    },
    get size() {
      return entries.size;
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
