import { sql } from 'drizzle-orm';
import { createResolvedCache } from '../../../platform/cache.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { integrationRepo } from '../integration.repo.js';

/** NOTIFY channel of a change to a tenant's group links (payload: the tenant id): every instance drops what it knew of them. */
export const LINKS_CHANGED_CHANNEL = 'threshold_integration_links';

/** A tenant's groups the integration hears member changes of (see `integrationRepo.groupsInUse`). */
export type GroupsInUse = { tenantId: string; linked: ReadonlySet<string>; withPeople: ReadonlySet<string> };

/**
 * Which groups of a tenant are linked to the record, or have linked people, kept in process memory
 * for `ttlMs` (AUTH_CACHE_SECONDS, as the other caches; platform/cache.ts), so a member change in
 * a group the integration does not use (every SCIM write of a tenant without the Central Record)
 * costs the member listeners no statement (decision 029). A link made or removed drops the
 * tenant's entry on this instance at once and, through `LINKS_CHANGED_CHANNEL` (sent in the same
 * transaction), on every other; person links are only made in linked groups, so a new one needs
 * no drop. Read in the caller's transaction.
 */
export function createGroupsInUse(ttlMs: number) {
  const cache = createResolvedCache<GroupsInUse>({ ttlMs, groupOf: (v) => v.tenantId });
  return {
    async of(tx: DbOrTx, tenantId: string): Promise<GroupsInUse> {
      const found = await cache.resolve(tenantId, async () => {
        const { linked, withPeople } = await integrationRepo.groupsInUse(tx, tenantId);
        return { tenantId, linked: new Set(linked), withPeople: new Set(withPeople) };
      });
      return found!;
    },
    /** Drops what this instance knows of a tenant (a `LINKS_CHANGED_CHANNEL` notification), or of all. */
    forget(tenantId: string | undefined): void {
      cache.drop(tenantId);
    },
    /** A tenant's links change in `tx`: dropped here now, and on every instance when `tx` commits. */
    async changed(tx: DbOrTx, tenantId: string): Promise<void> {
      cache.drop(tenantId);
      await tx.execute(sql`SELECT pg_notify(${LINKS_CHANGED_CHANNEL}, ${tenantId})`);
    },
  };
}

export type GroupsInUseCache = ReturnType<typeof createGroupsInUse>;
