import { and, count, eq, gt, gte, like, lte, or, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from './db/database.js';
import { rateCounters } from './rate-limit.tables.js';

/**
 * Lock-outs that cannot be raced: an attempt is counted (atomically, one statement) BEFORE the
 * secret is checked, so however many arrive at once, at most `limit` of them in a window are
 * ever checked; the one past the limit locks the key for `lockMs`. A success may give its
 * attempt back (`releaseAttempt`) or wipe the key (`clearAttempts`). Counters share the
 * `rate_counters` table with the other limits (several instances see the same counts).
 */
export type AttemptPolicy = { limit: number; windowMs: number; lockMs: number };

const secondsUntil = (until: Date | null | undefined, now: Date) => (!until || until <= now ? 0 : Math.ceil((until.getTime() - now.getTime()) / 1000));

/** Counts one attempt; returns the seconds the key is locked for (0: go ahead and check it). */
export async function countAttempt(db: DbOrTx, key: string, policy: AttemptPolicy, now: Date): Promise<number> {
  const at = now.toISOString();
  const lockUntil = new Date(now.getTime() + policy.lockMs).toISOString();
  const locked = sql`(${rateCounters.lockedUntil} IS NOT NULL AND ${rateCounters.lockedUntil} > ${at}::timestamptz)`;
  const fresh = sql`${rateCounters.windowStartedAt} <= ${new Date(now.getTime() - policy.windowMs).toISOString()}::timestamptz`;
  const next = sql`(CASE WHEN ${fresh} THEN 1 ELSE ${rateCounters.count} + 1 END)`;
  const [row] = await db
    .insert(rateCounters)
    .values({ key, count: 1, windowStartedAt: now, lockedUntil: policy.limit < 1 ? new Date(lockUntil) : null })
    .onConflictDoUpdate({
      target: rateCounters.key,
      set: {
        count: sql`CASE WHEN ${locked} THEN ${rateCounters.count} ELSE ${next} END`,
        windowStartedAt: sql`CASE WHEN ${locked} OR NOT ${fresh} THEN ${rateCounters.windowStartedAt} ELSE ${at}::timestamptz END`,
        lockedUntil: sql`CASE WHEN ${locked} THEN ${rateCounters.lockedUntil} WHEN ${next} > ${policy.limit} THEN ${lockUntil}::timestamptz ELSE NULL END`,
      },
    })
    .returning({ lockedUntil: rateCounters.lockedUntil });
  return secondsUntil(row?.lockedUntil, now);
}

/** Gives a counted attempt back (it succeeded), unless the key is locked. */
export async function releaseAttempt(db: DbOrTx, key: string, now: Date): Promise<void> {
  await db
    .update(rateCounters)
    .set({ count: sql`GREATEST(${rateCounters.count} - 1, 0)` })
    .where(and(eq(rateCounters.key, key), or(isNull(rateCounters.lockedUntil), lte(rateCounters.lockedUntil, now))));
}

export async function clearAttempts(db: DbOrTx, key: string): Promise<void> {
  await db.delete(rateCounters).where(eq(rateCounters.key, key));
}

/** How many keys under `prefix` have attempts in a window started since `since` (e.g. distinct addresses failing one account). */
export async function keysWithAttempts(db: DbOrTx, prefix: string, since: Date): Promise<number> {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const [row] = await db
    .select({ n: count() })
    .from(rateCounters)
    .where(and(like(rateCounters.key, pattern), gte(rateCounters.windowStartedAt, since), gt(rateCounters.count, 0)));
  return row?.n ?? 0;
}

/** Locks `key` until `until`; true when this call locked it (it was not locked already), so the caller tells people once. */
export async function lockKey(db: DbOrTx, key: string, until: Date, now: Date): Promise<boolean> {
  const rows = await db
    .insert(rateCounters)
    .values({ key, count: 0, windowStartedAt: now, lockedUntil: until })
    .onConflictDoUpdate({
      target: rateCounters.key,
      set: { lockedUntil: until },
      setWhere: or(isNull(rateCounters.lockedUntil), lte(rateCounters.lockedUntil, now)),
    })
    .returning({ key: rateCounters.key });
  return rows.length > 0;
}

export async function lockedSeconds(db: DbOrTx, key: string, now: Date): Promise<number> {
  const [row] = await db.select({ lockedUntil: rateCounters.lockedUntil }).from(rateCounters).where(eq(rateCounters.key, key));
  return secondsUntil(row?.lockedUntil, now);
}
