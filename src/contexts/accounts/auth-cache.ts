import { createResolvedCache } from '../../platform/cache.js';

/**
 * Sessions and API keys resolved in the last few seconds, kept in process memory so an
 * authenticated read costs no database round trip for them (platform/cache.ts: only what resolved,
 * at most `max`, oldest out, a lookup overtaken by a drop not kept).
 *
 * Invalidation: a change through the accounts routes drops the tenant's entries on this instance
 * before its response is sent, and NOTIFYs `AUTH_CHANGED_CHANNEL` so every other instance drops
 * them when the notification arrives (see accounts/index.ts). A change made outside the API (the
 * CLI, SQL by hand) is seen once the entry expires (`ttlMs`).
 */
export const AUTH_CHANGED_CHANNEL = 'threshold_auth_changed';

export function createAuthCache<T extends { tenantId: string }>(opts: { ttlMs: number; max?: number }) {
  return createResolvedCache<T>({ ...opts, groupOf: (v) => v.tenantId });
}
