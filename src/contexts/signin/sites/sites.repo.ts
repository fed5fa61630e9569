import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { inTransaction } from '../../../platform/db/tx.js';
import { sqlState } from '../../../platform/db/sqlstate.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { groups, sites, siteGroups } from '../signin.tables.js';
import type { SiteScope } from '../access.js';
import { nameKey } from '../../../platform/db/name-order.js';

export type SiteRow = typeof sites.$inferSelect;

export const sitesRepo = {
  /**
   * Whether the database knows the time zone (the visit history's days are the site's, computed in
   * SQL with `AT TIME ZONE`): asked in a savepoint, so an unknown zone's error leaves a caller's
   * transaction usable. Node's Intl and the server's tzdata are separate copies of the zone list.
   */
  async knowsTimezone(db: DbOrTx, tz: string): Promise<boolean> {
    try {
      await inTransaction(db, (t) => t.execute(sql`select now() at time zone ${tz}`));
      return true;
    } catch (err) {
      if (sqlState(err) === '22023') return false;
      throw err;
    }
  },
  async list(db: DbOrTx, tenantId: string, scope: SiteScope, includeArchived = false) {
    const conds = [eq(sites.tenantId, tenantId)];
    if (scope !== null) conds.push(inArray(sites.id, scope.length ? [...scope] : ['00000000-0000-0000-0000-000000000000']));
    if (!includeArchived) conds.push(isNull(sites.archivedAt));
    return db.select().from(sites).where(and(...conds)).orderBy(nameKey(sites.name), asc(sites.id));
  },
  async find(db: DbOrTx, tenantId: string, id: string): Promise<SiteRow | undefined> {
    const [row] = await db.select().from(sites).where(and(eq(sites.tenantId, tenantId), eq(sites.id, id)));
    return row;
  },
  /** Which of these ids are sites of the tenant (archived ones included). */
  async existingIds(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await db.select({ id: sites.id }).from(sites).where(and(eq(sites.tenantId, tenantId), inArray(sites.id, [...ids])));
    return rows.map((r) => r.id);
  },
  /** The names of those of these ids that are sites of the tenant (archived ones included). */
  async namesOf(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<Array<{ id: string; name: string }>> {
    if (ids.length === 0) return [];
    return db.select({ id: sites.id, name: sites.name }).from(sites).where(and(eq(sites.tenantId, tenantId), inArray(sites.id, [...ids]))).orderBy(nameKey(sites.name), asc(sites.id));
  },
  async insert(db: DbOrTx, values: typeof sites.$inferInsert): Promise<SiteRow> {
    const [row] = await db.insert(sites).values(values).returning();
    return row!;
  },
  async update(db: DbOrTx, tenantId: string, id: string, set: Partial<typeof sites.$inferInsert>): Promise<SiteRow | undefined> {
    const [row] = await db.update(sites).set(set).where(and(eq(sites.tenantId, tenantId), eq(sites.id, id))).returning();
    return row;
  },
  /**
   * The tenant's groups among `groupIds` (ids in lower case), archived ones included; `hold`: their
   * rows held (FOR SHARE, in id order) until the caller's transaction ends, so an archive waits.
   */
  async groupsAmong(db: DbOrTx, tenantId: string, groupIds: readonly string[], hold = false) {
    if (groupIds.length === 0) return [];
    const q = db.select({ id: groups.id, name: groups.name, archivedAt: groups.archivedAt }).from(groups).where(and(eq(groups.tenantId, tenantId), inArray(groups.id, [...groupIds]))).orderBy(asc(groups.id));
    return hold ? q.for('share') : q;
  },
  /** Which of the groups are shown at one of the sites (a site-scoped caller's: what they may put on their site). */
  async groupsShownAt(db: DbOrTx, tenantId: string, groupIds: readonly string[], siteIds: readonly string[]): Promise<Set<string>> {
    if (groupIds.length === 0 || siteIds.length === 0) return new Set();
    const rows = await db
      .selectDistinct({ groupId: siteGroups.groupId })
      .from(siteGroups)
      .where(and(eq(siteGroups.tenantId, tenantId), inArray(siteGroups.groupId, [...groupIds]), inArray(siteGroups.siteId, [...siteIds])));
    return new Set(rows.map((r) => r.groupId));
  },
  /** Shows the group at each of the sites, after the groups each already shows. */
  async appendGroup(db: DbOrTx, tenantId: string, siteIds: readonly string[], groupId: string) {
    if (siteIds.length === 0) return;
    await db.insert(siteGroups).select(
      db
        .select({ tenantId: sites.tenantId, siteId: sites.id, groupId: sql`${groupId}::uuid`.as('group_id'), position: sql<number>`coalesce((select max(${siteGroups.position}) + 1 from ${siteGroups} where ${siteGroups.siteId} = ${sites.id}), 0)`.as('position') })
        .from(sites)
        .where(and(eq(sites.tenantId, tenantId), inArray(sites.id, [...siteIds]))),
    );
  },
  /** Replaces the groups shown on the site, in the order given. */
  async replaceGroups(db: DbOrTx, tenantId: string, siteId: string, groupIds: readonly string[]) {
    await db.delete(siteGroups).where(and(eq(siteGroups.tenantId, tenantId), eq(siteGroups.siteId, siteId)));
    if (groupIds.length > 0) await db.insert(siteGroups).values(groupIds.map((groupId, position) => ({ tenantId, siteId, groupId, position })));
  },
  async groupsOf(db: DbOrTx, tenantId: string, siteIds: string[]) {
    if (siteIds.length === 0) return [];
    return db
      .select({ siteId: siteGroups.siteId, id: groups.id, name: groups.name, type: groups.type, colour: groups.colour, position: siteGroups.position, archivedAt: groups.archivedAt })
      .from(siteGroups)
      .innerJoin(groups, eq(groups.id, siteGroups.groupId))
      .where(and(eq(siteGroups.tenantId, tenantId), inArray(siteGroups.siteId, siteIds)))
      .orderBy(asc(siteGroups.position), nameKey(groups.name), asc(groups.id));
  },
};

/** A group shown on a site, as `groupsOf` reads it. */
export type SiteGroupRow = Awaited<ReturnType<typeof sitesRepo.groupsOf>>[number];
