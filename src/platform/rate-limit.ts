import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Platform } from './platform.js';
import type { DbOrTx } from './db/database.js';
import { rateCounters } from '../contexts/accounts/accounts.tables.js';

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

/** Counts one hit in a fixed window of `windowMs`; returns the hits so far and the ms until it resets. */
export async function countInWindow(db: DbOrTx, key: string, windowMs: number, now: Date): Promise<{ count: number; resetsInMs: number }> {
  const fresh = sql`${rateCounters.windowStartedAt} <= ${new Date(now.getTime() - windowMs).toISOString()}::timestamptz`;
  const [row] = await db
    .insert(rateCounters)
    .values({ key, count: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: rateCounters.key,
      set: {
        count: sql`CASE WHEN ${fresh} THEN 1 ELSE ${rateCounters.count} + 1 END`,
        windowStartedAt: sql`CASE WHEN ${fresh} THEN ${now.toISOString()}::timestamptz ELSE ${rateCounters.windowStartedAt} END`,
      },
    })
    .returning({ count: rateCounters.count, windowStartedAt: rateCounters.windowStartedAt });
  const started = row?.windowStartedAt.getTime() ?? now.getTime();
  return { count: row?.count ?? 1, resetsInMs: Math.max(0, started + windowMs - now.getTime()) };
}

/** The store interface of @fastify/rate-limit (incr + child), here kept in the database. */
export type RateLimitStore = {
  incr(key: string, cb: (err: Error | null, res?: { current: number; ttl: number }) => void, timeWindow: number, max: number): void;
  child(routeOptions: object): RateLimitStore;
};

/**
 * A @fastify/rate-limit store whose counters live in `rate_counters`, so a limit holds across
 * several instances. Keys are prefixed (`api:ip:<addr>`) to share the table with lock-outs.
 */
export function databaseRateLimitStore(db: DbOrTx, now: () => Date, prefix: string): new (options: object) => RateLimitStore {
  return class DatabaseRateLimitStore implements RateLimitStore {
    incr(key: string, cb: (err: Error | null, res?: { current: number; ttl: number }) => void, timeWindow: number) {
      countInWindow(db, `${prefix}${key}`, timeWindow, now()).then(
        (r) => cb(null, { current: r.count, ttl: r.resetsInMs }),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    }
    child() {
      return this;
    }
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
