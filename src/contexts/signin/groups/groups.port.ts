import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { groups } from '../signin.tables.js';
import { groupsRepo, type GroupRow } from './groups.repo.js';
import { sitesRepo } from '../sites/sites.repo.js';

export { GROUPS_CHANGED_CHANNEL } from './groups.repo.js';

/**
 * What other contexts (SCIM, the integration) may read of sign-in's groups, exported from
 * signin/index.ts. Reads only; a group is written by sign-in alone.
 */
export type { GroupRow };

export interface GroupsPort {
  /** The tenant's group (archived ones too), or undefined (another tenant's is not found). */
  get(tx: DbOrTx, tenantId: string, groupId: string): Promise<GroupRow | undefined>;
  byIds(tx: DbOrTx, tenantId: string, ids: readonly string[]): Promise<GroupRow[]>;
  /** The sites the group is shown at (what a site-scoped caller's reach over it is decided by). */
  siteIdsOf(tx: DbOrTx, tenantId: string, groupId: string): Promise<string[]>;
  /**
   * Which of the groups a caller held to `sites` reaches (shown at one or more of them; every one
   * when `sites` is null): what the integration's reads of groups and members are refined by.
   */
  shownWithin(tx: DbOrTx, tenantId: string, ids: readonly string[], sites: readonly string[] | null): Promise<Set<string>>;
  /**
   * The tenant's groups among `ids` (archived ones too) for a write into them, in the caller's
   * transaction: each row is held (FOR SHARE) until that transaction ends, so a group's archive
   * waits for the write, and a group archived first is read archived (`archivedAt`), never live.
   * What a write into a group checks its archive with (409 group_archived).
   */
  holdForWrite(tx: DbOrTx, tenantId: string, ids: readonly string[]): Promise<GroupRow[]>;
  /**
   * A SCIM group by its id alone, for a SCIM URL before the tenant is known (the caller checks
   * the tenant against the credential); undefined for a group of another type.
   */
  scimGroup(tx: DbOrTx, groupId: string): Promise<Pick<GroupRow, 'id' | 'tenantId' | 'name' | 'archivedAt'> | undefined>;
}

export function createGroupsPort(): GroupsPort {
  return {
    get: (tx, tenantId, groupId) => groupsRepo.find(tx, tenantId, groupId),
    byIds: (tx, tenantId, ids) => groupsRepo.findMany(tx, tenantId, ids),
    holdForWrite: (tx, tenantId, ids) => groupsRepo.findMany(tx, tenantId, [...new Set(ids)], 'share'),
    siteIdsOf: async (tx, tenantId, groupId) => (await groupsRepo.siteIdsOf(tx, tenantId, [groupId])).map((r) => r.siteId),
    shownWithin: async (tx, tenantId, ids, sites) => (sites === null ? new Set(ids) : sitesRepo.groupsShownAt(tx, tenantId, ids, sites)),
    async scimGroup(tx, groupId) {
      const [g] = await tx.select({ id: groups.id, tenantId: groups.tenantId, name: groups.name, type: groups.type, archivedAt: groups.archivedAt }).from(groups).where(eq(groups.id, groupId));
      return g?.type === 'scim' ? { id: g.id, tenantId: g.tenantId, name: g.name, archivedAt: g.archivedAt } : undefined;
    },
  };
}
