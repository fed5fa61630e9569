import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.js';
import { sessions } from './accounts.tables.js';

export const sessionsRepo = {
  /** Moves the session's start to `at`, so it outlives a `sessionsValidAfter` bump to `at`. */
  async restart(db: DbOrTx, sessionId: string, at: Date) {
    await db.update(sessions).set({ createdAt: at, lastSeenAt: at }).where(eq(sessions.id, sessionId));
  },
  async find(db: DbOrTx, sessionId: string) {
    const [row] = await db.select().from(sessions).where(eq(sessions.id, sessionId)).limit(1);
    return row;
  },
  async completeTotp(db: DbOrTx, sessionId: string) {
    const [row] = await db.update(sessions).set({ pendingTotp: false }).where(eq(sessions.id, sessionId)).returning();
    return row;
  },
};
