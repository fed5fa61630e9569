import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { createTestTenant } from '../../../test/factories.js';
import type { JobHandler, JobQueue } from '../jobs/jobs.js';
import { ANALYZE_GROWN_JOB, ANALYZE_JOB, GROWN_MIN_PAGES, analyzeGrown, registerAnalyzeJobs } from './analyze.js';

const env = useTestEnv();

async function estimatedRows(table: string): Promise<number> {
  const { rows } = await env.platform.database.query<{ n: number | string }>('SELECT reltuples AS n FROM pg_class WHERE oid = $1::regclass', [table]);
  return Number(rows[0]!.n);
}

describe('planner statistics', () => {
  it('on PGlite, an hourly job runs ANALYZE so the planner knows table sizes; PostgreSQL leaves it to autovacuum', async () => {
    const handlers = new Map<string, JobHandler<object>>();
    const schedules: Array<{ name: string; cron: string }> = [];
    const jobs: JobQueue = {
      send: () => Promise.resolve(null),
      sendMany: () => Promise.resolve(0),
      workMany: () => Promise.resolve(),
      failActive: () => Promise.resolve(0),
      work: <T extends object>(name: string, handler: JobHandler<T>) => {
        handlers.set(name, handler as JobHandler<object>);
        return Promise.resolve();
      },
      schedule: (name: string, cron: string) => {
        schedules.push({ name, cron });
        return Promise.resolve();
      },
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    };
    await registerAnalyzeJobs({ database: env.platform.database, jobs });
    if (env.platform.database.kind !== 'pglite') {
      expect(handlers.size).toBe(0);
      expect(schedules).toEqual([]);
      return;
    }
    expect(schedules).toEqual([
      { name: ANALYZE_JOB, cron: '41 * * * *' },
      { name: ANALYZE_GROWN_JOB, cron: '* * * * *' },
    ]);
    expect([...handlers.keys()].sort()).toEqual([ANALYZE_JOB, ANALYZE_GROWN_JOB].sort());
    const t = await createTestTenant(env);
    for (const role of ['admin', 'manager', 'viewer'] as const) await t.as(role);
    await handlers.get(ANALYZE_JOB)!({ id: 'job', data: {} });
    expect(await estimatedRows('users')).toBeGreaterThanOrEqual(4);
    expect(await estimatedRows('tenants')).toBeGreaterThanOrEqual(1);
  });

  it('analyzes a table again once it has doubled since its statistics, not before', async () => {
    const db = env.platform.database;
    const pages = async () => {
      const { rows } = await db.query<{ pages: number | string; seen: number | string; tuples: number | string }>(
        "SELECT pg_relation_size('analyze_probe') / current_setting('block_size')::int AS pages, relpages AS seen, reltuples AS tuples FROM pg_class WHERE oid = 'analyze_probe'::regclass",
      );
      return { pages: Number(rows[0]!.pages), seen: Number(rows[0]!.seen), tuples: Number(rows[0]!.tuples) };
    };
    const add = (n: number) => db.exec(`INSERT INTO analyze_probe (note) SELECT repeat('x', 100) FROM generate_series(1, ${n})`);
    await db.exec('CREATE TABLE analyze_probe (id serial PRIMARY KEY, note text NOT NULL)');
    try {
      // Assertions look at the probe only: other tables of the worker's database may grow meanwhile.
      const probe = async () => (await analyzeGrown(db)).filter((t) => t === 'analyze_probe');
      await db.exec('ANALYZE analyze_probe'); // its statistics: empty
      expect(await probe()).toEqual([]);
      await add(20); // one page: under GROWN_MIN_PAGES
      expect((await pages()).pages).toBeLessThan(GROWN_MIN_PAGES);
      expect(await probe()).toEqual([]);
      await add(2_000);
      const grown = await pages();
      expect(grown.pages).toBeGreaterThanOrEqual(GROWN_MIN_PAGES);
      expect(grown.seen).toBe(0);
      expect(await probe()).toEqual(['analyze_probe']);
      const analyzed = await pages();
      expect(analyzed.seen).toBe(analyzed.pages);
      expect(analyzed.tuples).toBe(2_020);
      expect(await probe()).toEqual([]); // grown by less than double since
      await add(500);
      expect(await probe()).toEqual([]);
      await add(2_000);
      expect(await probe()).toEqual(['analyze_probe']);
      expect((await pages()).tuples).toBe(4_520);
    } finally {
      await db.exec('DROP TABLE analyze_probe');
    }
  });
});
