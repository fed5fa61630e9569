import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { integrationExternalIds, integrationSyncLog, integrationWondeConnections } from '../integration.tables.js';

export type ConnectionRow = typeof integrationWondeConnections.$inferSelect;

/** The Wonde connector's queries: an organisation's connection, the sync log and external ids a run writes. Every query filters on the tenant but the schedule's. */
export const wondeRepo = {
  async connection(tx: DbOrTx, tenantId: string, organisationId: string): Promise<ConnectionRow | undefined> {
    const [c] = await tx.select().from(integrationWondeConnections).where(and(eq(integrationWondeConnections.tenantId, tenantId), eq(integrationWondeConnections.organisationId, organisationId)));
    return c;
  },
  /** Every tenant's switched-on connections (the hourly schedule starts a run for each). */
  async enabledConnections(tx: DbOrTx): Promise<ConnectionRow[]> {
    return tx.select().from(integrationWondeConnections).where(eq(integrationWondeConnections.enabled, true));
  },
  async insertConnection(tx: DbOrTx, row: typeof integrationWondeConnections.$inferInsert): Promise<ConnectionRow> {
    const [c] = await tx.insert(integrationWondeConnections).values(row).returning();
    return c!;
  },
  async updateConnection(tx: DbOrTx, tenantId: string, id: string, values: Partial<Omit<ConnectionRow, 'id' | 'tenantId' | 'organisationId'>>): Promise<ConnectionRow> {
    const [c] = await tx
      .update(integrationWondeConnections)
      .set(values)
      .where(and(eq(integrationWondeConnections.tenantId, tenantId), eq(integrationWondeConnections.id, id)))
      .returning();
    return c!;
  },
  async log(tx: DbOrTx, row: typeof integrationSyncLog.$inferInsert) {
    await tx.insert(integrationSyncLog).values(row);
  },
  async addExternalIds(tx: DbOrTx, rows: Array<typeof integrationExternalIds.$inferInsert>) {
    if (rows.length) await tx.insert(integrationExternalIds).values(rows).onConflictDoNothing();
  },
};
