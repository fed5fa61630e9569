import { and, asc, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { groups, sites, visits } from '../signin.tables.js';
import { rollCallEntries, rollCallEvents, rollCalls } from '../live.tables.js';

export type RollCallRow = typeof rollCalls.$inferSelect;
export type EntryRow = typeof rollCallEntries.$inferSelect;
export type EventRow = typeof rollCallEvents.$inferSelect;

const openVisit = and(isNull(visits.signedOutAt), eq(visits.outcome, 'signed_in'));

export const liveRepo = {
  async site(tx: DbOrTx, tenantId: string, siteId: string) {
    const [row] = await tx.select().from(sites).where(and(eq(sites.tenantId, tenantId), eq(sites.id, siteId)));
    return row;
  },

  /** Open visits at a site, with their group. */
  onSite(tx: DbOrTx, tenantId: string, siteId: string) {
    return tx
      .select({
        visitId: visits.id,
        memberId: visits.memberId,
        personName: visits.personName,
        signedInAt: visits.signedInAt,
        groupId: groups.id,
        groupName: groups.name,
        groupColour: groups.colour,
        groupOptions: groups.options,
      })
      .from(visits)
      .innerJoin(groups, eq(groups.id, visits.groupId))
      .where(and(eq(visits.tenantId, tenantId), eq(visits.siteId, siteId), openVisit))
      .orderBy(asc(groups.name), asc(visits.personName), asc(visits.id));
  },

  visit(tx: DbOrTx, tenantId: string, visitId: string) {
    return tx.select().from(visits).where(and(eq(visits.tenantId, tenantId), eq(visits.id, visitId)));
  },

  async group(tx: DbOrTx, tenantId: string, groupId: string) {
    const [row] = await tx.select().from(groups).where(and(eq(groups.tenantId, tenantId), eq(groups.id, groupId)));
    return row;
  },

  async find(tx: DbOrTx, tenantId: string, id: string): Promise<RollCallRow | undefined> {
    const [row] = await tx.select().from(rollCalls).where(and(eq(rollCalls.tenantId, tenantId), eq(rollCalls.id, id)));
    return row;
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
    return tx.select().from(rollCalls).where(where).orderBy(desc(rollCalls.startedAt), desc(rollCalls.id)).limit(limit);
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
      .orderBy(asc(rollCallEntries.groupName), asc(rollCallEntries.personName), asc(rollCallEntries.id));
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
};
