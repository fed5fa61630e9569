import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { blockList } from '../signin.tables.js';
import { nameKey } from '../../../platform/db/name-order.js';

export type BlockRow = typeof blockList.$inferSelect;
export type BlockValues = Omit<typeof blockList.$inferInsert, 'id' | 'tenantId' | 'createdAt'>;

export const blockListRepo = {
  async list(db: DbOrTx, tenantId: string): Promise<BlockRow[]> {
    return db.select().from(blockList).where(eq(blockList.tenantId, tenantId)).orderBy(nameKey(blockList.fullName), asc(blockList.id));
  },
  async insert(db: DbOrTx, tenantId: string, values: BlockValues): Promise<BlockRow> {
    const [row] = await db.insert(blockList).values({ tenantId, ...values }).returning();
    return row!;
  },
  async update(db: DbOrTx, tenantId: string, id: string, values: BlockValues): Promise<BlockRow | undefined> {
    const [row] = await db.update(blockList).set(values).where(and(eq(blockList.tenantId, tenantId), eq(blockList.id, id))).returning();
    return row;
  },
  async remove(db: DbOrTx, tenantId: string, id: string): Promise<BlockRow | undefined> {
    const [row] = await db.delete(blockList).where(and(eq(blockList.tenantId, tenantId), eq(blockList.id, id))).returning();
    return row;
  },
};
