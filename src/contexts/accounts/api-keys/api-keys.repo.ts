import { and, desc, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { apiKeys } from '../accounts.tables.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export const apiKeysRepo = {
  async list(db: DbOrTx, tenantId: string): Promise<ApiKeyRow[]> {
    return db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(desc(apiKeys.createdAt));
  },
  async find(db: DbOrTx, tenantId: string, id: string): Promise<ApiKeyRow | undefined> {
    const [row] = await db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)))
      .limit(1);
    return row;
  },
  async revoke(db: DbOrTx, tenantId: string, id: string, at: Date): Promise<ApiKeyRow | undefined> {
    const [row] = await db
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    return row;
  },
};
