import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { integrationGroupLinks } from '../integration.tables.js';
import type { GroupLinkRow } from '../integration.repo.js';

type LinkValues = Pick<GroupLinkRow, 'organisationId' | 'ratingMode' | 'ratingSystemIds' | 'updatedAt'>;

/** Writes to group ↔ organisation links (reads are in integration.repo.ts, shared with the other features). Every query filters on the tenant. */
export const linksRepo = {
  async insert(tx: DbOrTx, row: typeof integrationGroupLinks.$inferInsert): Promise<GroupLinkRow> {
    const [l] = await tx.insert(integrationGroupLinks).values(row).returning();
    return l!;
  },
  async update(tx: DbOrTx, tenantId: string, groupId: string, values: LinkValues): Promise<GroupLinkRow> {
    const [l] = await tx
      .update(integrationGroupLinks)
      .set(values)
      .where(and(eq(integrationGroupLinks.tenantId, tenantId), eq(integrationGroupLinks.groupId, groupId)))
      .returning();
    return l!;
  },
  async remove(tx: DbOrTx, tenantId: string, groupId: string) {
    await tx.delete(integrationGroupLinks).where(and(eq(integrationGroupLinks.tenantId, tenantId), eq(integrationGroupLinks.groupId, groupId)));
  },
};
