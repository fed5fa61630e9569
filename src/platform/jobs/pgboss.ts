import PgBoss from 'pg-boss';
import { sql, type SQL } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { JobHandler, JobOptions, JobQueue } from './jobs.js';

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
  /** Poll interval of workers in seconds (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
};

export function createJobQueue(database: Database, log: Logger, opts: JobQueueOptions = {}): JobQueue {
  const boss = new PgBoss(bossOptions(database));
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  let started: Promise<void> | undefined;
  const knownQueues = new Set<string>();
  const handlers: Array<{ name: string; handler: JobHandler<object>; batchSize: number }> = [];
  const schedules: Array<{ name: string; cron: string; data: object }> = [];
  let working = false;

  async function ensureQueue(adapter: BossDb, name: string) {
    if (knownQueues.has(name)) return;
    const { rows } = await adapter.executeSql(`SELECT 1 FROM ${JOB_SCHEMA}.queue WHERE name = $1`, [name]);
    if (rows.length > 0) {
      knownQueues.add(name);
      return;
    }
    await adapter.executeSql(`SELECT ${JOB_SCHEMA}.create_queue($1, $2::json)`, [name, JSON.stringify({ policy: 'standard' })]);
  }

  async function startWorkers() {
    for (const h of handlers) {
      await ensureQueue(databaseAdapter(database), h.name);
      await boss.work<object>(
        h.name,
        { batchSize: h.batchSize, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 1 },
        async (jobs) => {
          for (const job of jobs) await h.handler({ id: job.id, data: job.data });
        },
      );
    }
    for (const s of schedules) {
      await ensureQueue(databaseAdapter(database), s.name);
      await boss.schedule(s.name, s.cron, s.data, { tz: 'UTC' });
    }
  }

  return {
    async send(tx, name, data, options: JobOptions = {}) {
      const adapter = transactionAdapter(tx);
      await ensureQueue(adapter, name);
      const { expireInSeconds, ...rest } = options;
      return boss.send(name, data, {
        ...rest,
        ...(expireInSeconds ? { expireInSeconds } : {}),
        db: adapter as PgBoss.Db,
      });
    },
    async work(name, handler, options = {}) {
      handlers.push({ name, handler: handler as JobHandler<object>, batchSize: options.batchSize ?? 1 });
    },
    async schedule(name, cron, data = {}) {
      schedules.push({ name, cron, data });
    },
    /** Starts working the registered handlers and schedules in this process. */
    async start() {
      started ??= (async () => {
        await boss.start();
        working = true;
        await startWorkers();
      })();
      await started;
    },
    async stop() {
      if (!working) return;
      working = false;
      await boss.stop({ graceful: true, wait: true, close: false, timeout: 10_000 });
    },
  };
}
