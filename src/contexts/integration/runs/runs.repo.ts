import { and, desc, eq, isNotNull, lt, ne, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { integrationJobRuns, type RunKind } from '../integration.tables.js';
import type { RunRow } from '../integration.repo.js';

/** A heartbeat older than this means the execution is gone (several missed heartbeats). */
export const STALE_AFTER_SECONDS = 45;
const stale = sql`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`;

/**
 * The runs' own queries (the reads and item counters other features share are in integration.repo.ts).
 * Queries by run id alone are the worker's, which works runs of every tenant.
 */
export const runsRepo = {
  async insert(tx: DbOrTx, row: { tenantId: string; kind: RunKind; params: Record<string, unknown>; createdBy: string; createdAt: Date }): Promise<RunRow> {
    const [run] = await tx.insert(integrationJobRuns).values(row).returning();
    return run!;
  },
  /** A tenant's latest runs, newest first. */
  async recent(tx: DbOrTx, tenantId: string, limit: number): Promise<RunRow[]> {
    return tx.select().from(integrationJobRuns).where(eq(integrationJobRuns.tenantId, tenantId)).orderBy(desc(integrationJobRuns.createdAt)).limit(limit);
  },

  /** Takes the run unless it is finished or another execution holds it with a fresh heartbeat. */
  async claim(tx: DbOrTx, runId: string, holder: string, at: Date): Promise<RunRow | undefined> {
    const [run] = await tx
      .update(integrationJobRuns)
      .set({
        status: 'running',
        startedAt: sql`coalesce(${integrationJobRuns.startedAt}, ${at})`,
        attempts: sql`${integrationJobRuns.attempts} + 1`,
        error: null,
        heldBy: holder,
        heartbeatAt: sql`now()`,
      })
      .where(
        and(
          eq(integrationJobRuns.id, runId),
          ne(integrationJobRuns.status, 'done'),
          or(ne(integrationJobRuns.status, 'running'), sql`${integrationJobRuns.heldBy} IS NULL`, sql`${integrationJobRuns.heartbeatAt} IS NULL`, lt(integrationJobRuns.heartbeatAt, stale)),
        ),
      )
      .returning();
    return run;
  },
  /** One batch of a run at a time: a transaction-scoped advisory lock on the run. */
  async lockForBatch(tx: DbOrTx, namespace: string, runId: string) {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${namespace}), hashtext(${runId}))`);
  },
  async holderOf(tx: DbOrTx, runId: string): Promise<string | null | undefined> {
    const [row] = await tx.select({ heldBy: integrationJobRuns.heldBy }).from(integrationJobRuns).where(eq(integrationJobRuns.id, runId));
    return row?.heldBy;
  },
  async heartbeat(tx: DbOrTx, runId: string, holder: string) {
    await tx
      .update(integrationJobRuns)
      .set({ heartbeatAt: sql`now()` })
      .where(and(eq(integrationJobRuns.id, runId), eq(integrationJobRuns.heldBy, holder)));
  },
  /** A resumed run counts what earlier attempts finished too. */
  async setTotalFromDone(tx: DbOrTx, runId: string, remaining: number) {
    await tx.update(integrationJobRuns).set({ total: sql`${integrationJobRuns.done} + ${remaining}` }).where(eq(integrationJobRuns.id, runId));
  },
  async lowerTotal(tx: DbOrTx, runId: string, by: number) {
    await tx.update(integrationJobRuns).set({ total: sql`greatest(0, ${integrationJobRuns.total} - ${by})` }).where(eq(integrationJobRuns.id, runId));
  },
  /** Ends the run held by `holder` (done, or failed with the error); nothing when another execution holds it. */
  async finish(tx: DbOrTx, runId: string, holder: string, end: { status: 'done' } | { status: 'failed'; error: string }, at: Date): Promise<RunRow | undefined> {
    const [row] = await tx
      .update(integrationJobRuns)
      .set({ ...end, finishedAt: at, heldBy: null })
      .where(and(eq(integrationJobRuns.id, runId), eq(integrationJobRuns.heldBy, holder)))
      .returning();
    return row;
  },

  /** Runs (any tenant) whose execution stopped sending heartbeats, locked (SKIP LOCKED) in the caller's transaction. */
  async lockStale(tx: DbOrTx): Promise<string[]> {
    const rows = await tx
      .select({ id: integrationJobRuns.id })
      .from(integrationJobRuns)
      .where(and(eq(integrationJobRuns.status, 'running'), isNotNull(integrationJobRuns.heartbeatAt), lt(integrationJobRuns.heartbeatAt, stale)))
      .for('update', { skipLocked: true });
    return rows.map((r) => r.id);
  },
  async requeue(tx: DbOrTx, runId: string) {
    await tx.update(integrationJobRuns).set({ status: 'queued', heldBy: null }).where(eq(integrationJobRuns.id, runId));
  },
};
