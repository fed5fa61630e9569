import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { users } from '../accounts.tables.js';
import { reachesOneOf, usersReachingSites } from '../notifications/notify.js';
import { usersRepo } from './users.repo.js';

/** A user as a picker of people to tell offers them: who they are, and whether they would be told. */
export type SiteContactCandidate = {
  id: string;
  name: string;
  email: string;
  /** Their reach takes in one of the sites (else a contact they would never be told, refused as one). */
  reaches: boolean;
  disabled: boolean;
};

/** What other contexts may read of accounts' users (sign-in's group contacts), exported from accounts/index.ts. */
export interface UsersPort {
  /** Those of `ids` that are users of the tenant (another tenant's user is simply not there). */
  existingIds(tx: DbOrTx, tenantId: string, ids: readonly string[]): Promise<string[]>;
  /** Those of `ids` whose account is disabled (they sign in to nothing and are told nothing). */
  disabledIds(tx: DbOrTx, tenantId: string, ids: readonly string[]): Promise<string[]>;
  /** Those of `ids` whose reach takes in one of `siteIds` (the owner, the unscoped, or a scope on one of them). */
  reachingSites(tx: DbOrTx, tenantId: string, ids: readonly string[], siteIds: readonly string[]): Promise<string[]>;
  /**
   * The users who may be told of what happens at `siteIds`: every active user whose reach takes in
   * one of them, and each of `alsoIds` (a group's contacts as they are) whether or not they still
   * do, marked; in the order of the users list (by email).
   */
  contactCandidates(tx: DbOrTx, tenantId: string, siteIds: readonly string[], alsoIds: readonly string[]): Promise<SiteContactCandidate[]>;
}

export function createUsersPort(): UsersPort {
  return {
    async existingIds(tx, tenantId, ids) {
      if (ids.length === 0) return [];
      const found = await tx.select({ id: users.id }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, [...ids])));
      return found.map((u) => u.id);
    },
    async disabledIds(tx, tenantId, ids) {
      if (ids.length === 0) return [];
      const found = await tx.select({ id: users.id }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, [...ids]), isNotNull(users.disabledAt)));
      return found.map((u) => u.id);
    },
    reachingSites: usersReachingSites,
    async contactCandidates(tx, tenantId, siteIds, alsoIds) {
      const sites = new Set(siteIds);
      const also = new Set(alsoIds);
      return (await usersRepo.list(tx, tenantId))
        .map((u) => ({ id: u.id, name: u.name, email: u.email, reaches: reachesOneOf(u, sites), disabled: u.disabledAt !== null }))
        .filter((u) => also.has(u.id) || (u.reaches && !u.disabled));
    },
  };
}
