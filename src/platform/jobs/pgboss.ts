import PgBoss from 'pg-boss';
import { sql, type SQL } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { JobBatchHandler, JobHandler, JobOptions, JobQueue } from './jobs.js';

export const JOB_SCHEMA = 'pgboss';

type BossDb = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

/**
 * pg-boss talks to our database through an adapter, so it runs the same on PGlite (one
 * connection, no pool of its own) and on PostgreSQL. Statements without parameters may hold
 * several commands (pg-boss's maintenance does), so they go through `exec`.
 */
export function databaseAdapter(database: Database): BossDb {
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) return database.query(text, values);
      if (database.kind === 'pglite') {
        const results = await database.pglite!.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      }
      return database.query(text);
    },
  };
}

/**
 * The adapter for a drizzle transaction (or the database): pg-boss's `$n` placeholders become
 * drizzle parameters, so the job row is written by the caller's transaction.
 */
export function transactionAdapter(tx: DbOrTx): BossDb {
  return {
    async executeSql(text, values = []) {
      const chunks: SQL[] = [];
      let last = 0;
      for (const m of text.matchAll(/\$(\d+)/g)) {
        chunks.push(sql.raw(text.slice(last, m.index)));
        chunks.push(sql`${sql.param(values[Number(m[1]) - 1])}`);
        last = m.index + m[0].length;
      }
      chunks.push(sql.raw(text.slice(last)));
      const res = (await tx.execute(sql.join(chunks, sql.raw('')))) as unknown as { rows: unknown[] };
      return { rows: res.rows };
    },
  };
}

function bossOptions(database: Database, extra: Partial<PgBoss.ConstructorOptions> = {}): PgBoss.ConstructorOptions {
  return {
    db: databaseAdapter(database) as PgBoss.Db,
    schema: JOB_SCHEMA,
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    ...extra,
  };
}

/** Creates pg-boss's tables (global test setup, `db migrate`). */
export async function installJobSchema(database: Database, log: Logger): Promise<void> {
  const boss = new PgBoss(bossOptions(database, { supervise: false, schedule: false, migrate: true }));
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  await boss.stop({ graceful: false, wait: true, close: false });
}

export type JobQueueOptions = {
  /** Poll interval of idle workers in seconds (pg-boss's minimum is 0.5; default 2). */
  pollingIntervalSeconds?: number;
  /** How long stop() waits for running handlers before failing them (default 10 s). */
  stopTimeoutMs?: number;
};

/** A queued job with this singleton key blocks a second one (the pg-boss states before 'active'). */
const QUEUED_STATES = `('created', 'retry')`;

export function createJobQueue(database: Database, log: Logger, opts: JobQueueOptions = {}): JobQueue {
  const boss = new PgBoss(bossOptions(database));
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  const knownQueues = new Set<string>();
  const handlers: Array<{ name: string; handler: JobBatchHandler<object>; batchSize: number }> = [];
  const schedules: Array<{ name: string; cron: string; data: object }> = [];
  let state: 'idle' | 'starting' | 'working' | 'stopping' = 'idle';
  let started: Promise<void> | undefined;
  let running = 0; // handlers in progress, so stop() can wait for a fetch that was in flight

  async function ensureQueue(adapter: BossDb, name: string) {
    if (knownQueues.has(name)) return;
    const { rows } = await adapter.executeSql(`SELECT 1 FROM ${JOB_SCHEMA}.queue WHERE name = $1`, [name]);
    if (rows.length > 0) {
      knownQueues.add(name);
      return;
    }
    // Two transactions creating the same new queue at once deadlocked in create_queue (its row and
    // its partition are locked in opposite orders; seen as a 500 under load, decision 010): one
    // lock, held to the end of the transaction, orders every queue creation; then look again.
    await adapter.executeSql('SELECT pg_advisory_xact_lock(hashtext($1))', [`${JOB_SCHEMA}.create_queue`]);
    const again = await adapter.executeSql(`SELECT 1 FROM ${JOB_SCHEMA}.queue WHERE name = $1`, [name]);
    if (again.rows.length > 0) return;
    // Not remembered: inside a transaction that may still roll back.
    await adapter.executeSql(`SELECT ${JOB_SCHEMA}.create_queue($1, $2::json)`, [name, JSON.stringify({ policy: 'standard' })]);
  }

  async function startWorker(h: (typeof handlers)[number]) {
    await ensureQueue(databaseAdapter(database), h.name);
    const worker: { id?: string } = {}; // set once boss.work answers; its first fetch is still in flight then
    worker.id = await boss.work<object>(
      h.name,
      { batchSize: h.batchSize, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 },
      async (jobs) => {
        // pg-boss 10 sleeps a whole polling interval after every fetch, even a full one, so a
        // backlog drained one job per interval (100 e-mails took 200 s). A full batch means more
        // may be waiting: wake the worker to fetch again at once; an empty or short one sleeps.
        if (jobs.length >= h.batchSize && worker.id) boss.notifyWorker(worker.id);
        running++;
        let failed: Array<{ id: string; error: unknown }>;
        try {
          failed = await h.handler(jobs.map((job) => ({ id: job.id, data: job.data })));
        } finally {
          running--;
        }
        if (failed.length === 0) return;
        // Failed here, each on its own (retried while retries remain); pg-boss then completes the
        // rest (its completion touches only jobs still active).
        for (const f of failed) {
          log.warn({ err: f.error, job: { id: f.id, name: h.name } }, 'job failed (it is retried while retries remain)');
          await boss.fail(h.name, f.id, { message: f.error instanceof Error ? f.error.message : String(f.error) });
        }
      },
    );
  }

  async function startSchedule(s: (typeof schedules)[number]) {
    await ensureQueue(databaseAdapter(database), s.name);
    await boss.schedule(s.name, s.cron, s.data, { tz: 'UTC' });
  }

  return {
    async send(tx, name, data, options: JobOptions = {}) {
      const adapter = transactionAdapter(tx);
      await ensureQueue(adapter, name);
      const { expireInSeconds, singletonKey, ...rest } = options;
      if (singletonKey) {
        // pg-boss 10 dedupes keys only on special queue policies; a standard queue dedupes here:
        // the lock (held until the transaction ends) serialises senders of the same key.
        await adapter.executeSql('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [name, singletonKey]);
        const { rows } = await adapter.executeSql(
          `SELECT 1 FROM ${JOB_SCHEMA}.job WHERE name = $1 AND singleton_key = $2 AND state IN ${QUEUED_STATES} LIMIT 1`,
          [name, singletonKey],
        );
        if (rows.length > 0) return null;
      }
      return boss.send(name, data, {
        ...rest,
        ...(singletonKey ? { singletonKey } : {}),
        ...(expireInSeconds ? { expireInSeconds } : {}),
        db: adapter as PgBoss.Db,
      });
    },
    async sendMany(tx, name, jobs, options = {}) {
      if (jobs.length === 0) return 0;
      const adapter = transactionAdapter(tx);
      await ensureQueue(adapter, name);
      // A key given twice keeps its first job (the second `send` would have found it queued).
      const seen = new Set<string>();
      let todo = jobs.filter((j) => j.singletonKey === undefined || (!seen.has(j.singletonKey) && Boolean(seen.add(j.singletonKey))));
      const keys = [...seen].sort();
      if (keys.length) {
        // The same lock `send` takes per key, for every key, taken in one order (so two senders of
        // overlapping keys queue behind each other instead of deadlocking).
        await adapter.executeSql('SELECT count(pg_advisory_xact_lock(hashtext($1), hashtext(k))) FROM (SELECT k FROM unnest($2::text[]) AS k ORDER BY k) AS s', [name, keys]);
        const { rows } = await adapter.executeSql(`SELECT DISTINCT singleton_key FROM ${JOB_SCHEMA}.job WHERE name = $1 AND singleton_key = ANY($2::text[]) AND state IN ${QUEUED_STATES}`, [name, keys]);
        const queued = new Set((rows as Array<{ singleton_key: string }>).map((r) => r.singleton_key));
        todo = todo.filter((j) => j.singletonKey === undefined || !queued.has(j.singletonKey));
      }
      if (todo.length === 0) return 0;
      const { expireInSeconds, retryLimit, retryDelay, retryBackoff } = options;
      await boss.insert(
        todo.map((j) => ({ name, data: j.data, singletonKey: j.singletonKey, retryLimit, retryDelay, retryBackoff, expireInSeconds })),
        { db: adapter as PgBoss.Db },
      );
      return todo.length;
    },
    async failActive(tx, name, singletonKey, message) {
      // pg-boss's own fail() would retry after a backoff; the caller sends the next job itself.
      const { rows } = await transactionAdapter(tx).executeSql(
        `UPDATE ${JOB_SCHEMA}.job SET state = 'failed', completed_on = now(), output = $3::jsonb WHERE name = $1 AND singleton_key = $2 AND state = 'active' RETURNING id`,
        [name, singletonKey, JSON.stringify({ message })],
      );
      return rows.length;
    },
    async work(name, handler, options = {}) {
      // One job at a time, as a batch handler: a job that throws fails the fetch it came in, as before.
      const one = handler as JobHandler<object>;
      const batch: JobBatchHandler<object> = async (jobs) => {
        for (const job of jobs) {
          try {
            await one(job);
          } catch (err) {
            log.warn({ err, job: { id: job.id, name } }, 'job failed (it is retried while retries remain)');
            throw err;
          }
        }
        return [];
      };
      const h = { name, handler: batch, batchSize: options.batchSize ?? 1 };
      handlers.push(h);
      if (state === 'working') await startWorker(h);
    },
    async workMany(name, handler, options) {
      const many = handler as JobBatchHandler<object>;
      const batch: JobBatchHandler<object> = async (jobs) => {
        try {
          return await many(jobs);
        } catch (err) {
          log.warn({ err, job: { ids: jobs.map((j) => j.id), name } }, 'jobs failed (they are retried while retries remain)');
          throw err;
        }
      };
      const h = { name, handler: batch, batchSize: options.batchSize };
      handlers.push(h);
      if (state === 'working') await startWorker(h);
    },
    async schedule(name, cron, data = {}) {
      const s = { name, cron, data };
      schedules.push(s);
      if (state === 'working') await startSchedule(s);
    },
    /** Starts working the registered handlers and schedules in this process. */
    async start() {
      started ??= (async () => {
        state = 'starting';
        await boss.start();
        for (const h of handlers) await startWorker(h);
        for (const s of schedules) await startSchedule(s);
        state = 'working';
      })();
      await started;
    },
    /** Stops fetching, waits for running handlers (up to stopTimeoutMs), then fails what is left. */
    async stop() {
      if (!started) return;
      await started.catch(() => undefined);
      if (state !== 'working') return;
      state = 'stopping';
      const timeout = opts.stopTimeoutMs ?? 10_000;
      const deadline = Date.now() + timeout;
      await boss.stop({ graceful: true, wait: true, close: false, timeout });
      while (running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // pg-boss marks a finished job complete without awaiting it; let that statement through first.
      await database.query('SELECT 1');
      state = 'idle';
      started = undefined;
    },
  };
}
