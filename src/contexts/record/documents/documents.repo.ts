import { and, eq, isNull, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { recordChecks, recordDocuments } from '../record.tables.js';

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
  /** The name of the check a document evidences (for the profile's history). */
  async checkName(db: DbOrTx, tenantId: string, checkId: string): Promise<string | undefined> {
    const [c] = await db.select({ name: recordChecks.name }).from(recordChecks).where(and(eq(recordChecks.tenantId, tenantId), eq(recordChecks.id, checkId)));
    return c?.name;
  },
};
