import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { users } from '../accounts.tables.js';

export const totpRepo = {
  async setSecret(db: DbOrTx, tenantId: string, userId: string, encryptedSecret: string | null, enabledAt: Date | null) {
    await db
      .update(users)
      .set({ totpSecret: encryptedSecret, totpEnabledAt: enabledAt, totpLastStep: null })
      .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  },

  /**
   * Records `step` as the last one used; false when a code of this or a later step was already
   * accepted (a conditional update, so two concurrent uses of one code cannot both pass).
   */
  async useStep(db: DbOrTx, tenantId: string, userId: string, step: number): Promise<boolean> {
    const rows = await db
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.tenantId, tenantId), eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
      .returning({ id: users.id });
    return rows.length === 1;
  },

  async enable(db: DbOrTx, tenantId: string, userId: string, at: Date) {
    await db.update(users).set({ totpEnabledAt: at }).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  },
};
