import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.js';
import { hashToken, newToken } from '../../platform/crypto.js';
import type { Scope } from '../../platform/http/principal.js';
import { apiKeys, sessions, tenants, userScopes, users } from './accounts.tables.js';

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

export type UserRow = typeof users.$inferSelect;
export type TenantRow = typeof tenants.$inferSelect;

export const accountsRepo = {
  async findUserByEmail(db: DbOrTx, email: string): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).limit(1);
    return row;
  },
  async findUser(db: DbOrTx, tenantId: string, id: string): Promise<UserRow | undefined> {
    const [row] = await db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
      .limit(1);
    return row;
  },
  async insertUser(db: DbOrTx, values: typeof users.$inferInsert): Promise<UserRow> {
    const [row] = await db.insert(users).values(values).returning();
    return row!;
  },
  async findTenant(db: DbOrTx, id: string): Promise<TenantRow | undefined> {
    const [row] = await db.select().from(tenants).where(eq(tenants.id, id)).limit(1);
    return row;
  },
  async sessionWithUser(db: DbOrTx, tokenHash: string, now: Date) {
    const [row] = await db
      .select({
        session: sessions,
        user: users,
        tenant: tenants,
        // The scopes ride along in the same statement: one round trip per authenticated request.
        scopes: sql<Scope[]>`coalesce((select json_agg(json_build_object('kind', ${userScopes.kind}, 'refId', ${userScopes.refId}, 'level', ${userScopes.level})) from ${userScopes} where ${userScopes.userId} = ${users.id} and ${userScopes.tenantId} = ${users.tenantId}), '[]'::json)`,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .innerJoin(tenants, eq(tenants.id, sessions.tenantId))
      .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), isNull(users.disabledAt)))
      .limit(1);
    if (!row || row.session.createdAt < row.user.sessionsValidAfter) return undefined;
    return row;
  },
  async userScopes(db: DbOrTx, tenantId: string, userId: string): Promise<Scope[]> {
    return db
      .select({ kind: userScopes.kind, refId: userScopes.refId, level: userScopes.level })
      .from(userScopes)
      .where(and(eq(userScopes.tenantId, tenantId), eq(userScopes.userId, userId)));
  },
  /** A new session for the user; returns the cookie token (shown once) and the row. */
  async insertSession(
    db: DbOrTx,
    user: { tenantId: string; id: string },
    at: Date,
    pendingTotp = false,
    via: Pick<typeof sessions.$inferInsert, 'authMethod' | 'oidcConnectionId' | 'mfaByIdp'> = {},
  ) {
    const token = newToken('thr_sess_');
    const [session] = await db
      .insert(sessions)
      .values({
        tokenHash: hashToken(token),
        tenantId: user.tenantId,
        userId: user.id,
        csrfToken: newToken('', 24),
        pendingTotp,
        ...via,
        createdAt: at,
        lastSeenAt: at,
        expiresAt: new Date(at.getTime() + SESSION_TTL_MS),
      })
      .returning();
    return { token, session: session! };
  },
  async sessionById(db: DbOrTx, tenantId: string, id: string) {
    const [row] = await db
      .select()
      .from(sessions)
      .where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, id)))
      .limit(1);
    return row;
  },
  async apiKeyByHash(db: DbOrTx, tokenHash: string) {
    const [row] = await db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.tokenHash, tokenHash), isNull(apiKeys.revokedAt)))
      .limit(1);
    return row;
  },
  async insertTenant(db: DbOrTx, values: typeof tenants.$inferInsert): Promise<TenantRow> {
    const [row] = await db.insert(tenants).values(values).returning();
    return row!;
  },
  /** Up to `limit` tenants named `name`, case-insensitive (the CLI's --tenant: across tenants by design). */
  async tenantsByName(db: DbOrTx, name: string, limit: number): Promise<TenantRow[]> {
    return db.select().from(tenants).where(sql`lower(${tenants.name}) = lower(${name})`).limit(limit);
  },
  async deleteSession(db: DbOrTx, id: string): Promise<void> {
    await db.delete(sessions).where(eq(sessions.id, id));
  },
  async insertApiKey(db: DbOrTx, values: typeof apiKeys.$inferInsert) {
    const [row] = await db.insert(apiKeys).values(values).returning();
    return row!;
  },
  /** Sessions' last-seen time, many at once (their ids come from resolved sessions). */
  async touchSessions(db: DbOrTx, ids: string[], at: Date): Promise<void> {
    await db.update(sessions).set({ lastSeenAt: at }).where(inArray(sessions.id, ids));
  },
  /** API keys' last-used time, many at once. */
  async touchApiKeys(db: DbOrTx, ids: string[], at: Date): Promise<void> {
    await db.update(apiKeys).set({ lastUsedAt: at }).where(inArray(apiKeys.id, ids));
  },
};
