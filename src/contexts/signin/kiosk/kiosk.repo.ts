import { and, asc, eq, exists, gt, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../platform/db/database.js';
import { preparedStatement } from '../../../platform/db/prepared.js';
import { groupSecrets, groups, kioskDevices, kioskPairings, siteGroups, sites, visits } from '../signin.tables.js';
import { nameKey } from '../../../platform/db/name-order.js';

export type KioskDeviceRow = typeof kioskDevices.$inferSelect;

/**
 * A group as a kiosk request needs it, in one statement: the group, whether it is shown on the
 * kiosk's site and whether it has a PIN (undefined: no such group in the tenant). Built once per
 * `db` and prepared (decision 035), as every search and identify reads it first.
 */
export function createGroupForKiosk(db: Db) {
  const p = { tenantId: sql.placeholder('tenantId'), siteId: sql.placeholder('siteId'), groupId: sql.placeholder('groupId') };
  const statement = preparedStatement(db, 'kiosk_group_for_kiosk', (d) =>
    d
      .select({
        group: groups,
        shown: exists(d.select({ one: siteGroups.groupId }).from(siteGroups).where(and(eq(siteGroups.tenantId, p.tenantId), eq(siteGroups.groupId, groups.id), eq(siteGroups.siteId, p.siteId)))).mapWith(Boolean),
        hasPin: exists(d.select({ one: groupSecrets.groupId }).from(groupSecrets).where(and(eq(groupSecrets.tenantId, p.tenantId), eq(groupSecrets.groupId, groups.id), isNotNull(groupSecrets.pinHash)))).mapWith(Boolean),
      })
      .from(groups)
      .where(and(eq(groups.tenantId, p.tenantId), eq(groups.id, p.groupId))),
  );
  return async (dbx: DbOrTx, tenantId: string, siteId: string, groupId: string) => (await statement.execute(dbx, { tenantId, siteId, groupId }))[0];
}

export const kioskRepo = {
  async insertPairing(db: DbOrTx, values: typeof kioskPairings.$inferInsert) {
    await db.insert(kioskPairings).values(values);
  },
  /** Uses a pairing code once, while it has not expired (any tenant: the code is the credential); undefined otherwise. */
  async usePairing(db: DbOrTx, codeHash: string, at: Date) {
    const [row] = await db
      .update(kioskPairings)
      .set({ usedAt: at })
      .where(and(eq(kioskPairings.codeHash, codeHash), isNull(kioskPairings.usedAt), gt(kioskPairings.expiresAt, at)))
      .returning();
    return row;
  },
  async insertDevice(db: DbOrTx, values: typeof kioskDevices.$inferInsert): Promise<KioskDeviceRow> {
    const [row] = await db.insert(kioskDevices).values(values).returning();
    return row!;
  },
  async site(db: DbOrTx, tenantId: string, siteId: string) {
    const [row] = await db.select().from(sites).where(and(eq(sites.tenantId, tenantId), eq(sites.id, siteId)));
    return row;
  },
  /** The device a token names, unless revoked (any tenant: the token is the credential). */
  async deviceByToken(db: DbOrTx, tokenHash: string): Promise<KioskDeviceRow | undefined> {
    const [row] = await db.select().from(kioskDevices).where(and(eq(kioskDevices.tokenHash, tokenHash), isNull(kioskDevices.revokedAt)));
    return row;
  },
  /** Last seen at `at` (never moved back), for kiosks of one tenant. */
  async touchDevices(db: DbOrTx, tenantId: string, ids: string[], at: Date) {
    if (ids.length === 0) return;
    await db
      .update(kioskDevices)
      .set({ lastSeenAt: at })
      .where(and(eq(kioskDevices.tenantId, tenantId), inArray(kioskDevices.id, ids), or(isNull(kioskDevices.lastSeenAt), lt(kioskDevices.lastSeenAt, at))));
  },
  async devicesOf(db: DbOrTx, tenantId: string, siteId: string): Promise<KioskDeviceRow[]> {
    return db.select().from(kioskDevices).where(and(eq(kioskDevices.tenantId, tenantId), eq(kioskDevices.siteId, siteId))).orderBy(asc(kioskDevices.createdAt));
  },
  async device(db: DbOrTx, tenantId: string, id: string): Promise<KioskDeviceRow | undefined> {
    const [row] = await db.select().from(kioskDevices).where(and(eq(kioskDevices.tenantId, tenantId), eq(kioskDevices.id, id)));
    return row;
  },
  async revokeDevice(db: DbOrTx, tenantId: string, id: string, at: Date): Promise<KioskDeviceRow> {
    const [row] = await db.update(kioskDevices).set({ revokedAt: at }).where(and(eq(kioskDevices.tenantId, tenantId), eq(kioskDevices.id, id))).returning();
    return row!;
  },
  /** The site's groups that are not archived, in the site's order. */
  async groupsOnSite(db: DbOrTx, tenantId: string, siteId: string) {
    return db
      .select({ group: groups, position: siteGroups.position })
      .from(siteGroups)
      .innerJoin(groups, eq(groups.id, siteGroups.groupId))
      .where(and(eq(siteGroups.tenantId, tenantId), eq(siteGroups.siteId, siteId), isNull(groups.archivedAt)))
      .orderBy(asc(siteGroups.position), nameKey(groups.name), asc(groups.id));
  },
  /** Visitors of the group signed in at the site now: name and time only, at most 200. */
  async visitorsOnSite(db: DbOrTx, tenantId: string, siteId: string, groupId: string) {
    return db
      .select({ id: visits.id, name: visits.personName, signedInAt: visits.signedInAt })
      .from(visits)
      .where(and(eq(visits.tenantId, tenantId), eq(visits.siteId, siteId), eq(visits.groupId, groupId), isNull(visits.signedOutAt), eq(visits.outcome, 'signed_in')))
      .orderBy(nameKey(visits.personName), asc(visits.id))
      .limit(200);
  },
};
