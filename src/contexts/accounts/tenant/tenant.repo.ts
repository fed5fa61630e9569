import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { tenants } from '../accounts.tables.js';
import type { TenantRow } from '../accounts.repo.js';

export const tenantRepo = {
  async findForUpdate(db: DbOrTx, tenantId: string): Promise<TenantRow | undefined> {
    const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId)).for('update').limit(1);
    return row;
  },
  async update(db: DbOrTx, tenantId: string, patch: Partial<Pick<TenantRow, 'name' | 'require2fa' | 'passwordSignInOff'>>) {
    const [row] = await db.update(tenants).set(patch).where(eq(tenants.id, tenantId)).returning();
    return row!;
  },
};
