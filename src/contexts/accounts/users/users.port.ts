import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { users } from '../accounts.tables.js';
import { usersReachingSites } from '../notifications/notify.js';

/** What other contexts may read of accounts' users (sign-in's group contacts), exported from accounts/index.ts. */
export interface UsersPort {
  /** Those of `ids` that are users of the tenant (another tenant's user is simply not there). */
  existingIds(tx: DbOrTx, tenantId: string, ids: readonly string[]): Promise<string[]>;
  /** Those of `ids` whose reach takes in one of `siteIds` (the owner, the unscoped, or a scope on one of them). */
  reachingSites(tx: DbOrTx, tenantId: string, ids: readonly string[], siteIds: readonly string[]): Promise<string[]>;
}

export function createUsersPort(): UsersPort {
  return {
    async existingIds(tx, tenantId, ids) {
      if (ids.length === 0) return [];
      const found = await tx.select({ id: users.id }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, [...ids])));
      return found.map((u) => u.id);
    },
    reachingSites: usersReachingSites,
  };
}
