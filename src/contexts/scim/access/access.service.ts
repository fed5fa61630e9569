import { and, desc, eq, isNull, lt, sql, count as countFn } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import { hashToken, newToken } from '../../../platform/crypto.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { notFound } from '../../../platform/errors.js';
import type { GroupsPort } from '../../signin/index.js';
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

type BucketRow = { burst: number; perSecond: number; tokens: number; refilledAt: number };

/**
 * The per-group token buckets, decided in process memory and shared across instances by writing
 * behind: each instance takes requests from what it last knew of the group's row in
 * `scim_rate_buckets` (refreshed by every authentication read while nothing of its own is being
 * written) and, `syncMs` after a response has been sent (`afterResponse`), subtracts what it took in one UPDATE that
 * returns the row as every instance left it. One instance is exact; several together can overshoot
 * by what the others took since their last write (at most `syncMs` of their traffic), and the
 * overshoot is then owed: the row may go below zero (down to minus one burst) and refills from there.
 */
export function createBucketGate(db: DbOrTx, now: () => Date, onError: (err: unknown) => void, syncMs = 100) {
  type State = { tenantId: string; row: BucketRow; pending: number; inflight: number; since: Date };
  const states = new Map<string, State>();
  let timer: NodeJS.Timeout | undefined;
  /** Something counted and not yet written. */
  let dirty = false;
  let writing: Promise<void> = Promise.resolve();

  const available = (r: BucketRow, at: number) => Math.min(r.burst, r.tokens + (r.perSecond * Math.max(0, at - r.refilledAt)) / 1000);
  /** The row after `n` requests taken at `since` (what the write will make of it). */
  const after = (r: BucketRow, n: number, since: number): BucketRow => ({ ...r, tokens: Math.max(-r.burst, available(r, since) - n), refilledAt: Math.max(r.refilledAt, since) });

  const write = async (groupId: string, st: State) => {
    const n = st.pending;
    // The requests are counted as taken when the first of them was (the bucket refills from then).
    const at = st.since;
    st.pending = 0;
    st.inflight = n;
    st.row = after(st.row, n, at.getTime());
    const refilled = sql`least(${scimRateBuckets.burst}::float8, ${scimRateBuckets.tokens} + ${scimRateBuckets.perSecond} * greatest(0, extract(epoch from (${at.toISOString()}::timestamptz - ${scimRateBuckets.refilledAt}))))`;
    try {
      const [row] = await db
        .insert(scimRateBuckets)
        .values({ groupId, tenantId: st.tenantId, burst: DEFAULT_RATE.burst, perSecond: DEFAULT_RATE.perSecond, tokens: DEFAULT_RATE.burst - n, refilledAt: at })
        .onConflictDoUpdate({
          target: scimRateBuckets.groupId,
          set: { tokens: sql`greatest(-${scimRateBuckets.burst}::float8, ${refilled} - ${n})`, refilledAt: sql`greatest(${scimRateBuckets.refilledAt}, ${at.toISOString()}::timestamptz)` },
        })
        .returning();
      if (row) st.row = { burst: row.burst, perSecond: row.perSecond, tokens: row.tokens, refilledAt: row.refilledAt.getTime() };
    } catch (err) {
      onError(err); // the row here keeps the requests taken; the database misses them
    } finally {
      st.inflight = 0;
    }
  };

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(async () => {
      for (const [groupId, st] of states) if (st.pending > 0) await write(groupId, st);
      // What was counted meanwhile is written after the next response (its own, or a later one).
      dirty = [...states.values()].some((st) => st.pending > 0);
    });
    return writing;
  };
  const later = () => {
    timer ??= setTimeout(() => void flush(), syncMs);
    timer.unref?.();
  };

  return {
    /**
     * Takes one request from the group's bucket; `seen` is the row as just read (undefined: no row
     * yet, the defaults apply). Returns 0 when taken, else the seconds until one is available.
     */
    take(groupId: string, tenantId: string, seen: BucketRow | undefined): number {
      let st = states.get(groupId);
      if (!st) {
        st = { tenantId, row: seen ?? { ...DEFAULT_RATE, tokens: DEFAULT_RATE.burst, refilledAt: now().getTime() }, pending: 0, inflight: 0, since: now() };
        states.set(groupId, st);
      } else if (seen && st.pending === 0 && st.inflight === 0) {
        st.row = seen;
      }
      const at = now().getTime();
      const left = available(st.pending > 0 ? after(st.row, st.pending, st.since.getTime()) : st.row, at);
      if (left >= 1) {
        if (st.pending === 0) st.since = new Date(at);
        st.pending += 1;
        dirty = true;
        return 0;
      }
      return st.row.perSecond > 0 ? Math.max(1, Math.ceil((1 - left) / st.row.perSecond)) : 60;
    },
    /** Schedules the write of what was taken (call it once a response has been sent). */
    afterResponse() {
      if (dirty && !timer) later();
    },
    /** Drops what this instance knows of a group (its limit was set, the bucket refilled); the next read sets it again. */
    forget(groupId: string) {
      states.delete(groupId);
    },
    flush,
  };
}

/**
 * SCIM tokens (one live per SCIM group, stored hashed), the per-group token bucket (in memory,
 * written behind to the database so instances share it: `createBucketGate`), and the request log
 * the SCIM tab shows.
 */
/** `groups`: sign-in's groups port (SCIM serves groups of type scim; it reads them through the port). */
export function createScimAccessService(deps: Pick<Platform, 'db' | 'now' | 'config' | 'log'> & { groups: GroupsPort }) {
  const { db, now, config } = deps;
  const groupTenants = new Map<string, { tenantId: string | undefined; until: number }>();
  const buckets = createBucketGate(db, now, (err) => deps.log.warn({ err }, 'could not write the SCIM rate buckets'));

  async function scimGroup(tx: DbOrTx, tenantId: string, groupId: string) {
    if (!UUID_RE.test(groupId)) return undefined;
    const g = await deps.groups.get(tx, tenantId, groupId);
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
     * The credential of a live token (only if it belongs to the group of the URL), read in one
     * statement with the group's bucket, and one request taken from the group's token bucket in
     * memory (see `createBucketGate`). `retryAfter` is 0 when the request may go ahead, else the
     * seconds until the bucket holds one again. Writes nothing on the request's path.
     */
    async authenticate(token: string | undefined, groupId: string): Promise<{ cred: ScimCredential; retryAfter: number } | undefined> {
      if (!token?.startsWith(SCIM_TOKEN_PREFIX) || token.length > 200 || !UUID_RE.test(groupId)) return undefined;
      type Row = {
        token_id: string;
        tenant_id: string;
        group_id: string;
        burst: number | null;
        per_second: number | null;
        tokens: number | null;
        refilled_at: string | Date | null;
      };
      // The token with its bucket, and the group through sign-in's port, read at once (the group id is the URL's).
      const [result, group] = await Promise.all([
        db.execute(sql`
          SELECT t.id AS token_id, t.tenant_id, t.group_id, b.burst, b.per_second, b.tokens, b.refilled_at
          FROM ${scimTokens} t LEFT JOIN ${scimRateBuckets} b ON b.group_id = t.group_id
          WHERE t.token_hash = ${hashToken(token)} AND t.revoked_at IS NULL AND t.group_id = ${groupId.toLowerCase()}::uuid`),
        deps.groups.scimGroup(db, groupId.toLowerCase()),
      ]);
      const row = (result as unknown as { rows: Row[] }).rows[0];
      if (!row || !group || group.archivedAt || group.tenantId !== row.tenant_id) return undefined;
      const cred = { tenantId: row.tenant_id, groupId: row.group_id, tokenId: row.token_id, groupName: group.name };
      const seen =
        row.burst === null
          ? undefined
          : { burst: Number(row.burst), perSecond: Number(row.per_second), tokens: Number(row.tokens), refilledAt: new Date(row.refilled_at!).getTime() };
      return { cred, retryAfter: buckets.take(cred.groupId, cred.tenantId, seen) };
    },

    /** The group of a SCIM URL, when it is one (to log rejected requests where the admin sees them). */
    async groupTenant(groupId: string): Promise<string | undefined> {
      if (!UUID_RE.test(groupId)) return undefined;
      const key = groupId.toLowerCase();
      const known = groupTenants.get(key);
      if (known && known.until > Date.now()) return known.tenantId;
      const tenantId = (await deps.groups.scimGroup(db, key))?.tenantId;
      // Remembered a minute, so a flood of rejected requests costs no read each (bounded, oldest out).
      if (groupTenants.size >= 10_000) groupTenants.delete(groupTenants.keys().next().value!);
      groupTenants.set(key, { tenantId, until: Date.now() + 60_000 });
      return tenantId;
    },

    /** Writes request log rows (several at once: see `createRequestLogBuffer`). */
    async log(entries: Array<LogEntry & { at: Date }>): Promise<void> {
      if (entries.length === 0) return;
      await db.insert(scimRequestLog).values(entries);
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
      buckets.forget(groupId);
    },

    /** Schedules the write of the requests taken from the buckets (once a response has been sent). */
    afterResponse: () => buckets.afterResponse(),
    /** Writes the requests taken from the buckets now (on close). */
    flushBuckets: () => buckets.flush(),
  };
}

export type ScimAccessService = ReturnType<typeof createScimAccessService>;

/** Text PostgreSQL refuses (NUL) or cannot encode (a lone UTF-16 surrogate) made storable. */
export function storableText(text: string, max: number): string {
  return text
    .slice(0, max)
    .replaceAll('\u0000', '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function storable(e: LogEntry & { at: Date }): LogEntry & { at: Date } {
  return {
    ...e,
    method: storableText(e.method, 16),
    path: storableText(e.path, 2000),
    scimType: e.scimType === undefined ? undefined : storableText(e.scimType, 100),
    errorDetail: e.errorDetail === undefined ? undefined : storableText(e.errorDetail, 2000),
    requestId: storableText(e.requestId, 100),
  };
}

/** Rejected requests (no or a wrong token) of one group are summed over this long: one row each. */
export const REJECTED_WINDOW_MS = 60_000;

/**
 * The request log is written in batches, a few hundred milliseconds after the requests (one
 * multi-row insert instead of a write per request). Rows are made storable first; if a batch still
 * fails, its rows are written one by one so one bad row loses only itself. Rows still buffered when
 * a process dies are lost; the log is a troubleshooting aid, not an audit trail (changes are in the
 * audit log).
 *
 * Rejected requests (401: no or a wrong token) cost a row each only for the first of a group in a
 * minute; the rest of that minute are counted and written as one row ("N more rejected requests"),
 * so junk traffic adds at most two rows a minute per group.
 */
export function createRequestLogBuffer(access: Pick<ScimAccessService, 'log'>, now: () => Date, onError: (err: unknown) => void, opts = { maxRows: 200, delayMs: 250 }) {
  let pending: Array<LogEntry & { at: Date }> = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  /** Per group: when its rejection minute started, and the rejections counted since its first. */
  const rejected = new Map<string, { since: Date; tenantId: string; count: number; last: LogEntry }>();
  let rejectTimer: NodeJS.Timeout | undefined;

  const write = async (batch: Array<LogEntry & { at: Date }>) => {
    if (batch.length === 0) return;
    try {
      await access.log(batch);
    } catch (err) {
      if (batch.length === 1) return onError(err);
      for (const row of batch) {
        try {
          await access.log([row]);
        } catch (rowErr) {
          onError(rowErr);
        }
      }
    }
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    writing = writing.then(() => write(batch)).catch(onError);
    return writing;
  };
  const push = (entry: LogEntry & { at: Date }) => {
    pending.push(storable(entry));
    if (pending.length >= opts.maxRows) void flush();
    else {
      timer ??= setTimeout(() => void flush(), opts.delayMs);
      timer.unref?.();
    }
  };
  /** Writes the counts of rejection minutes that have ended (or all of them, on close). */
  const closeRejections = (all: boolean) => {
    const at = now();
    for (const [groupId, r] of rejected) {
      if (!all && at.getTime() - r.since.getTime() < REJECTED_WINDOW_MS) continue;
      rejected.delete(groupId);
      if (r.count > 0) {
        push({
          ...r.last,
          path: '(rejected requests)',
          at,
          durationMs: 0,
          scimType: undefined,
          errorDetail: `${r.count} more request${r.count === 1 ? '' : 's'} with no or a wrong token since ${r.since.toISOString()}`,
        });
      }
    }
    if (rejectTimer) clearTimeout(rejectTimer);
    rejectTimer = undefined;
    if (rejected.size > 0) {
      rejectTimer = setTimeout(() => closeRejections(false), REJECTED_WINDOW_MS);
      rejectTimer.unref?.();
    }
  };
  return {
    add(entry: LogEntry) {
      const at = now();
      if (entry.status === 401) {
        const r = rejected.get(entry.groupId);
        if (r && at.getTime() - r.since.getTime() < REJECTED_WINDOW_MS) {
          r.count += 1;
          r.last = entry;
          return;
        }
        if (r) closeRejections(false);
        rejected.set(entry.groupId, { since: at, tenantId: entry.tenantId, count: 0, last: entry });
        if (!rejectTimer) {
          rejectTimer = setTimeout(() => closeRejections(false), REJECTED_WINDOW_MS);
          rejectTimer.unref?.();
        }
      }
      push({ ...entry, at });
    },
    /** Writes everything buffered now, rejected-request counts included (on close; tests). */
    flush() {
      closeRejections(true);
      return flush();
    },
  };
}
