import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { oneTimeTokens, tenants } from '../accounts.tables.js';

export type OneTimeTokenRow = typeof oneTimeTokens.$inferSelect;
type Purpose = OneTimeTokenRow['purpose'];

/** One-time links (invitations, password resets); only hashes of the tokens are stored. */
export const oneTimeTokensRepo = {
  async insert(db: DbOrTx, values: typeof oneTimeTokens.$inferInsert): Promise<OneTimeTokenRow> {
    const [row] = await db.insert(oneTimeTokens).values(values).returning();
    return row!;
  },

  /** A usable (unused, unexpired) token with its tenant's name. */
  async findUsable(db: DbOrTx, purpose: Purpose, tokenHash: string, at: Date) {
    const [row] = await db
      .select({ token: oneTimeTokens, tenantName: tenants.name })
      .from(oneTimeTokens)
      .innerJoin(tenants, eq(tenants.id, oneTimeTokens.tenantId))
      .where(
        and(
          eq(oneTimeTokens.purpose, purpose),
          eq(oneTimeTokens.tokenHash, tokenHash),
          isNull(oneTimeTokens.usedAt),
          gt(oneTimeTokens.expiresAt, at),
        ),
      )
      .limit(1);
    return row;
  },

  /**
   * Marks a usable token used and returns it; undefined when it was not usable. A conditional
   * update, so of two concurrent redemptions exactly one gets the row.
   */
  async redeem(db: DbOrTx, purpose: Purpose, tokenHash: string, at: Date): Promise<OneTimeTokenRow | undefined> {
    const [row] = await db
      .update(oneTimeTokens)
      .set({ usedAt: at })
      .where(
        and(
          eq(oneTimeTokens.purpose, purpose),
          eq(oneTimeTokens.tokenHash, tokenHash),
          isNull(oneTimeTokens.usedAt),
          gt(oneTimeTokens.expiresAt, at),
        ),
      )
      .returning();
    return row;
  },

  async listPending(db: DbOrTx, tenantId: string, purpose: Purpose, at: Date): Promise<OneTimeTokenRow[]> {
    return db
      .select()
      .from(oneTimeTokens)
      .where(
        and(
          eq(oneTimeTokens.tenantId, tenantId),
          eq(oneTimeTokens.purpose, purpose),
          isNull(oneTimeTokens.usedAt),
          gt(oneTimeTokens.expiresAt, at),
        ),
      )
      .orderBy(asc(oneTimeTokens.createdAt));
  },

  async deletePending(db: DbOrTx, tenantId: string, purpose: Purpose, id: string): Promise<OneTimeTokenRow | undefined> {
    const [row] = await db
      .delete(oneTimeTokens)
      .where(
        and(
          eq(oneTimeTokens.tenantId, tenantId),
          eq(oneTimeTokens.purpose, purpose),
          eq(oneTimeTokens.id, id),
          isNull(oneTimeTokens.usedAt),
        ),
      )
      .returning();
    return row;
  },

  /** Spends every unused token of the purpose for the user (e.g. older reset links). */
  async spendAllForUser(db: DbOrTx, tenantId: string, purpose: Purpose, userId: string, at: Date) {
    await db
      .update(oneTimeTokens)
      .set({ usedAt: at })
      .where(
        and(
          eq(oneTimeTokens.tenantId, tenantId),
          eq(oneTimeTokens.purpose, purpose),
          eq(oneTimeTokens.userId, userId),
          isNull(oneTimeTokens.usedAt),
        ),
      );
  },
};
