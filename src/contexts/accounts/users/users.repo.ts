import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import type { Scope } from '../../../platform/http/principal.js';
import { sessions, userScopes, users } from '../accounts.tables.js';
import type { UserRow } from '../accounts.repo.js';

export type UserWithScopes = UserRow & { scopes: Scope[] };

async function scopesByUser(db: DbOrTx, tenantId: string, userIds: string[]) {
  const byUser = new Map<string, Scope[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .select()
    .from(userScopes)
    .where(and(eq(userScopes.tenantId, tenantId), inArray(userScopes.userId, userIds)))
    .orderBy(asc(userScopes.kind), asc(userScopes.refId));
  for (const r of rows) {
    const list = byUser.get(r.userId) ?? [];
    list.push({ kind: r.kind, refId: r.refId, level: r.level });
    byUser.set(r.userId, list);
  }
  return byUser;
}

export const usersRepo = {
  async list(db: DbOrTx, tenantId: string): Promise<UserWithScopes[]> {
    const rows = await db.select().from(users).where(eq(users.tenantId, tenantId)).orderBy(asc(users.email));
    const scopes = await scopesByUser(db, tenantId, rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, scopes: scopes.get(r.id) ?? [] }));
  },

  async find(db: DbOrTx, tenantId: string, id: string): Promise<UserWithScopes | undefined> {
    const [row] = await db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
      .limit(1);
    if (!row) return undefined;
    const scopes = await scopesByUser(db, tenantId, [row.id]);
    return { ...row, scopes: scopes.get(row.id) ?? [] };
  },

  /** Locks the row for the rest of the transaction (PostgreSQL; PGlite has one connection anyway). */
  async findForUpdate(db: DbOrTx, tenantId: string, id: string): Promise<UserRow | undefined> {
    const [row] = await db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
      .for('update')
      .limit(1);
    return row;
  },

  async update(db: DbOrTx, tenantId: string, id: string, patch: Partial<Pick<UserRow, 'name' | 'role' | 'disabledAt' | 'passwordHash' | 'sessionsValidAfter'>>) {
    const [row] = await db
      .update(users)
      .set(patch)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
      .returning();
    return row;
  },

  async replaceScopes(db: DbOrTx, tenantId: string, userId: string, scopes: Scope[]) {
    await db.delete(userScopes).where(and(eq(userScopes.tenantId, tenantId), eq(userScopes.userId, userId)));
    if (scopes.length > 0) {
      await db.insert(userScopes).values(scopes.map((s) => ({ tenantId, userId, kind: s.kind, refId: s.refId, level: s.level })));
    }
  },

  /** Ends the user's sessions, except `keepSessionId` when given. */
  async deleteSessions(db: DbOrTx, tenantId: string, userId: string, keepSessionId?: string) {
    await db
      .delete(sessions)
      .where(
        and(
          eq(sessions.tenantId, tenantId),
          eq(sessions.userId, userId),
          ...(keepSessionId ? [ne(sessions.id, keepSessionId)] : []),
        ),
      );
  },
};
