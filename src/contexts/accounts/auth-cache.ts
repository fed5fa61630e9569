/**
 * Sessions and API keys resolved in the last few seconds, kept in process memory so an
 * authenticated read costs no database round trip for them. Only credentials that resolved are
 * kept (a flood of unknown tokens costs memory nothing), at most `max`, oldest out.
 *
 * Invalidation: a change through the accounts routes drops the tenant's entries on this instance
 * before its response is sent, and NOTIFYs `AUTH_CHANGED_CHANNEL` so every other instance drops
 * them when the notification arrives (see accounts/index.ts). A change made outside the API (the
 * CLI, SQL by hand) is seen once the entry expires (`ttlMs`).
 */
export const AUTH_CHANGED_CHANNEL = 'threshold_auth_changed';

export function createAuthCache<T extends { tenantId: string }>(opts: { ttlMs: number; max?: number }) {
  const max = opts.max ?? 10_000;
  const entries = new Map<string, { value: T; until: number }>();
  return {
    get(key: string): T | undefined {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.until <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return e.value;
    },
    set(key: string, value: T) {
      if (opts.ttlMs <= 0) return;
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, until: Date.now() + opts.ttlMs });
    },
    /** Drops the entries of one tenant, or every entry (`undefined`). */
    drop(tenantId: string | undefined) {
      if (tenantId === undefined) return entries.clear();
      for (const [k, e] of entries) if (e.value.tenantId === tenantId) entries.delete(k);
    },
    get size() {
      return entries.size;
    },
  };
}
