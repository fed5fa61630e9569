import { and, desc, eq, isNull, lt, sql, count as countFn } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import { hashToken, newToken } from '../../../platform/crypto.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { notFound } from '../../../platform/errors.js';
import { groups } from '../../signin/signin.tables.js';
import { scimRateBuckets, scimRequestLog, scimTokens, scimUsers } from '../scim.tables.js';
import { scimBaseUrl } from '../scim.presenter.js';
import { UUID_RE } from '../users/users.repo.js';

export const SCIM_TOKEN_PREFIX = 'thr_scim_';
export const REQUEST_LOG_DAYS = 30;
export const DEFAULT_RATE = { burst: 1000, perSecond: 200 };

export type ScimCredential = { tenantId: string; groupId: string; tokenId: string; groupName: string };
export type LogEntry = {
  tenantId: string;
  groupId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  scimType?: string;
  errorDetail?: string;
  requestId: string;
};

/**
 * SCIM tokens (one live per SCIM group, stored hashed), the per-group token bucket (in the
 * database, so every instance shares it), and the request log the SCIM tab shows.
 */
export function createScimAccessService(deps: Pick<Platform, 'db' | 'now' | 'config'>) {
  const { db, now, config } = deps;

  async function scimGroup(tx: DbOrTx, tenantId: string, groupId: string) {
    if (!UUID_RE.test(groupId)) return undefined;
    const [g] = await tx
      .select({ id: groups.id, name: groups.name, type: groups.type, archivedAt: groups.archivedAt })
      .from(groups)
      .where(and(eq(groups.tenantId, tenantId), eq(groups.id, groupId)));
    return g && g.type === 'scim' ? g : undefined;
  }

  return {
    baseUrl: (groupId: string) => scimBaseUrl(config.publicUrl, groupId),

    /** A new token for the group; the previous one stops working in the same transaction. */
    async generateToken(tenantId: string, groupId: string, actor: Actor): Promise<{ baseUrl: string; token: string }> {
      return inTransaction(db, async (tx) => {
        const g = await scimGroup(tx, tenantId, groupId);
        if (!g) throw notFound('Group');
        const at = now();
        const revoked = await tx
          .update(scimTokens)
          .set({ revokedAt: at })
          .where(and(eq(scimTokens.tenantId, tenantId), eq(scimTokens.groupId, groupId), isNull(scimTokens.revokedAt)))
          .returning({ id: scimTokens.id });
        const token = newToken(SCIM_TOKEN_PREFIX);
        const [row] = await tx
          .insert(scimTokens)
          .values({ tenantId, groupId, tokenHash: hashToken(token), prefix: token.slice(0, SCIM_TOKEN_PREFIX.length + 4), createdBy: actor.label, createdAt: at })
          .returning({ id: scimTokens.id });
        await tx
          .insert(scimRateBuckets)
          .values({ groupId, tenantId, burst: DEFAULT_RATE.burst, perSecond: DEFAULT_RATE.perSecond, tokens: DEFAULT_RATE.burst, refilledAt: at })
          .onConflictDoNothing();
        await recordAudit(tx, tenantId, actor, {
          action: 'scim.token_generated',
          targetType: 'group',
          targetId: groupId,
          summary: `SCIM token generated for ${g.name}${revoked.length > 0 ? ' (previous token revoked)' : ''}`,
          data: { tokenId: row!.id, revoked: revoked.map((r) => r.id) },
        });
        return { baseUrl: scimBaseUrl(config.publicUrl, groupId), token };
      });
    },

    async status(tenantId: string, groupId: string) {
      const g = await scimGroup(db, tenantId, groupId);
      if (!g) throw notFound('Group');
      const [token] = await db
        .select({ prefix: scimTokens.prefix, createdAt: scimTokens.createdAt, createdBy: scimTokens.createdBy })
        .from(scimTokens)
        .where(and(eq(scimTokens.tenantId, tenantId), eq(scimTokens.groupId, groupId), isNull(scimTokens.revokedAt)));
      const [last] = await db
        .select({ at: scimRequestLog.at })
        .from(scimRequestLog)
        .where(and(eq(scimRequestLog.tenantId, tenantId), eq(scimRequestLog.groupId, groupId)))
        .orderBy(desc(scimRequestLog.at))
        .limit(1);
      const [{ users } = { users: 0 }] = await db
        .select({ users: countFn() })
        .from(scimUsers)
        .where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.groupId, groupId), isNull(scimUsers.deletedAt)));
      return {
        groupId,
        groupName: g.name,
        baseUrl: scimBaseUrl(config.publicUrl, groupId),
        token: token ? { prefix: token.prefix, createdAt: token.createdAt.toISOString(), createdBy: token.createdBy } : null,
        lastRequestAt: last?.at.toISOString() ?? null,
        users: Number(users),
      };
    },

    /**
     * One statement per request: the credential of a live token (only if it belongs to the group
     * of the URL) and one request taken from the group's token bucket. `retryAfter` is 0 when the
     * request may go ahead, else the seconds until the bucket holds one again.
     */
    async authenticate(token: string | undefined, groupId: string): Promise<{ cred: ScimCredential; retryAfter: number } | undefined> {
      if (!token?.startsWith(SCIM_TOKEN_PREFIX) || token.length > 200 || !UUID_RE.test(groupId)) return undefined;
      const at = now().toISOString();
      type Row = {
        token_id: string;
        tenant_id: string;
        group_id: string;
        group_name: string;
        taken: boolean;
        has_bucket: boolean;
        available: number | null;
        per_second: number | null;
      };
      const result = await db.execute(sql`
        WITH tok AS (
          SELECT t.id AS token_id, t.tenant_id, t.group_id, g.name AS group_name
          FROM ${scimTokens} t JOIN ${groups} g ON g.id = t.group_id
          WHERE t.token_hash = ${hashToken(token)} AND t.revoked_at IS NULL AND t.group_id = ${groupId.toLowerCase()}::uuid
            AND g.type = 'scim' AND g.archived_at IS NULL
        ),
        cur AS (
          SELECT b.group_id, b.per_second,
                 least(b.burst::float8, b.tokens + b.per_second * greatest(0, extract(epoch from (${at}::timestamptz - b.refilled_at)))) AS available
          FROM ${scimRateBuckets} b JOIN tok ON b.group_id = tok.group_id
        ),
        upd AS (
          UPDATE ${scimRateBuckets} b SET tokens = cur.available - 1, refilled_at = ${at}::timestamptz
          FROM cur WHERE b.group_id = cur.group_id AND cur.available >= 1
          RETURNING b.group_id
        )
        SELECT tok.*, EXISTS (SELECT 1 FROM upd) AS taken, EXISTS (SELECT 1 FROM cur) AS has_bucket, cur.available, cur.per_second
        FROM tok LEFT JOIN cur ON cur.group_id = tok.group_id`);
      const row = (result as unknown as { rows: Row[] }).rows[0];
      if (!row) return undefined;
      const cred = { tenantId: row.tenant_id, groupId: row.group_id, tokenId: row.token_id, groupName: row.group_name };
      if (row.taken) return { cred, retryAfter: 0 };
      if (!row.has_bucket) {
        await db
          .insert(scimRateBuckets)
          .values({ groupId: cred.groupId, tenantId: cred.tenantId, tokens: DEFAULT_RATE.burst - 1, refilledAt: now() })
          .onConflictDoNothing();
        return { cred, retryAfter: 0 };
      }
      const perSecond = Number(row.per_second);
      return { cred, retryAfter: perSecond > 0 ? Math.max(1, Math.ceil((1 - Number(row.available)) / perSecond)) : 60 };
    },

    /** The group of a SCIM URL, when it is one (to log rejected requests where the admin sees them). */
    async groupTenant(groupId: string): Promise<string | undefined> {
      if (!UUID_RE.test(groupId)) return undefined;
      const [g] = await db.select({ tenantId: groups.tenantId, type: groups.type }).from(groups).where(eq(groups.id, groupId));
      return g?.type === 'scim' ? g.tenantId : undefined;
    },

    /** Writes request log rows (several at once: see `createRequestLogBuffer`). */
    async log(entries: Array<LogEntry & { at: Date }>): Promise<void> {
      if (entries.length === 0) return;
      await db.insert(scimRequestLog).values(
        entries.map((e) => ({ ...e, path: e.path.slice(0, 2000), errorDetail: e.errorDetail?.slice(0, 2000) })),
      );
    },

    async activity(tenantId: string, groupId: string, page: { limit: number; before?: Date }) {
      const g = await scimGroup(db, tenantId, groupId);
      if (!g) throw notFound('Group');
      const conds = [eq(scimRequestLog.tenantId, tenantId), eq(scimRequestLog.groupId, groupId)];
      if (page.before) conds.push(lt(scimRequestLog.at, page.before));
      const rows = await db
        .select()
        .from(scimRequestLog)
        .where(and(...conds))
        .orderBy(desc(scimRequestLog.at), desc(scimRequestLog.id))
        .limit(page.limit + 1);
      const more = rows.length > page.limit;
      const items = rows.slice(0, page.limit);
      return { items, nextBefore: more ? items.at(-1)!.at.toISOString() : null };
    },

    /** Drops request log rows older than 30 days (the scheduled `scim.request_log_cleanup` job). */
    async cleanup(): Promise<void> {
      const cutoff = new Date(now().getTime() - REQUEST_LOG_DAYS * 24 * 3600_000);
      await db.delete(scimRequestLog).where(lt(scimRequestLog.at, cutoff));
    },

    /** Sets a group's rate limit (defaults: bursts of 1000, then 200 per second). */
    async setRateLimit(tenantId: string, groupId: string, limit: { burst: number; perSecond: number }) {
      await db
        .insert(scimRateBuckets)
        .values({ groupId, tenantId, burst: limit.burst, perSecond: limit.perSecond, tokens: limit.burst, refilledAt: now() })
        .onConflictDoUpdate({ target: scimRateBuckets.groupId, set: { burst: limit.burst, perSecond: limit.perSecond, tokens: limit.burst, refilledAt: now() } });
    },
  };
}

export type ScimAccessService = ReturnType<typeof createScimAccessService>;

/**
 * The request log is written in batches, a few hundred milliseconds after the requests (one
 * multi-row insert instead of a write per request). Rows still buffered when a process dies are
 * lost; the log is a troubleshooting aid, not an audit trail (changes are in the audit log).
 */
export function createRequestLogBuffer(access: Pick<ScimAccessService, 'log'>, now: () => Date, onError: (err: unknown) => void, opts = { maxRows: 200, delayMs: 250 }) {
  let pending: Array<LogEntry & { at: Date }> = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    writing = writing.then(() => access.log(batch)).catch(onError);
    return writing;
  };
  return {
    add(entry: LogEntry) {
      pending.push({ ...entry, at: now() });
      if (pending.length >= opts.maxRows) void flush();
      else timer ??= setTimeout(() => void flush(), opts.delayMs);
    },
    flush,
  };
}
