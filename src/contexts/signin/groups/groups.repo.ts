import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { groupContacts, groupSecrets, groups, siteGroups } from '../signin.tables.js';
import type { SiteScope } from '../access.js';
import { nameKey } from '../../../platform/db/name-order.js';

export type GroupRow = typeof groups.$inferSelect;
/** How a read holds a group's row until its transaction ends (`groupsRepo.find`). */
export type GroupLock = 'share' | 'update';

/**
 * NOTIFY channel of a group archived (payload: the group id), sent in the archive's transaction:
 * what other contexts keep in memory of a live group (SCIM's cached credentials) is dropped on
 * every instance when it arrives, not when the entry expires.
 */
export const GROUPS_CHANGED_CHANNEL = 'threshold_groups_changed';

export const groupsRepo = {
  /**
   * The tenant's group. `lock` (in a transaction) holds its row until the transaction ends: `share`
   * for a write into the group (its members, links, sites), so an archive waits for the write and a
   * write after an archive reads the group archived; `update` for a change of the group itself.
   */
  async find(db: DbOrTx, tenantId: string, id: string, lock?: GroupLock): Promise<GroupRow | undefined> {
    const q = db.select().from(groups).where(and(eq(groups.tenantId, tenantId), eq(groups.id, id)));
    const [row] = await (lock ? q.for(lock) : q);
    return row;
  },
  /** The tenant's groups among `ids` (archived ones too), each row held as `find`'s `lock` says, taken in id order. */
  async findMany(db: DbOrTx, tenantId: string, ids: readonly string[], lock?: GroupLock): Promise<GroupRow[]> {
    if (ids.length === 0) return [];
    const q = db.select().from(groups).where(and(eq(groups.tenantId, tenantId), inArray(groups.id, [...ids]))).orderBy(asc(groups.id));
    return lock ? q.for(lock) : q;
  },
  async list(db: DbOrTx, tenantId: string, includeArchived: boolean) {
    const conds = [eq(groups.tenantId, tenantId)];
    if (!includeArchived) conds.push(isNull(groups.archivedAt));
    return db.select().from(groups).where(and(...conds)).orderBy(nameKey(groups.name), asc(groups.id));
  },
  async insert(db: DbOrTx, values: typeof groups.$inferInsert): Promise<GroupRow> {
    const [row] = await db.insert(groups).values(values).returning();
    return row!;
  },
  async update(db: DbOrTx, tenantId: string, id: string, set: Partial<typeof groups.$inferInsert>): Promise<GroupRow | undefined> {
    const [row] = await db.update(groups).set(set).where(and(eq(groups.tenantId, tenantId), eq(groups.id, id))).returning();
    return row;
  },
  /** Announces on GROUPS_CHANGED_CHANNEL, in the caller's transaction (delivered at its commit), that the group was archived. */
  async announceArchived(db: DbOrTx, id: string): Promise<void> {
    await db.execute(sql`SELECT pg_notify(${GROUPS_CHANGED_CHANNEL}::text, ${id}::text)`);
  },
  /** Replaces the group's contacts (users of the tenant, checked by the caller). */
  async replaceContacts(db: DbOrTx, tenantId: string, groupId: string, userIds: readonly string[]) {
    await db.delete(groupContacts).where(and(eq(groupContacts.tenantId, tenantId), eq(groupContacts.groupId, groupId)));
    if (userIds.length > 0) await db.insert(groupContacts).values(userIds.map((userId) => ({ tenantId, groupId, userId })));
  },
  /** Sets (or, with null, clears) the group's kiosk PIN hash. */
  async setPinHash(db: DbOrTx, tenantId: string, groupId: string, pinHash: string | null) {
    await db.insert(groupSecrets).values({ tenantId, groupId, pinHash }).onConflictDoUpdate({ target: groupSecrets.groupId, set: { pinHash } });
  },
  async siteIdsOf(db: DbOrTx, tenantId: string, groupIds: string[]) {
    if (groupIds.length === 0) return [];
    return db.select({ groupId: siteGroups.groupId, siteId: siteGroups.siteId }).from(siteGroups).where(and(eq(siteGroups.tenantId, tenantId), inArray(siteGroups.groupId, groupIds)));
  },
  async contactsOf(db: DbOrTx, tenantId: string, groupIds: string[]) {
    if (groupIds.length === 0) return [];
    return db.select({ groupId: groupContacts.groupId, userId: groupContacts.userId }).from(groupContacts).where(and(eq(groupContacts.tenantId, tenantId), inArray(groupContacts.groupId, groupIds)));
  },
  async pinHash(db: DbOrTx, tenantId: string, groupId: string): Promise<string | null> {
    const [row] = await db.select({ pinHash: groupSecrets.pinHash }).from(groupSecrets).where(and(eq(groupSecrets.tenantId, tenantId), eq(groupSecrets.groupId, groupId)));
    return row?.pinHash ?? null;
  },
  async pinnedGroupIds(db: DbOrTx, tenantId: string, groupIds: string[]) {
    if (groupIds.length === 0) return new Set<string>();
    const rows = await db.select({ groupId: groupSecrets.groupId, pinHash: groupSecrets.pinHash }).from(groupSecrets).where(and(eq(groupSecrets.tenantId, tenantId), inArray(groupSecrets.groupId, groupIds)));
    return new Set(rows.filter((r) => r.pinHash).map((r) => r.groupId));
  },
  /** Whether the group appears on one of the scope's sites. */
  async visibleIn(db: DbOrTx, tenantId: string, groupId: string, scope: SiteScope): Promise<boolean> {
    if (scope === null) return true;
    if (scope.length === 0) return false;
    const rows = await db
      .select({ siteId: siteGroups.siteId })
      .from(siteGroups)
      .where(and(eq(siteGroups.tenantId, tenantId), eq(siteGroups.groupId, groupId), inArray(siteGroups.siteId, [...scope])))
      .limit(1);
    return rows.length > 0;
  },
};
