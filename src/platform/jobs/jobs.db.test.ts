import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { waitFor } from '../../../test/wait.js';
import { inTransaction } from '../db/tx.js';
import { createLogger } from '../logger.js';
import { createJobQueue, JOB_SCHEMA } from './pgboss.js';
import type { JobQueue } from './jobs.js';

const statements: string[] = [];
const env = useTestEnv({ configOverrides: { jobPollSeconds: 0.5 }, onStatement: (text) => statements.push(text) });
const queues: JobQueue[] = [];
afterAll(async () => {
  for (const q of queues) await q.stop();
});

const queueName = (what: string) => `test.${what}-${randomUUID().slice(0, 8)}`;

async function jobRows(name: string) {
  const { rows } = await env.platform.database.query<{ id: string; state: string; retry_count: number; singleton_key: string | null }>(
    `SELECT id, state, retry_count, singleton_key FROM ${JOB_SCHEMA}.job WHERE name = $1 ORDER BY created_on`,
    [name],
  );
  return rows;
}

/** A queue of its own that works jobs, polling fast. */
async function startedQueue(): Promise<JobQueue> {
  const q = createJobQueue(env.platform.database, createLogger('silent'), { pollingIntervalSeconds: 0.5 });
  queues.push(q);
  await q.start();
  return q;
}

describe('job queue', () => {
  it('drops a job whose transaction rolls back and keeps one whose transaction commits', async () => {
    const name = queueName('tx');
    await expect(
      inTransaction(env.platform.db, async (tx) => {
        await env.platform.jobs.send(tx, name, { n: 1 });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await jobRows(name)).toEqual([]);

    const id = await inTransaction(env.platform.db, (tx) => env.platform.jobs.send(tx, name, { n: 2 }));
    expect(id).toEqual(expect.any(String));
    expect((await jobRows(name)).map((r) => r.id)).toEqual([id]);
  });

  it('works a committed job in a started worker', async () => {
    const name = queueName('work');
    const q = await startedQueue();
    const seen: Array<{ n: number }> = [];
    await q.work<{ n: number }>(name, async (job) => {
      seen.push(job.data);
    });
    await inTransaction(env.platform.db, (tx) => q.send(tx, name, { n: 7 }));
    await waitFor(() => seen.length === 1, { what: 'the job to be worked' });
    expect(seen).toEqual([{ n: 7 }]);
    await waitFor(async () => (await jobRows(name))[0]?.state === 'completed', { what: 'completion' });
  });

  it('drains a backlog without sleeping a polling interval between full fetches', async () => {
    const name = queueName('backlog');
    // A minute between polls: one job per poll would take four minutes; the backlog must go at once.
    const q = createJobQueue(env.platform.database, createLogger('silent'), { pollingIntervalSeconds: 60 });
    queues.push(q);
    const seen: number[] = [];
    await q.work<{ n: number }>(name, async (job) => {
      seen.push(job.data.n);
    });
    for (const n of [1, 2, 3, 4]) await inTransaction(env.platform.db, (tx) => q.send(tx, name, { n }));
    await q.start();
    await waitFor(() => seen.length === 4, { what: 'the backlog to drain' });
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const name = queueName('retry');
    const q = await startedQueue();
    const attempts: number[] = [];
    await q.work(name, async () => {
      attempts.push(Date.now());
      if (attempts.length < 3) throw new Error(`failure ${attempts.length}`);
    });
    await inTransaction(env.platform.db, (tx) => q.send(tx, name, {}, { retryLimit: 3, retryDelay: 1, retryBackoff: true }));
    await waitFor(async () => (await jobRows(name))[0]?.state === 'completed', { what: 'completion after retries', timeoutMs: 25_000 });
    expect(attempts).toHaveLength(3);
    expect((await jobRows(name))[0]?.retry_count).toBe(2);
    // Backoff: the delay before retry n is at least retryDelay * 2^(n-1) seconds.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(900);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(1900);
  }, 40_000);

  it('dedupes queued jobs by singletonKey', async () => {
    const name = queueName('single');
    const send = (key: string) => inTransaction(env.platform.db, (tx) => env.platform.jobs.send(tx, name, {}, { singletonKey: key }));
    const first = await send('k1');
    const again = await send('k1');
    const other = await send('k2');
    expect(first).toEqual(expect.any(String));
    expect(again).toBeNull();
    expect(other).toEqual(expect.any(String));
    expect((await jobRows(name)).map((r) => r.singleton_key)).toEqual(['k1', 'k2']);
  });

  it('sendMany queues many jobs in three statements however many, dropping keys already queued or given twice, with the options given', async () => {
    const name = queueName('many');
    // The workers of the tests above poll through the same database: stopped, so only this test's statements are counted.
    for (const q of queues) await q.stop();
    await inTransaction(env.platform.db, (tx) => env.platform.jobs.send(tx, name, { n: 0 }, { singletonKey: 'k0' }));
    // The queue is known from here on (a queue created in a transaction is remembered once seen committed).
    expect(await inTransaction(env.platform.db, (tx) => env.platform.jobs.send(tx, name, { n: 0 }, { singletonKey: 'k0' }))).toBeNull();
    const sendMany = async (keys: string[]) => {
      const from = statements.length;
      const queued = await inTransaction(env.platform.db, (tx) => env.platform.jobs.sendMany(tx, name, keys.map((k) => ({ data: { k }, singletonKey: k })), { retryLimit: 5, retryDelay: 30, retryBackoff: true }));
      return { queued, sent: statements.slice(from).filter((q) => !/^\s*(begin|commit)\b/i.test(q)).length };
    };
    const few = await sendMany(['k0', 'k1', 'k2', 'k1']);
    expect(few.queued).toBe(2);
    const keys = Array.from({ length: 300 }, (_, i) => `m${i}`);
    const many = await sendMany(['k2', ...keys]);
    expect(many.queued).toBe(300);
    expect(few.sent).toBe(3);
    expect(many.sent).toBe(few.sent);
    const rows = await jobRows(name);
    expect(rows.map((r) => r.singleton_key)).toEqual(expect.arrayContaining(['k0', 'k1', 'k2', ...keys]));
    expect(rows).toHaveLength(303);
    const { rows: opts } = await env.platform.database.query<{ retry_limit: number; retry_delay: number; retry_backoff: boolean; data: { k: string } }>(
      `SELECT retry_limit, retry_delay, retry_backoff, data FROM ${JOB_SCHEMA}.job WHERE name = $1 AND singleton_key = 'k1'`,
      [name],
    );
    expect(opts).toEqual([{ retry_limit: 5, retry_delay: 30, retry_backoff: true, data: { k: 'k1' } }]);
    // Nothing queued when every key is: only the lock and the read.
    expect(await sendMany(['k0', 'k1'])).toEqual({ queued: 0, sent: 2 });
    // A rolled-back sendMany leaves nothing.
    await expect(
      inTransaction(env.platform.db, async (tx) => {
        await env.platform.jobs.sendMany(tx, name, [{ data: {}, singletonKey: 'gone' }, { data: {} }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await jobRows(name)).toHaveLength(303);
  });

  it('workMany hands a fetch of jobs to one handler; a job it answers as failed fails alone, the rest complete', async () => {
    const name = queueName('many-work');
    const q = createJobQueue(env.platform.database, createLogger('silent'), { pollingIntervalSeconds: 0.5 });
    queues.push(q);
    const batches: number[][] = [];
    await q.workMany<{ n: number }>(
      name,
      async (jobs) => {
        batches.push(jobs.map((j) => j.data.n));
        return jobs.filter((j) => j.data.n === 3).map((j) => ({ id: j.id, error: new Error('three is refused') }));
      },
      { batchSize: 10 },
    );
    await inTransaction(env.platform.db, (tx) => q.sendMany(tx, name, [1, 2, 3, 4, 5].map((n) => ({ data: { n } })), { retryLimit: 0 }));
    await q.start();
    await waitFor(async () => (await jobRows(name)).every((r) => r.state === 'completed' || r.state === 'failed'), { what: 'the jobs to be worked' });
    expect(batches.map((b) => [...b].sort())).toEqual([[1, 2, 3, 4, 5]]);
    const { rows } = await env.platform.database.query<{ n: number; state: string; output: { message?: string } | null }>(`SELECT (data->>'n')::int AS n, state, output FROM ${JOB_SCHEMA}.job WHERE name = $1 ORDER BY 1`, [name]);
    expect(rows.map((r) => [r.n, r.state])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'failed'],
      [4, 'completed'],
      [5, 'completed'],
    ]);
    expect(rows[2]!.output).toMatchObject({ message: 'three is refused' });
  });

  it('registers a cron schedule, also when added after start', async () => {
    const early = queueName('cron');
    const late = queueName('cron');
    const q = createJobQueue(env.platform.database, createLogger('silent'), { pollingIntervalSeconds: 0.5 });
    queues.push(q);
    await q.schedule(early, '*/5 * * * *', { a: 1 });
    await q.start();
    await q.schedule(late, '0 3 * * *');
    const { rows } = await env.platform.database.query<{ name: string; cron: string; timezone: string; data: unknown }>(
      `SELECT name, cron, timezone, data FROM ${JOB_SCHEMA}.schedule WHERE name = ANY($1) ORDER BY cron`,
      [[early, late]],
    );
    expect(rows).toEqual([
      { name: early, cron: '*/5 * * * *', timezone: 'UTC', data: { a: 1 } },
      { name: late, cron: '0 3 * * *', timezone: 'UTC', data: {} },
    ]);
  });

  it('stops gracefully: a running handler finishes and its job completes', async () => {
    const name = queueName('stop');
    const q = await startedQueue();
    let entered = false;
    let finished = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await q.work(name, async () => {
      entered = true;
      await gate;
      finished = true;
    });
    await inTransaction(env.platform.db, (tx) => q.send(tx, name, {}));
    await waitFor(() => entered, { what: 'the handler to start' });
    const stopping = q.stop();
    let stopResolved = false;
    void stopping.then(() => (stopResolved = true));
    // The handler is still blocked: stop() must not have resolved yet (give pending callbacks a turn).
    await new Promise((r) => setImmediate(r));
    expect(stopResolved).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    await waitFor(async () => (await jobRows(name))[0]?.state === 'completed', { what: 'completion' });
  });

  it('creates a new queue once when several transactions send its first jobs at the same time (no deadlock)', async () => {
    const name = queueName('first');
    await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        inTransaction(env.platform.db, async (tx) => {
          await env.platform.jobs.send(tx, name, { n });
        }),
      ),
    );
    expect(await jobRows(name)).toHaveLength(8);
    const { rows } = await env.platform.database.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${JOB_SCHEMA}.queue WHERE name = $1`, [name]);
    expect(Number(rows[0]!.n)).toBe(1);
  });
});
