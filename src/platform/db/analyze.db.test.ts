import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { createTestTenant } from '../../../test/factories.js';
import type { JobHandler, JobQueue } from '../jobs/jobs.js';
import { ANALYZE_JOB, registerAnalyzeJobs } from './analyze.js';

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
    expect(schedules).toEqual([{ name: ANALYZE_JOB, cron: '41 * * * *' }]);
    const t = await createTestTenant(env);
    for (const role of ['admin', 'manager', 'viewer'] as const) await t.as(role);
    await handlers.get(ANALYZE_JOB)!({ id: 'job', data: {} });
    expect(await estimatedRows('users')).toBeGreaterThanOrEqual(4);
    expect(await estimatedRows('tenants')).toBeGreaterThanOrEqual(1);
  });
});
