import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { groups, kioskDevices, sites, visits } from '../signin.tables.js';
import { rollCallEntries, rollCallEvents, rollCalls } from '../live.tables.js';
import { nameKey } from '../../../platform/db/name-order.js';

export type RollCallRow = typeof rollCalls.$inferSelect;
/** A roll call with its site's time zone (the site's as it is now: a roll call keeps its site's name, not its zone), for presenting. */
export type RollCallWithZone = RollCallRow & { timezone: string };
export type EntryRow = typeof rollCallEntries.$inferSelect;
export type EventRow = typeof rollCallEvents.$inferSelect;

const openVisit = and(isNull(visits.signedOutAt), eq(visits.outcome, 'signed_in'));

/** The visits at a site that meet `when` (a time condition), with their group, by group name then person. */
function visitsAtSite(tx: DbOrTx, tenantId: string, siteId: string, when: SQL | undefined) {
  return tx
    .select({
      visitId: visits.id,
      memberId: visits.memberId,
      personName: visits.personName,
      signedInAt: visits.signedInAt,
      signedOutAt: visits.signedOutAt,
      groupId: groups.id,
      groupName: groups.name,
      groupColour: groups.colour,
      groupOptions: groups.options,
    })
    .from(visits)
    .innerJoin(groups, eq(groups.id, visits.groupId))
    .where(and(eq(visits.tenantId, tenantId), eq(visits.siteId, siteId), when))
    .orderBy(nameKey(groups.name), asc(groups.id), nameKey(visits.personName), asc(visits.id));
}
/** A visit at a site as `onSite` and `presentSince` read it. */
export type VisitAtSite = Awaited<ReturnType<typeof visitsAtSite>>[number];

/** Narrows a query to the caller's sites (`null`: the whole tenant). */
function siteIn(column: typeof sites.id | typeof visits.siteId | typeof kioskDevices.siteId | typeof rollCalls.siteId, siteIds: readonly string[] | null) {
  return siteIds === null ? undefined : siteIds.length === 0 ? sql`false` : inArray(column, [...siteIds]);
}

/** A roll call's columns and its site's time zone. */
const withZone = { ...getTableColumns(rollCalls), timezone: sites.timezone };

export const liveRepo = {
  /** The tenant's sites in scope that are not archived, by name. */
  activeSites(tx: DbOrTx, tenantId: string, siteIds: readonly string[] | null) {
    return tx
      .select({ id: sites.id, name: sites.name, timezone: sites.timezone })
      .from(sites)
      .where(and(eq(sites.tenantId, tenantId), isNull(sites.archivedAt), siteIn(sites.id, siteIds)))
      .orderBy(nameKey(sites.name), asc(sites.id));
  },

  /** How many are signed in now, per site. */
  onSiteCounts(tx: DbOrTx, tenantId: string, siteIds: readonly string[] | null) {
    return tx
      .select({ siteId: visits.siteId, n: sql<number>`count(*)::int` })
      .from(visits)
      .where(and(eq(visits.tenantId, tenantId), openVisit, siteIn(visits.siteId, siteIds)))
      .groupBy(visits.siteId);
  },

  /** Sign-ins and rejections per site on the site's own calendar day of `at`. */
  todayCounts(tx: DbOrTx, tenantId: string, siteIds: readonly string[] | null, at: Date) {
    const since = new Date(at.getTime() - 36 * 3600_000); // bounds the index scan; the day test is exact
    return tx
      .select({ siteId: visits.siteId, outcome: visits.outcome, n: sql<number>`count(*)::int` })
      .from(visits)
      .innerJoin(sites, eq(sites.id, visits.siteId))
      .where(
        and(
          eq(visits.tenantId, tenantId),
          gt(visits.signedInAt, since),
          siteIn(visits.siteId, siteIds),
          sql`(${visits.signedInAt} AT TIME ZONE ${sites.timezone})::date = (${at.toISOString()}::timestamptz AT TIME ZONE ${sites.timezone})::date`,
        ),
      )
      .groupBy(visits.siteId, visits.outcome);
  },

  /** Paired kiosks per site (not revoked), and how many were seen since `seenSince`. */
  kioskCounts(tx: DbOrTx, tenantId: string, siteIds: readonly string[] | null, seenSince: Date) {
    return tx
      .select({
        siteId: kioskDevices.siteId,
        total: sql<number>`count(*)::int`,
        online: sql<number>`(count(*) filter (where ${kioskDevices.lastSeenAt} > ${seenSince.toISOString()}::timestamptz))::int`,
      })
      .from(kioskDevices)
      .where(and(eq(kioskDevices.tenantId, tenantId), isNull(kioskDevices.revokedAt), siteIn(kioskDevices.siteId, siteIds)))
      .groupBy(kioskDevices.siteId);
  },

  /** Fire roll calls still open. */
  openRollCalls(tx: DbOrTx, tenantId: string, siteIds: readonly string[] | null) {
    return tx
      .select({ id: rollCalls.id, siteId: rollCalls.siteId, siteName: rollCalls.siteName, timezone: sites.timezone, startedAt: rollCalls.startedAt })
      .from(rollCalls)
      .innerJoin(sites, eq(sites.id, rollCalls.siteId))
      .where(and(eq(rollCalls.tenantId, tenantId), eq(rollCalls.status, 'open'), siteIn(rollCalls.siteId, siteIds)))
      .orderBy(desc(rollCalls.startedAt));
  },

  async site(tx: DbOrTx, tenantId: string, siteId: string) {
    const [row] = await tx.select().from(sites).where(and(eq(sites.tenantId, tenantId), eq(sites.id, siteId)));
    return row;
  },

  /** Open visits at a site, with their group. */
  onSite(tx: DbOrTx, tenantId: string, siteId: string) {
    return visitsAtSite(tx, tenantId, siteId, openVisit);
  },

  /** Visits at a site that were open at `since` or began after it (who a roll call started then lists), with their group. */
  presentSince(tx: DbOrTx, tenantId: string, siteId: string, since: Date) {
    return visitsAtSite(tx, tenantId, siteId, and(eq(visits.outcome, 'signed_in'), or(isNull(visits.signedOutAt), gt(visits.signedOutAt, since))));
  },

  /** A roll call at a site started at exactly `startedAt` by `userId` (an offline start sent again). */
  async startedAt(tx: DbOrTx, tenantId: string, siteId: string, startedAt: Date, userId: string | null): Promise<RollCallRow | undefined> {
    const [row] = await tx
      .select()
      .from(rollCalls)
      .where(and(eq(rollCalls.tenantId, tenantId), eq(rollCalls.siteId, siteId), eq(rollCalls.startedAt, startedAt), userId ? eq(rollCalls.startedById, userId) : isNull(rollCalls.startedById)));
    return row;
  },

  visit(tx: DbOrTx, tenantId: string, visitId: string) {
    return tx.select().from(visits).where(and(eq(visits.tenantId, tenantId), eq(visits.id, visitId)));
  },

  async group(tx: DbOrTx, tenantId: string, groupId: string) {
    const [row] = await tx.select().from(groups).where(and(eq(groups.tenantId, tenantId), eq(groups.id, groupId)));
    return row;
  },

  async find(tx: DbOrTx, tenantId: string, id: string): Promise<RollCallWithZone | undefined> {
    const [row] = await tx
      .select(withZone)
      .from(rollCalls)
      .innerJoin(sites, eq(sites.id, rollCalls.siteId))
      .where(and(eq(rollCalls.tenantId, tenantId), eq(rollCalls.id, id)));
    return row;
  },

  /** As SQL, for a statement of the visits' (VisitEventQuiet): no roll call is open at the site. */
  noneOpenAt(tenantId: string | Placeholder, siteId: string | Placeholder): SQL {
    return sql`NOT EXISTS (SELECT 1 FROM ${rollCalls} WHERE ${rollCalls.tenantId} = ${tenantId} AND ${rollCalls.siteId} = ${siteId} AND ${rollCalls.status} = 'open')`;
  },
  async openAt(tx: DbOrTx, tenantId: string, siteId: string): Promise<RollCallRow | undefined> {
    const [row] = await tx
      .select()
      .from(rollCalls)
      .where(and(eq(rollCalls.tenantId, tenantId), eq(rollCalls.siteId, siteId), eq(rollCalls.status, 'open')));
    return row;
  },

  list(tx: DbOrTx, tenantId: string, siteIds: readonly string[] | null, limit: number) {
    const where = siteIds === null ? eq(rollCalls.tenantId, tenantId) : and(eq(rollCalls.tenantId, tenantId), inArray(rollCalls.siteId, [...siteIds]));
    return tx.select(withZone).from(rollCalls).innerJoin(sites, eq(sites.id, rollCalls.siteId)).where(where).orderBy(desc(rollCalls.startedAt), desc(rollCalls.id)).limit(limit);
  },

  async counts(tx: DbOrTx, tenantId: string, ids: string[]) {
    if (ids.length === 0) return new Map<string, { total: number; safe: number }>();
    const rows = await tx
      .select({
        rollCallId: rollCallEntries.rollCallId,
        total: sql<number>`count(*)::int`,
        safe: sql<number>`count(*) FILTER (WHERE ${rollCallEntries.status} = 'safe')::int`,
      })
      .from(rollCallEntries)
      .where(and(eq(rollCallEntries.tenantId, tenantId), inArray(rollCallEntries.rollCallId, ids)))
      .groupBy(rollCallEntries.rollCallId);
    return new Map(rows.map((r) => [r.rollCallId, { total: r.total, safe: r.safe }]));
  },

  entries(tx: DbOrTx, tenantId: string, rollCallId: string) {
    return tx
      .select()
      .from(rollCallEntries)
      .where(and(eq(rollCallEntries.tenantId, tenantId), eq(rollCallEntries.rollCallId, rollCallId)))
      .orderBy(nameKey(rollCallEntries.groupName), nameKey(rollCallEntries.personName), asc(rollCallEntries.id));
  },

  async entry(tx: DbOrTx, tenantId: string, rollCallId: string, entryId: string): Promise<EntryRow | undefined> {
    const [row] = await tx
      .select()
      .from(rollCallEntries)
      .where(and(eq(rollCallEntries.tenantId, tenantId), eq(rollCallEntries.rollCallId, rollCallId), eq(rollCallEntries.id, entryId)));
    return row;
  },

  eventsAfter(tx: DbOrTx, tenantId: string, rollCallId: string, afterSeq: number, limit = 1000) {
    return tx
      .select()
      .from(rollCallEvents)
      .where(and(eq(rollCallEvents.tenantId, tenantId), eq(rollCallEvents.rollCallId, rollCallId), gt(rollCallEvents.seq, afterSeq)))
      .orderBy(asc(rollCallEvents.seq))
      .limit(limit);
  },

  /** Takes the next number of the roll call (the row lock orders concurrent changes). */
  async nextSeq(tx: DbOrTx, tenantId: string, rollCallId: string): Promise<number> {
    const [row] = await tx
      .update(rollCalls)
      .set({ seq: sql`${rollCalls.seq} + 1` })
      .where(and(eq(rollCalls.tenantId, tenantId), eq(rollCalls.id, rollCallId)))
      .returning({ seq: rollCalls.seq });
    return row!.seq;
  },
  async insertEvent(tx: DbOrTx, values: typeof rollCallEvents.$inferInsert) {
    await tx.insert(rollCallEvents).values(values);
  },
  async insertRollCall(tx: DbOrTx, values: typeof rollCalls.$inferInsert): Promise<RollCallRow> {
    const [row] = await tx.insert(rollCalls).values(values).returning();
    return row!;
  },
  async closeRollCall(tx: DbOrTx, tenantId: string, id: string, set: { closedAt: Date; closedByLabel: string }) {
    await tx
      .update(rollCalls)
      .set({ status: 'closed', ...set })
      .where(and(eq(rollCalls.tenantId, tenantId), eq(rollCalls.id, id)));
  },
  async insertEntries(tx: DbOrTx, values: Array<typeof rollCallEntries.$inferInsert>) {
    await tx.insert(rollCallEntries).values(values);
  },
  /** An entry for a visit not on the roll call yet (undefined when it is). */
  async insertEntryIfNew(tx: DbOrTx, values: typeof rollCallEntries.$inferInsert): Promise<EntryRow | undefined> {
    const [row] = await tx.insert(rollCallEntries).values(values).onConflictDoNothing().returning();
    return row;
  },
  async markEntry(tx: DbOrTx, tenantId: string, entryId: string, set: { status: 'safe' | 'unaccounted'; markedAt: Date; markedByLabel: string }): Promise<EntryRow | undefined> {
    const [row] = await tx
      .update(rollCallEntries)
      .set(set)
      .where(and(eq(rollCallEntries.tenantId, tenantId), eq(rollCallEntries.id, entryId)))
      .returning();
    return row;
  },
  /** The entry of a visit that signed out during the roll call (undefined when not on it). */
  async entrySignedOut(tx: DbOrTx, tenantId: string, rollCallId: string, visitId: string, at: Date): Promise<EntryRow | undefined> {
    const [row] = await tx
      .update(rollCallEntries)
      .set({ signedOutAt: at })
      .where(and(eq(rollCallEntries.tenantId, tenantId), eq(rollCallEntries.rollCallId, rollCallId), eq(rollCallEntries.visitId, visitId)))
      .returning();
    return row;
  },
};
