import { and, desc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { integrationPersonLinks, integrationSyncLog } from '../integration.tables.js';
import type { PersonLinkRow } from '../integration.repo.js';

/** The two-way sync's queries: person links it works through, their versions, and the sync log. Every query filters on the tenant. */
export const syncRepo = {
  async links(tx: DbOrTx, tenantId: string): Promise<PersonLinkRow[]> {
    return tx.select().from(integrationPersonLinks).where(eq(integrationPersonLinks.tenantId, tenantId)).orderBy(integrationPersonLinks.createdAt, integrationPersonLinks.id);
  },
  async linksByIds(tx: DbOrTx, tenantId: string, ids: string[]): Promise<PersonLinkRow[]> {
    if (ids.length === 0) return [];
    return tx.select().from(integrationPersonLinks).where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.id, ids)));
  },
  /** The link, locked against a concurrent sync of the same person until the transaction ends. */
  async lockLink(tx: DbOrTx, tenantId: string, id: string): Promise<PersonLinkRow | undefined> {
    const [link] = await tx
      .select()
      .from(integrationPersonLinks)
      .where(and(eq(integrationPersonLinks.tenantId, tenantId), eq(integrationPersonLinks.id, id)))
      .for('update');
    return link;
  },
  /** Links by id, locked (in id order, so two workers never wait on each other) until the transaction ends. */
  async lockLinks(tx: DbOrTx, tenantId: string, ids: readonly string[]): Promise<PersonLinkRow[]> {
    if (ids.length === 0) return [];
    return tx
      .select()
      .from(integrationPersonLinks)
      .where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.id, [...ids])))
      .orderBy(integrationPersonLinks.id)
      .for('update');
  },
  async logMany(tx: DbOrTx, rows: ReadonlyArray<typeof integrationSyncLog.$inferInsert>) {
    if (rows.length) await tx.insert(integrationSyncLog).values([...rows]);
  },
  /** The latest `limit` entries of the log (of a member, a profile or a run), oldest first. */
  async latestLog(tx: DbOrTx, tenantId: string, q: { memberId?: string; profileId?: string; runId?: string }, limit: number) {
    const conds = [eq(integrationSyncLog.tenantId, tenantId)];
    if (q.memberId) conds.push(eq(integrationSyncLog.memberId, q.memberId));
    if (q.profileId) conds.push(eq(integrationSyncLog.profileId, q.profileId));
    if (q.runId) conds.push(eq(integrationSyncLog.runId, q.runId));
    const rows = await tx.select().from(integrationSyncLog).where(and(...conds)).orderBy(desc(integrationSyncLog.at), desc(integrationSyncLog.id)).limit(limit);
    return rows.reverse();
  },
};
