import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { integrationExternalIds, integrationMergeQueue, integrationMerges, integrationPersonLinks } from '../integration.tables.js';
import type { MergeRow, QueueRow } from '../integration.repo.js';
import { valuesColumn, valuesTable, type ValuesColumn } from '../../../platform/db/values.js';

const EXTERNAL_ID_MOVES: ValuesColumn[] = [
  { name: 'system', type: 'text' },
  { name: 'external_id', type: 'text' },
  { name: 'to_profile', type: 'uuid' },
];

/** The merge feature's queries: the queue of suggested pairs, the merges, and the links and external ids a merge moves. Every query filters on the tenant. */
export const mergeRepo = {
  /** The queue's pairs of one status, oldest first. */
  async queueOfStatus(tx: DbOrTx, tenantId: string, status: QueueRow['status']): Promise<QueueRow[]> {
    return tx
      .select()
      .from(integrationMergeQueue)
      .where(and(eq(integrationMergeQueue.tenantId, tenantId), eq(integrationMergeQueue.status, status)))
      .orderBy(integrationMergeQueue.createdAt, integrationMergeQueue.id);
  },
  async queueItems(tx: DbOrTx, tenantId: string, ids: string[]): Promise<QueueRow[]> {
    if (ids.length === 0) return [];
    return tx.select().from(integrationMergeQueue).where(and(eq(integrationMergeQueue.tenantId, tenantId), inArray(integrationMergeQueue.id, ids)));
  },
  async setQueueStatus(tx: DbOrTx, tenantId: string, ids: string[], status: QueueRow['status'], resolvedAt: Date | null) {
    if (ids.length === 0) return;
    await tx
      .update(integrationMergeQueue)
      .set({ status, resolvedAt })
      .where(and(eq(integrationMergeQueue.tenantId, tenantId), inArray(integrationMergeQueue.id, ids)));
  },

  async insertMerges(tx: DbOrTx, rows: Array<typeof integrationMerges.$inferInsert>): Promise<MergeRow[]> {
    if (rows.length === 0) return [];
    return tx.insert(integrationMerges).values(rows).returning();
  },
  async merges(tx: DbOrTx, tenantId: string): Promise<MergeRow[]> {
    return tx.select().from(integrationMerges).where(eq(integrationMerges.tenantId, tenantId)).orderBy(integrationMerges.mergedAt);
  },
  /** The profile each of these was merged into (by a merge not undone), by merged profile; one statement. */
  async keptOfMany(tx: DbOrTx, tenantId: string, mergedProfileIds: readonly string[]): Promise<Map<string, string>> {
    if (mergedProfileIds.length === 0) return new Map();
    const rows = await tx
      .select({ merged: integrationMerges.mergedProfileId, kept: integrationMerges.keptProfileId })
      .from(integrationMerges)
      .where(and(eq(integrationMerges.tenantId, tenantId), inArray(integrationMerges.mergedProfileId, [...mergedProfileIds]), isNull(integrationMerges.undoneAt)));
    const out = new Map<string, string>();
    for (const r of rows) if (!out.has(r.merged)) out.set(r.merged, r.kept);
    return out;
  },
  async setUndone(tx: DbOrTx, tenantId: string, id: string, at: Date, by: string) {
    await tx
      .update(integrationMerges)
      .set({ undoneAt: at, undoneBy: by })
      .where(and(eq(integrationMerges.tenantId, tenantId), eq(integrationMerges.id, id)));
  },

  /**
   * Members' links follow the person to another profile (those still on `from`, when given).
   * profileVersion -1: the member now follows that profile, so the next sync copies its values.
   */
  async moveLinks(tx: DbOrTx, tenantId: string, memberIds: string[], to: string, from?: string) {
    if (memberIds.length === 0) return;
    const conds = [eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.memberId, memberIds)];
    if (from) conds.push(eq(integrationPersonLinks.profileId, from));
    await tx
      .update(integrationPersonLinks)
      .set({ profileId: to, profileVersion: -1 })
      .where(and(...conds));
  },
  /** `moveLinks` for many targets at once (merge-all), in one statement. */
  async moveLinksEach(tx: DbOrTx, tenantId: string, moves: Array<{ memberId: string; to: string }>) {
    if (moves.length === 0) return;
    const target = sql`CASE ${integrationPersonLinks.memberId} ${sql.join(
      moves.map((m) => sql`WHEN ${m.memberId}::uuid THEN ${m.to}::uuid`),
      sql` `,
    )} END`;
    await tx
      .update(integrationPersonLinks)
      .set({ profileId: target, profileVersion: -1 })
      .where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.memberId, moves.map((m) => m.memberId))));
  },

  /** External ids follow the person to another profile, all of them in one statement. */
  async moveExternalIds(tx: DbOrTx, tenantId: string, ids: Array<{ system: string; externalId: string }>, to: string) {
    await mergeRepo.moveExternalIdsEach(tx, tenantId, ids.map((x) => ({ ...x, to })));
  },
  /** `moveExternalIds` for many targets at once (merge-all), in one statement. */
  async moveExternalIdsEach(tx: DbOrTx, tenantId: string, moves: ReadonlyArray<{ system: string; externalId: string; to: string }>) {
    if (moves.length === 0) return;
    await tx
      .update(integrationExternalIds)
      .set({ profileId: valuesColumn('v', 'to_profile') })
      .from(valuesTable('v', EXTERNAL_ID_MOVES, moves.map((m) => [m.system, m.externalId, m.to])))
      .where(and(eq(integrationExternalIds.tenantId, tenantId), eq(integrationExternalIds.system, valuesColumn('v', 'system')), eq(integrationExternalIds.externalId, valuesColumn('v', 'external_id'))));
  },
};
