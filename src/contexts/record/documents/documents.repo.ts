import { and, eq, isNull, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { recordDocuments } from '../record.tables.js';

export const documentsRepo = {
  async find(db: DbOrTx, tenantId: string, id: string) {
    const [row] = await db.select().from(recordDocuments).where(and(eq(recordDocuments.tenantId, tenantId), eq(recordDocuments.id, id)));
    return row;
  },
  async insert(db: DbOrTx, row: typeof recordDocuments.$inferInsert) {
    const [made] = await db.insert(recordDocuments).values(row).returning();
    return made!;
  },
  async markDeleted(db: DbOrTx, tenantId: string, id: string, at: Date, reason: string) {
    await db.update(recordDocuments).set({ deletedAt: at, deletedReason: reason, storageKey: null }).where(and(eq(recordDocuments.tenantId, tenantId), eq(recordDocuments.id, id)));
  },
  /** Every tenant's documents whose time is up (the scheduled clean-up works across tenants). */
  async due(db: DbOrTx, now: Date, limit = 500) {
    return db.select().from(recordDocuments).where(and(lte(recordDocuments.deleteAfter, now), isNull(recordDocuments.deletedAt))).limit(limit);
  },
};
