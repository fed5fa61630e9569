import type { DbOrTx } from '../../../platform/db/database.js';
import { reachesOneOf, siteReachOf } from '../notifications/notify.js';
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
  /**
   * Each of `ids` that is a user of the tenant (another tenant's user is simply not there), with
   * whether their account is disabled and whether their reach takes in one of `siteIds`: what a
   * group contact must be (one read for the three questions).
   */
  contactStatus(tx: DbOrTx, tenantId: string, ids: readonly string[], siteIds: readonly string[]): Promise<Array<{ id: string; disabled: boolean; reaches: boolean }>>;
  /**
   * The users who may be told of what happens at `siteIds`: every active user whose reach takes in
   * one of them, and each of `alsoIds` (a group's contacts as they are) whether or not they still
   * do, marked; in the order of the users list (by email).
   */
  contactCandidates(tx: DbOrTx, tenantId: string, siteIds: readonly string[], alsoIds: readonly string[]): Promise<SiteContactCandidate[]>;
}

export function createUsersPort(): UsersPort {
  return {
    contactStatus: siteReachOf,
    async contactCandidates(tx, tenantId, siteIds, alsoIds) {
      const sites = new Set(siteIds);
      const also = new Set(alsoIds);
      return (await usersRepo.list(tx, tenantId))
        .map((u) => ({ id: u.id, name: u.name, email: u.email, reaches: reachesOneOf(u, sites), disabled: u.disabledAt !== null }))
        .filter((u) => also.has(u.id) || (u.reaches && !u.disabled));
    },
  };
}
