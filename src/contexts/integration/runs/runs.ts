import { eq } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { Actor } from '../../../platform/audit/audit.js';
import { integrationJobRuns, type RunKind } from '../integration.tables.js';
import { integrationRepo, type RunRow } from '../integration.repo.js';

/**
 * Long work (import, merge-all, push, Wonde sync) runs as a job with a progress row. A handler
 * processes its items in batches; each batch commits its writes, the items it finished (keyed by
 * run + item) and the progress counters in one transaction, so a run that crashes resumes where
 * it stopped without duplicates, and never leaves a half-merged or half-created person.
 */
export const INTEGRATION_RUN_JOB = 'integration.run';

export type RunContext = {
  run: RunRow;
  setTotal(total: number): Promise<void>;
  /** Runs `fn` over the items not yet finished, in transactions of `batchSize`. */
  batches<T>(items: T[], keyOf: (item: T) => string, batchSize: number, fn: (tx: DbOrTx, batch: T[]) => Promise<BatchResult>): Promise<void>;
};
export type BatchResult = { items: Array<{ itemKey: string; outcome: 'created' | 'updated' | 'skipped' | 'queued' | 'failed' }> };
export type RunHandler = (ctx: RunContext) => Promise<void>;

export const actorLabel = (a: Actor) => a.label;

/** `handlerOf`: the handler of each kind of run, given by createIntegration (the features export them). */
export function createRuns(deps: Pick<Platform, 'db' | 'jobs' | 'now'>, handlerOf: (kind: RunKind) => RunHandler | undefined) {
  const { db, now } = deps;

  async function create(tx: DbOrTx, tenantId: string, kind: RunKind, params: Record<string, unknown>, actor: Actor): Promise<RunRow> {
    const [run] = await tx.insert(integrationJobRuns).values({ tenantId, kind, params, createdBy: actor.label, createdAt: now() }).returning();
    await deps.jobs.send(tx, INTEGRATION_RUN_JOB, { runId: run!.id }, { singletonKey: run!.id, retryLimit: 5, retryDelay: 30, retryBackoff: true });
    return run!;
  }

  /** Works a run to its end here. `onProgress` hears the run row after each batch (the CLI's line). */
  async function execute(runId: string, opts: { onProgress?: (run: RunRow) => void } = {}): Promise<RunRow> {
    const run = await integrationRepo.runById(db, runId);
    if (!run) throw new Error(`integration run ${runId} not found`);
    if (run.status === 'done') return run;
    const handler = handlerOf(run.kind);
    if (!handler) throw new Error(`no handler for integration run kind ${run.kind}`);
    await db
      .update(integrationJobRuns)
      .set({ status: 'running', startedAt: run.startedAt ?? now(), attempts: run.attempts + 1, error: null })
      .where(eq(integrationJobRuns.id, runId));
    const ctx: RunContext = {
      run,
      async setTotal(total) {
        await db.update(integrationJobRuns).set({ total }).where(eq(integrationJobRuns.id, runId));
      },
      async batches(items, keyOf, batchSize, fn) {
        for (let i = 0; i < items.length; i += batchSize) {
          const slice = items.slice(i, i + batchSize);
          await inTransaction(db, async (tx) => {
            const done = await integrationRepo.doneItems(tx, runId, slice.map(keyOf));
            const todo = slice.filter((x) => !done.has(keyOf(x)));
            if (todo.length === 0) return;
            const result = await fn(tx, todo);
            await integrationRepo.markItems(tx, runId, result.items);
            const count = (o: string) => result.items.filter((r) => r.outcome === o).length;
            await integrationRepo.bumpRun(tx, runId, {
              done: result.items.length,
              created: count('created') + count('queued'),
              queued: count('queued'),
              updated: count('updated'),
              skipped: count('skipped'),
              failed: count('failed'),
            });
          });
          if (opts.onProgress) {
            const now = await integrationRepo.runById(db, runId);
            if (now) opts.onProgress(now);
          }
        }
      },
    };
    try {
      await handler(ctx);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await db.update(integrationJobRuns).set({ status: 'failed', error: message, finishedAt: now() }).where(eq(integrationJobRuns.id, runId));
      throw err;
    }
    const [finished] = await db.update(integrationJobRuns).set({ status: 'done', finishedAt: now() }).where(eq(integrationJobRuns.id, runId)).returning();
    return finished!;
  }

  return { create, execute };
}

export type Runs = ReturnType<typeof createRuns>;

export function presentRun(r: RunRow) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    total: r.total,
    done: r.done,
    created: r.created,
    queued: r.queued,
    updated: r.updated,
    skipped: r.skipped,
    failed: r.failed,
    percent: r.total > 0 ? Math.min(100, Math.round((r.done / r.total) * 100)) : r.status === 'done' ? 100 : 0,
    error: r.error,
    attempts: r.attempts,
    params: r.params,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}
