import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { insertRows } from '../../../platform/db/values.js';
import { integrationExclusions, integrationExternalIds, integrationPersonLinks } from '../integration.tables.js';
import type { PersonLinkRow } from '../integration.repo.js';

export type ExclusionRow = typeof integrationExclusions.$inferSelect;

/** The people feature's writes to person links, external ids and exclusions (reads of links are in integration.repo.ts). Every query filters on the tenant. */
export const peopleRepo = {
  async insertLinks(tx: DbOrTx, rows: Array<typeof integrationPersonLinks.$inferInsert>) {
    if (rows.length) await tx.insert(integrationPersonLinks).select(insertRows(integrationPersonLinks, rows));
  },
  async deleteLink(tx: DbOrTx, tenantId: string, link: Pick<PersonLinkRow, 'id'>) {
    await tx.delete(integrationPersonLinks).where(and(eq(integrationPersonLinks.tenantId, tenantId), eq(integrationPersonLinks.id, link.id)));
  },

  /** External ids a profile is known by elsewhere; one already known is left where it is. */
  async addExternalIds(tx: DbOrTx, rows: Array<typeof integrationExternalIds.$inferInsert>) {
    if (rows.length) await tx.insert(integrationExternalIds).select(insertRows(integrationExternalIds, rows)).onConflictDoNothing();
  },

  /** Puts members on the exclusion list (a member already on it keeps its first entry). */
  async exclude(tx: DbOrTx, tenantId: string, rows: Array<Omit<typeof integrationExclusions.$inferInsert, 'tenantId'>>) {
    for (const r of rows) await tx.insert(integrationExclusions).values({ ...r, tenantId }).onConflictDoNothing();
  },
  async exclusions(tx: DbOrTx, tenantId: string): Promise<ExclusionRow[]> {
    return tx.select().from(integrationExclusions).where(eq(integrationExclusions.tenantId, tenantId)).orderBy(integrationExclusions.createdAt);
  },
  async removeExclusion(tx: DbOrTx, tenantId: string, id: string): Promise<ExclusionRow | undefined> {
    const [row] = await tx.delete(integrationExclusions).where(and(eq(integrationExclusions.tenantId, tenantId), eq(integrationExclusions.id, id))).returning();
    return row;
  },
};
