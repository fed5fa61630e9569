import { and, desc, eq, isNull, lt, sql, count as countFn } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { scimRateBuckets, scimRequestLogBatches, scimTokens, scimUsers } from '../scim.tables.js';

export const DEFAULT_RATE = { burst: 1000, perSecond: 200 };

/** A group's token bucket as stored (`refilledAt` in epoch milliseconds). */
export type BucketRow = { burst: number; perSecond: number; tokens: number; refilledAt: number };
export type LogBatchRow = typeof scimRequestLogBatches.$inferInsert;

/** The queries of SCIM's tokens, token buckets and request log, each scoped by the tenant (the token lookup by the token itself). */
export const accessRepo = {
  /** Tells every instance (on commit, when `tx` is a transaction) to drop what it cached of the group's credentials. */
  async announceChange(tx: DbOrTx, channel: string, groupId: string): Promise<void> {
    await tx.execute(sql`SELECT pg_notify(${channel}, ${groupId})`);
  },

  /** Revokes the group's live tokens; returns their ids. */
  async revokeLiveTokens(tx: DbOrTx, tenantId: string, groupId: string, at: Date): Promise<Array<{ id: string }>> {
    return tx
      .update(scimTokens)
      .set({ revokedAt: at })
      .where(and(eq(scimTokens.tenantId, tenantId), eq(scimTokens.groupId, groupId), isNull(scimTokens.revokedAt)))
      .returning({ id: scimTokens.id });
  },

  async insertToken(tx: DbOrTx, values: { tenantId: string; groupId: string; tokenHash: string; prefix: string; createdBy: string; createdAt: Date }): Promise<string> {
    const [row] = await tx.insert(scimTokens).values(values).returning({ id: scimTokens.id });
    return row!.id;
  },

  async liveToken(tx: DbOrTx, tenantId: string, groupId: string) {
    const [token] = await tx
      .select({ prefix: scimTokens.prefix, createdAt: scimTokens.createdAt, createdBy: scimTokens.createdBy })
      .from(scimTokens)
      .where(and(eq(scimTokens.tenantId, tenantId), eq(scimTokens.groupId, groupId), isNull(scimTokens.revokedAt)));
    return token;
  },

  /**
   * The live token of `tokenHash` for the group of the URL, read in one statement with the
   * group's bucket (undefined when the group has no bucket row yet).
   */
  async tokenWithBucket(tx: DbOrTx, tokenHash: string, groupId: string): Promise<{ tokenId: string; tenantId: string; groupId: string; bucket: BucketRow | undefined } | undefined> {
    type Row = {
      token_id: string;
      tenant_id: string;
      group_id: string;
      burst: number | null;
      per_second: number | null;
      tokens: number | null;
      refilled_at: string | Date | null;
    };
    const result = await tx.execute(sql`
      SELECT t.id AS token_id, t.tenant_id, t.group_id, b.burst, b.per_second, b.tokens, b.refilled_at
      FROM ${scimTokens} t LEFT JOIN ${scimRateBuckets} b ON b.group_id = t.group_id
      WHERE t.token_hash = ${tokenHash} AND t.revoked_at IS NULL AND t.group_id = ${groupId}::uuid`);
    const row = (result as unknown as { rows: Row[] }).rows[0];
    if (!row) return undefined;
    const bucket =
      row.burst === null
        ? undefined
        : { burst: Number(row.burst), perSecond: Number(row.per_second), tokens: Number(row.tokens), refilledAt: new Date(row.refilled_at!).getTime() };
    return { tokenId: row.token_id, tenantId: row.tenant_id, groupId: row.group_id, bucket };
  },

  /** The group's bucket at the defaults, unless it has one. */
  async ensureBucket(tx: DbOrTx, tenantId: string, groupId: string, at: Date): Promise<void> {
    await tx
      .insert(scimRateBuckets)
      .values({ groupId, tenantId, burst: DEFAULT_RATE.burst, perSecond: DEFAULT_RATE.perSecond, tokens: DEFAULT_RATE.burst, refilledAt: at })
      .onConflictDoNothing();
  },

  /**
   * Takes `n` requests from the group's bucket as it was refilled at `at` (the row may go down to
   * minus one burst); returns the row as every instance left it.
   */
  async takeFromBucket(tx: DbOrTx, tenantId: string, groupId: string, n: number, at: Date): Promise<BucketRow | undefined> {
    const refilled = sql`least(${scimRateBuckets.burst}::float8, ${scimRateBuckets.tokens} + ${scimRateBuckets.perSecond} * greatest(0, extract(epoch from (${at.toISOString()}::timestamptz - ${scimRateBuckets.refilledAt}))))`;
    const [row] = await tx
      .insert(scimRateBuckets)
      .values({ groupId, tenantId, burst: DEFAULT_RATE.burst, perSecond: DEFAULT_RATE.perSecond, tokens: DEFAULT_RATE.burst - n, refilledAt: at })
      .onConflictDoUpdate({
        target: scimRateBuckets.groupId,
        set: { tokens: sql`greatest(-${scimRateBuckets.burst}::float8, ${refilled} - ${n})`, refilledAt: sql`greatest(${scimRateBuckets.refilledAt}, ${at.toISOString()}::timestamptz)` },
      })
      .returning();
    return row && { burst: row.burst, perSecond: row.perSecond, tokens: row.tokens, refilledAt: row.refilledAt.getTime() };
  },

  /** Sets the group's limit and fills its bucket. */
  async setRateLimit(tx: DbOrTx, tenantId: string, groupId: string, limit: { burst: number; perSecond: number }, at: Date): Promise<void> {
    await tx
      .insert(scimRateBuckets)
      .values({ groupId, tenantId, burst: limit.burst, perSecond: limit.perSecond, tokens: limit.burst, refilledAt: at })
      .onConflictDoUpdate({ target: scimRateBuckets.groupId, set: { burst: limit.burst, perSecond: limit.perSecond, tokens: limit.burst, refilledAt: at } });
  },

  async activeUsers(tx: DbOrTx, tenantId: string, groupId: string): Promise<number> {
    const [{ users } = { users: 0 }] = await tx
      .select({ users: countFn() })
      .from(scimUsers)
      .where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.groupId, groupId), isNull(scimUsers.deletedAt)));
    return Number(users);
  },

  async lastRequestAt(tx: DbOrTx, tenantId: string, groupId: string): Promise<Date | undefined> {
    const [last] = await tx
      .select({ at: scimRequestLogBatches.lastAt })
      .from(scimRequestLogBatches)
      .where(and(eq(scimRequestLogBatches.tenantId, tenantId), eq(scimRequestLogBatches.groupId, groupId)))
      .orderBy(desc(scimRequestLogBatches.lastAt))
      .limit(1);
    return last?.at;
  },

  /**
   * Request log batches, a row each (each carries its tenant), in one INSERT of a parameter per
   * value: a write holds a row per group, so few, and an array parameter (`insertRows`) would have
   * the driver escape each batch's JSON text into the array's text form.
   */
  async insertLogBatches(tx: DbOrTx, rows: LogBatchRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.insert(scimRequestLogBatches).values(rows);
  },

  /**
   * Up to `limit` of the group's log batches holding a request before `before` (their first is),
   * newest last request first, after `after` (the last batch of the previous call) in that order.
   * A batch spans at most `spanMs`, so those holding one end before `before` + `spanMs`: the
   * index on (group, last request) starts there, however far back `before` is.
   */
  async logBatches(tx: DbOrTx, tenantId: string, groupId: string, page: { limit: number; before?: Date; spanMs: number; after?: { lastAt: Date; id: string } }) {
    const t = scimRequestLogBatches;
    const conds = [eq(t.tenantId, tenantId), eq(t.groupId, groupId)];
    if (page.before) conds.push(lt(t.firstAt, page.before), lt(t.lastAt, new Date(page.before.getTime() + page.spanMs)));
    if (page.after) conds.push(sql`(${t.lastAt}, ${t.id}) < (${page.after.lastAt.toISOString()}::timestamptz, ${page.after.id}::uuid)`);
    return tx
      .select({ id: t.id, lastAt: t.lastAt, entries: t.entries })
      .from(t)
      .where(and(...conds))
      .orderBy(desc(t.lastAt), desc(t.id))
      .limit(page.limit);
  },

  /** Drops every tenant's log batches whose requests are all older than `cutoff` (the clean-up job). */
  async deleteLogBefore(tx: DbOrTx, cutoff: Date): Promise<void> {
    await tx.delete(scimRequestLogBatches).where(lt(scimRequestLogBatches.lastAt, cutoff));
  },
};
