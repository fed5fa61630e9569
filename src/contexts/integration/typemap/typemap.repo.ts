import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { integrationTypeRules } from '../integration.tables.js';

/** Writes to the profile type map (reads are in integration.repo.ts). Filtered on the tenant. */
export const typeMapRepo = {
  /** The tenant's rules become these, in this order. */
  async replaceRules(tx: DbOrTx, tenantId: string, rules: Array<Pick<typeof integrationTypeRules.$inferInsert, 'profileTypeId' | 'condition'>>, at: Date) {
    await tx.delete(integrationTypeRules).where(eq(integrationTypeRules.tenantId, tenantId));
    if (rules.length) {
      await tx.insert(integrationTypeRules).values(rules.map((r, i) => ({ tenantId, profileTypeId: r.profileTypeId, position: i, condition: r.condition, updatedAt: at })));
    }
  },
};
