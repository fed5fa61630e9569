import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Platform } from './platform.js';
import type { DbOrTx } from './db/database.js';
import { rateCounters } from './rate-limit.tables.js';

/**
 * Counters for lock-outs and rate limits, kept in the database so several instances share them.
 * A fixed window of `windowMs`; reaching `limit` failures locks the key for `lockMs`.
 */
export type CounterPolicy = { limit: number; windowMs: number; lockMs: number };

export async function lockedFor(db: DbOrTx, key: string, now: Date): Promise<number> {
  const [row] = await db.select({ lockedUntil: rateCounters.lockedUntil }).from(rateCounters).where(eq(rateCounters.key, key));
  if (!row?.lockedUntil || row.lockedUntil <= now) return 0;
  return Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000);
}

/** Counts one event; returns seconds locked (0 when not locked). */
export async function countHit(db: DbOrTx, key: string, policy: CounterPolicy, now: Date): Promise<number> {
  const windowStart = new Date(now.getTime() - policy.windowMs);
  const lockUntil = new Date(now.getTime() + policy.lockMs);
  const fresh = sql`${rateCounters.windowStartedAt} < ${windowStart.toISOString()}::timestamptz`;
  const newCount = sql`CASE WHEN ${fresh} THEN 1 ELSE ${rateCounters.count} + 1 END`;
  const [row] = await db
    .insert(rateCounters)
    .values({ key, count: 1, windowStartedAt: now, lockedUntil: policy.limit <= 1 ? lockUntil : null })
    .onConflictDoUpdate({
      target: rateCounters.key,
      set: {
        count: newCount,
        windowStartedAt: sql`CASE WHEN ${fresh} THEN ${now.toISOString()}::timestamptz ELSE ${rateCounters.windowStartedAt} END`,
        lockedUntil: sql`CASE WHEN ${newCount} >= ${policy.limit} THEN ${lockUntil.toISOString()}::timestamptz ELSE ${rateCounters.lockedUntil} END`,
      },
    })
    .returning({ lockedUntil: rateCounters.lockedUntil });
  if (!row?.lockedUntil || row.lockedUntil <= now) return 0;
  return Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000);
}

export async function resetCounter(db: DbOrTx, key: string): Promise<void> {
  await db.delete(rateCounters).where(eq(rateCounters.key, key));
}

/**
 * Adds `n` hits to a shared fixed window that started at `windowStart` (every instance aligns its
 * windows on the clock, so they agree on the row's window); returns the window's total.
 */
export async function addToWindow(db: DbOrTx, key: string, n: number, windowStart: Date): Promise<number> {
  const stale = sql`${rateCounters.windowStartedAt} < ${windowStart.toISOString()}::timestamptz`;
  const [row] = await db
    .insert(rateCounters)
    .values({ key, count: n, windowStartedAt: windowStart })
    .onConflictDoUpdate({
      target: rateCounters.key,
      set: {
        count: sql`CASE WHEN ${stale} THEN ${n} ELSE ${rateCounters.count} + ${n} END`,
        windowStartedAt: sql`CASE WHEN ${stale} THEN ${windowStart.toISOString()}::timestamptz ELSE ${rateCounters.windowStartedAt} END`,
      },
    })
    .returning({ count: rateCounters.count });
  return row?.count ?? n;
}

/** The hits in the shared window that started at `windowStart` (0 when the row is of an older window). */
export async function windowCount(db: DbOrTx, key: string, windowStart: Date): Promise<number> {
  const [row] = await db.select({ count: rateCounters.count, at: rateCounters.windowStartedAt }).from(rateCounters).where(eq(rateCounters.key, key));
  return row && row.at.getTime() >= windowStart.getTime() ? row.count : 0;
}

export type LimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * A fixed-window limit decided in process memory, shared across instances by writing behind.
 *
 * Each instance counts hits in memory and decides at once; `syncMs` after a response has been sent
 * (`afterResponse`; never awaited by a request) it adds what it counted to the key's row in `rate_counters` and
 * learns the total of every instance from the same statement. The first hit of a key in a window
 * reads that row once (a read, no write). So one instance is exact, and several instances together
 * can overshoot by what the others counted since their last write (at most `syncMs` of traffic).
 * Windows are aligned on the clock (`floor(now / windowMs)`), so every instance agrees on them.
 */
export function createWindowLimiter(opts: { db: DbOrTx; now: () => Date; prefix: string; limit: number; windowMs: number; syncMs?: number; onError: (err: unknown) => void }) {
  const { db, now, prefix, limit, windowMs, onError } = opts;
  const syncMs = opts.syncMs ?? 100;
  /** shared: the total last read from the database; writing: hits on their way there (counted in neither); pending: not yet sent. */
  type State = { dbKey: string; window: number; shared: number; writing: number; pending: number; loading?: Promise<void> };
  const states = new Map<string, State>();
  let timer: NodeJS.Timeout | undefined;
  /** Something counted and not yet written. */
  let dirty = false;
  let syncing: Promise<void> = Promise.resolve();

  const sync = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    syncing = syncing.then(async () => {
      for (const st of states.values()) {
        if (st.pending === 0) continue;
        const n = st.pending;
        st.pending = 0;
        st.writing += n;
        try {
          st.shared = await addToWindow(db, st.dbKey, n, new Date(st.window * windowMs));
        } catch (err) {
          st.pending += n;
          onError(err);
        } finally {
          st.writing -= n;
        }
      }
      const current = Math.floor(now().getTime() / windowMs);
      for (const [key, st] of states) if (st.window < current && st.pending === 0) states.delete(key);
      // What was counted meanwhile is written after the next response (its own, or a later one).
      dirty = [...states.values()].some((st) => st.pending > 0);
    });
    return syncing;
  };
  const later = () => {
    timer ??= setTimeout(() => void sync(), syncMs);
    timer.unref?.();
  };

  function decide(st: State, at: number): LimitDecision {
    if (st.shared + st.writing + st.pending >= limit) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((st.window + 1) * windowMs - at) / 1000)) };
    st.pending += 1;
    dirty = true;
    return { ok: true };
  }

  return {
    /** Counts one hit for `key` unless it is over the limit. Awaits only a key's first read in a window. */
    async hit(key: string): Promise<LimitDecision> {
      const at = now().getTime();
      const window = Math.floor(at / windowMs);
      let st = states.get(key);
      if (!st || st.window !== window) {
        const fresh: State = { dbKey: `${prefix}${key}`, window, shared: 0, writing: 0, pending: 0 };
        fresh.loading = windowCount(db, fresh.dbKey, new Date(window * windowMs)).then(
          (n) => {
            fresh.shared = n;
          },
          onError,
        );
        // Hits of the previous window still waiting to be written go out on the next sync.
        if (st && st.pending > 0) states.set(`${key}\u0000${st.window}`, st);
        states.set(key, fresh);
        st = fresh;
      }
      if (st.loading) {
        await st.loading;
        st.loading = undefined;
      }
      return decide(st, at);
    },
    /** Schedules the write of what is counted (call it once a response has been sent). */
    afterResponse() {
      if (dirty && !timer) later();
    },
    /** Writes what is counted now (on close). */
    flush: () => sync(),
  };
}

/** Counters idle for a day (and not locking anything) are dropped hourly; every window is shorter. */
export const PRUNE_RATE_COUNTERS_JOB = 'platform.prune-rate-counters';
const PRUNE_AFTER_MS = 24 * 3600_000;

export async function pruneRateCounters(db: DbOrTx, now: Date): Promise<number> {
  const rows = await db
    .delete(rateCounters)
    .where(
      and(
        lt(rateCounters.windowStartedAt, new Date(now.getTime() - PRUNE_AFTER_MS)),
        or(isNull(rateCounters.lockedUntil), lt(rateCounters.lockedUntil, now)),
      ),
    )
    .returning({ key: rateCounters.key });
  return rows.length;
}

export async function registerRateLimitJobs(platform: Platform): Promise<void> {
  await platform.jobs.work(PRUNE_RATE_COUNTERS_JOB, async () => {
    await pruneRateCounters(platform.db, platform.now());
  });
  await platform.jobs.schedule(PRUNE_RATE_COUNTERS_JOB, '17 * * * *');
}
