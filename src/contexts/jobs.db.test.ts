import { afterAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { createJobQueue, JOB_SCHEMA } from '../platform/jobs/pgboss.js';
import { createLogger } from '../platform/logger.js';
import type { JobHandler, JobQueue } from '../platform/jobs/jobs.js';
import { PRUNE_RATE_COUNTERS_JOB } from '../platform/rate-limit.js';
import { NOTIFICATION_EMAIL_JOB } from './accounts/index.js';
import { registerJobs } from './jobs.js';

// A database of its own on PostgreSQL (the worker's is shared by the files before this one): the
// real queue started below would otherwise work every job those files queued and never worked
// (webhooks, e-mails, syncs), some still running when the file ends and its pool is closed.
const env = useTestEnv({ databaseDefaults: { application_name: 'threshold-jobs-test' } });
let real: JobQueue;
afterAll(() => real?.stop());

describe('job registrations', () => {
  it('register every handler and schedule from the platform alone (no Fastify), and start', async () => {
    real = createJobQueue(env.platform.database, createLogger('silent'), { pollingIntervalSeconds: 0.5 });
    const worked: string[] = [];
    const scheduled: string[] = [];
    const jobs: JobQueue = {
      ...real,
      work: async <T extends object>(name: string, handler: JobHandler<T>, options?: { batchSize?: number }) => {
        worked.push(name);
        await real.work(name, handler, options);
      },
      schedule: async (name: string, cron: string, data?: object) => {
        scheduled.push(name);
        await real.schedule(name, cron, data);
      },
    };
    await registerJobs({ ...env.platform, jobs });
    expect(new Set(worked).size).toBe(worked.length); // one handler per job name
    expect(worked).toEqual(expect.arrayContaining([NOTIFICATION_EMAIL_JOB, PRUNE_RATE_COUNTERS_JOB]));
    for (const name of scheduled) expect(worked).toContain(name); // a schedule needs a handler
    await real.start();
    const { rows } = await env.platform.database.query<{ name: string }>(`SELECT name FROM ${JOB_SCHEMA}.schedule`);
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(scheduled));
  });
});
