import { randomUUID } from 'node:crypto';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { notFound } from '../../../platform/errors.js';
import type { Actor } from '../../../platform/audit/audit.js';
import type { RunKind, SkipReason } from '../integration.tables.js';
import { integrationRepo, type RunRow } from '../integration.repo.js';
import { runsRepo, STALE_AFTER_SECONDS } from './runs.repo.js';
import { presentRun } from './runs.presenters.js';

export { STALE_AFTER_SECONDS };

/**
 * Long work (import, merge-all, push, Wonde sync) runs as a job with a progress row. A handler
 * processes its items in batches; each batch commits its writes, the items it finished (keyed by
 * run + item) and the progress counters in one transaction, so a run that crashes resumes where
 * it stopped without duplicates, and never leaves a half-merged or half-created person.
 *
 * One execution at a time holds a run (`held_by`) and writes a heartbeat while it works; every
 * batch takes the run's advisory lock and checks it still holds the run, so two executions (a
 * worker and the CLI, or a resumed run and a process that was only frozen) never run a batch
 * twice. A run whose heartbeat is stale lost its worker (kill -9, a lost machine): the sweep job
 * fails that worker's pg-boss job and queues the run again at once, instead of waiting for the
 * job's 15-minute expiry.
 */
export const INTEGRATION_RUN_JOB = 'integration.run';
/** Finds runs whose worker died and resumes them: at worker start, shortly after, and every minute. */
export const RUN_SWEEP_JOB = 'integration.run-sweep';
export const HEARTBEAT_SECONDS = 10;

export type RunContext = {
  run: RunRow;
  /** The number of items this attempt will go through (all of them, finished or not). */
  setTotal(total: number): Promise<void>;
  /** Runs `fn` over the items not yet finished, in transactions of `batchSize`. */
  batches<T>(items: T[], keyOf: (item: T) => string, batchSize: number, fn: (tx: DbOrTx, batch: T[]) => Promise<BatchResult>): Promise<void>;
};
export type BatchResult = { items: Array<{ itemKey: string; outcome: 'created' | 'updated' | 'skipped' | 'queued' | 'failed'; skipReason?: SkipReason }> };
export type RunHandler = (ctx: RunContext) => Promise<void>;

export const actorLabel = (a: Actor) => a.label;

/** Another execution took the run over (this one was presumed dead): stop without writing. */
class RunTakenOver extends Error {}

/** `handlerOf`: the handler of each kind of run, given by createIntegration (the features export them). */
export function createRuns(deps: Pick<Platform, 'db' | 'jobs' | 'now' | 'log'>, handlerOf: (kind: RunKind) => RunHandler | undefined) {
  const { db, now } = deps;

  function sendJob(tx: DbOrTx, runId: string) {
    return deps.jobs.send(tx, INTEGRATION_RUN_JOB, { runId }, { singletonKey: runId, retryLimit: 5, retryDelay: 30, retryBackoff: true });
  }

  async function create(tx: DbOrTx, tenantId: string, kind: RunKind, params: Record<string, unknown>, actor: Actor): Promise<RunRow> {
    const run = await runsRepo.insert(tx, { tenantId, kind, params, createdBy: actor.label, createdAt: now() });
    await sendJob(tx, run.id);
    return run;
  }

  /** Takes the run unless it is finished or another execution holds it with a fresh heartbeat. */
  const claim = (runId: string, holder: string) => runsRepo.claim(db, runId, holder, now());

  /** In a batch's transaction: one batch of a run at a time, and only by the execution holding it. */
  async function lockRun(tx: DbOrTx, runId: string, holder: string) {
    await runsRepo.lockForBatch(tx, INTEGRATION_RUN_JOB, runId);
    if ((await runsRepo.holderOf(tx, runId)) !== holder) throw new RunTakenOver(`integration run ${runId} was taken over by another execution`);
  }

  /**
   * Works a run to its end here. `onProgress` hears the run row after each batch (the CLI's line).
   * When another live execution holds the run, returns it as it is, or with `follow` waits for it
   * (taking it over if that execution dies).
   */
  async function execute(runId: string, opts: { onProgress?: (run: RunRow) => void; follow?: boolean } = {}): Promise<RunRow> {
    const found = await integrationRepo.runById(db, runId);
    if (!found) throw new Error(`integration run ${runId} not found`);
    if (found.status === 'done') return found;
    const handler = handlerOf(found.kind);
    // Checked before the claim: a run held by nobody working it would be resumed every minute.
    if (!handler) throw new Error(`no handler for integration run kind ${found.kind}`);
    const holder = randomUUID();
    let run = await claim(runId, holder);
    while (!run) {
      const current = await integrationRepo.runById(db, runId);
      if (!current) throw new Error(`integration run ${runId} not found`);
      if (current.status === 'done' || !opts.follow) return current;
      opts.onProgress?.(current);
      await new Promise((r) => setTimeout(r, HEARTBEAT_SECONDS * 1000));
      run = await claim(runId, holder);
    }

    const heartbeat = setInterval(() => {
      runsRepo
        .heartbeat(db, runId, holder)
        .catch((err: unknown) => deps.log.warn({ err, runId }, 'integration run heartbeat failed'));
    }, HEARTBEAT_SECONDS * 1000);
    heartbeat.unref();

    let totalSet = false;
    const ctx: RunContext = {
      run,
      async setTotal(total) {
        // A resumed run counts what earlier attempts finished too; `batches` takes out the items
        // it finds finished in its list, so a list that shrank (merged pairs leave the queue) or
        // stayed whole (an import's members) both end at done = total.
        await inTransaction(db, async (tx) => {
          await lockRun(tx, runId, holder);
          await runsRepo.setTotalFromDone(tx, runId, total);
        });
        totalSet = true;
      },
      async batches(items, keyOf, batchSize, fn) {
        if (totalSet) {
          await inTransaction(db, async (tx) => {
            await lockRun(tx, runId, holder);
            let finished = 0;
            for (let i = 0; i < items.length; i += 1000) finished += (await integrationRepo.doneItems(tx, runId, items.slice(i, i + 1000).map(keyOf))).size;
            if (finished > 0) await runsRepo.lowerTotal(tx, runId, finished);
          });
        }
        for (let i = 0; i < items.length; i += batchSize) {
          const slice = items.slice(i, i + batchSize);
          await inTransaction(db, async (tx) => {
            await lockRun(tx, runId, holder);
            const done = await integrationRepo.doneItems(tx, runId, slice.map(keyOf));
            const todo = slice.filter((x) => !done.has(keyOf(x)));
            if (todo.length === 0) return;
            const result = await fn(tx, todo);
            await integrationRepo.markItems(tx, runId, result.items.map((r) => ({ itemKey: r.itemKey, outcome: r.skipReason ? `skipped:${r.skipReason}` : r.outcome })));
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
      clearInterval(heartbeat);
      if (err instanceof RunTakenOver) {
        deps.log.warn({ runId }, err.message);
        return (await integrationRepo.runById(db, runId))!;
      }
      const message = err instanceof Error ? err.message : String(err);
      await runsRepo.finish(db, runId, holder, { status: 'failed', error: message }, now());
      throw err;
    }
    clearInterval(heartbeat);
    const finished = await runsRepo.finish(db, runId, holder, { status: 'done' }, now());
    return finished ?? (await integrationRepo.runById(db, runId))!;
  }

  /**
   * Resumes the runs whose execution died: each stale run (status running, heartbeat older than
   * STALE_AFTER_SECONDS) is locked with SKIP LOCKED, so of several sweeping instances exactly one
   * takes it; its active job is failed and a new job queued, in one transaction. Returns their ids.
   */
  async function sweep(): Promise<string[]> {
    return inTransaction(db, async (tx) => {
      const found = await runsRepo.lockStale(tx);
      for (const id of found) {
        await deps.jobs.failActive(tx, INTEGRATION_RUN_JOB, id, `its worker stopped sending heartbeats; run ${id} resumed under a new job`);
        await runsRepo.requeue(tx, id);
        await sendJob(tx, id);
      }
      return found;
    });
  }

  /** A tenant's latest 50 runs, newest first. */
  async function list(tenantId: string) {
    return (await runsRepo.recent(db, tenantId, 50)).map((r) => presentRun(r));
  }

  async function get(tenantId: string, runId: string) {
    const run = await integrationRepo.run(db, tenantId, runId);
    if (!run) throw notFound('Run');
    // An import's skips, per reason (from its finished items: a resumed run counts earlier attempts' too).
    return presentRun(run, run.kind === 'import' ? await integrationRepo.skipReasons(db, runId) : undefined);
  }

  return {
    create,
    execute,
    sweep,
    list,
    get,
  };
}

/** The run jobs of a worker: the runs themselves and the sweep (at start, once runs left by a process that just died are stale, and every minute). */
export async function registerRunJobs(platform: Pick<Platform, 'db' | 'jobs' | 'log'>, runs: Runs): Promise<void> {
  await platform.jobs.work<{ runId: string }>(INTEGRATION_RUN_JOB, async (job) => {
    await runs.execute(job.data.runId);
  });
  await platform.jobs.work(RUN_SWEEP_JOB, async () => {
    const resumed = await runs.sweep();
    if (resumed.length > 0) platform.log.warn({ runs: resumed }, 'resumed integration runs whose worker had stopped');
  });
  await platform.jobs.schedule(RUN_SWEEP_JOB, '* * * * *');
  await platform.jobs.send(platform.db, RUN_SWEEP_JOB, {});
  await platform.jobs.send(platform.db, RUN_SWEEP_JOB, {}, { startAfter: new Date(Date.now() + (STALE_AFTER_SECONDS + 5) * 1000) }); // a Date: pg-boss's seconds form fails through a transaction
}

export type Runs = ReturnType<typeof createRuns>;
