import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { JOB_SCHEMA } from '../../../platform/jobs/pgboss.js';
import { integrationJobRuns } from '../integration.tables.js';
import { integrationRepo } from '../integration.repo.js';
import { integrationTenant } from '../test/integration.testkit.js';
import { createRuns, INTEGRATION_RUN_JOB, type RunHandler } from './runs.js';
import type { RunKind } from '../integration.tables.js';

const env = useTestEnv();
const actor = { kind: 'system' as const, id: null, label: 'test' };

async function jobStates(runId: string) {
  const { rows } = await env.platform.database.query<{ state: string }>(`SELECT state FROM ${JOB_SCHEMA}.job WHERE name = $1 AND singleton_key = $2 ORDER BY created_on, state`, [INTEGRATION_RUN_JOB, runId]);
  return rows.map((r) => r.state);
}

/** What a worker leaves behind when it is killed mid-run: its job active, the run "running" with a heartbeat that stopped. */
async function crashState(runId: string, heartbeatAgo: string) {
  await env.platform.database.query(`UPDATE ${JOB_SCHEMA}.job SET state = 'active', started_on = now() WHERE name = $1 AND singleton_key = $2`, [INTEGRATION_RUN_JOB, runId]);
  await env.platform.db
    .update(integrationJobRuns)
    .set({ status: 'running', error: null, finishedAt: null, heldBy: 'a-worker-that-was-killed', heartbeatAt: sql`now() - ${heartbeatAgo}::interval` })
    .where(eq(integrationJobRuns.id, runId));
}

const runRow = async (runId: string) => (await integrationRepo.runById(env.platform.db, runId))!;

/** Runs with handlers the test gives (the app's come from the features, via createIntegration). */
function testRuns() {
  const handlers = new Map<RunKind, RunHandler>();
  const runs = createRuns(env.platform, (kind) => handlers.get(kind));
  return Object.assign(runs, { register: (kind: RunKind, handler: RunHandler) => void handlers.set(kind, handler) });
}

describe('a run whose worker died', () => {
  it('merge all: the sweep resumes it exactly once under a new job, and the counts end right', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    for (let i = 0; i < 3; i++) {
      await x.profile({ firstName: `P${i}`, lastName: 'Same', email: `p${i}@school.test` });
      await x.member(staff.id, { fullName: `P${i} Same`, email: `p${i}@school.test`, role: 'Teacher' });
    }
    await x.run('/api/integration/import', {});
    const pairs = (await call(env.app, 'GET', '/api/integration/merge-queue', { headers: x.h })).body.items as Array<{ id: string }>;
    expect(pairs).toHaveLength(3);
    const started = await call(env.app, 'POST', '/api/integration/merges/all', { headers: x.h, body: {} });
    expect(started.status).toBe(202);
    const runId = started.body.id as string;

    // The worker's first attempt committed one batch (two pairs, with the run's cursor and counts) and was killed.
    await inTransaction(env.platform.db, async (tx) => {
      const first = pairs.slice(0, 2).map((p) => p.id);
      const outcome = await x.integration.merge.mergeBatch(tx, x.t.tenantId, first, {}, actor, runId);
      await integrationRepo.markItems(tx, runId, first.map((id) => ({ itemKey: id, outcome: outcome.get(id) ?? 'skipped' })));
      await integrationRepo.bumpRun(tx, runId, { done: 2, updated: 2 });
      await tx.update(integrationJobRuns).set({ total: 3, attempts: 1, startedAt: new Date() }).where(eq(integrationJobRuns.id, runId));
    });
    await crashState(runId, '5 minutes');

    // Two instances sweep at once: one resumes it.
    const [a, b] = await Promise.all([x.integration.runs.sweep(), x.integration.runs.sweep()]);
    expect([...a, ...b].filter((id) => id === runId)).toEqual([runId]);
    expect(await jobStates(runId)).toEqual(['failed', 'created']); // the dead worker's job failed, a new one queued
    expect(await runRow(runId)).toMatchObject({ status: 'queued', heldBy: null });
    expect(await x.integration.runs.sweep()).not.toContain(runId);

    // The new job works it (as the worker would).
    await x.integration.runs.execute(runId);
    const run = (await call(env.app, 'GET', `/api/integration/runs/${runId}`, { headers: x.h })).body;
    expect(run).toMatchObject({ status: 'done', total: 3, done: 3, updated: 3, percent: 100, attempts: 2 });
    expect((await call(env.app, 'GET', '/api/integration/merges', { headers: x.h })).body.items).toHaveLength(3);
    expect(await x.integration.runs.sweep()).not.toContain(runId);
  });

  it('a live run (fresh heartbeat) is left alone by the sweep and by a second execution', async () => {
    const t = await createTestTenant(env);
    const runs = testRuns();
    let worked = 0;
    runs.register('sync', async (ctx) => {
      await ctx.setTotal(1);
      await ctx.batches(['a'], (k) => k, 1, async () => {
        worked++;
        return { items: [{ itemKey: 'a', outcome: 'updated' }] };
      });
    });
    const run = await inTransaction(env.platform.db, (tx) => runs.create(tx, t.tenantId, 'sync', {}, actor));
    await crashState(run.id, '2 seconds');
    expect(await runs.sweep()).not.toContain(run.id);
    expect(await jobStates(run.id)).toEqual(['active']);
    const again = await runs.execute(run.id);
    expect(again).toMatchObject({ status: 'running', heldBy: 'a-worker-that-was-killed', done: 0 });
    expect(worked).toBe(0);
  });

  it('a run no handler can work is refused before it is claimed (else the sweep would resume it every minute)', async () => {
    const t = await createTestTenant(env);
    const runs = testRuns();
    const run = await inTransaction(env.platform.db, (tx) => runs.create(tx, t.tenantId, 'sync', {}, actor));
    await expect(runs.execute(run.id)).rejects.toThrow('no handler');
    expect(await runRow(run.id)).toMatchObject({ status: 'queued', heldBy: null, heartbeatAt: null, attempts: 0 });
  });
});

describe('resuming keeps the progress counts right', () => {
  // 10 items in batches of 3; the first attempt dies in its third batch (6 done).
  for (const list of ['whole', 'remaining'] as const) {
    it(`when the handler's list on resume is the ${list} list`, async () => {
      const t = await createTestTenant(env);
      const runs = testRuns();
      const keys = Array.from({ length: 10 }, (_, i) => `i${i}`);
      const handled: string[] = [];
      let crashAt: string | null = 'i6';
      runs.register('push', async (ctx) => {
        // 'remaining': like merge all, whose queue loses the pairs already merged.
        const items = list === 'whole' ? keys : keys.filter((k) => !handled.includes(k));
        await ctx.setTotal(items.length);
        await ctx.batches(items, (k) => k, 3, async (_tx, batch) => {
          if (crashAt && batch.includes(crashAt)) throw new Error('killed');
          handled.push(...batch);
          return { items: batch.map((k) => ({ itemKey: k, outcome: 'created' as const })) };
        });
      });
      const run = await inTransaction(env.platform.db, (tx) => runs.create(tx, t.tenantId, 'push', {}, actor));
      await expect(runs.execute(run.id)).rejects.toThrow('killed');
      expect(await runRow(run.id)).toMatchObject({ done: 6, total: 10 });
      await crashState(run.id, '1 minute');
      crashAt = null;

      expect(await runs.sweep()).toContain(run.id);
      const finished = await runs.execute(run.id);
      expect(finished).toMatchObject({ status: 'done', total: 10, done: 10, created: 10 });
      expect([...handled].sort()).toEqual([...keys].sort()); // each item once
    });
  }

  it('an execution that was taken over (presumed dead, then resumed elsewhere) stops before its next batch', async () => {
    const t = await createTestTenant(env);
    const runs = testRuns();
    const handled: string[] = [];
    runs.register('sync', async (ctx) => {
      await ctx.setTotal(4);
      await ctx.batches(['a', 'b', 'c', 'd'], (k) => k, 2, async (tx, batch) => {
        handled.push(...batch);
        // Meanwhile the sweep gave the run to another execution.
        await tx.update(integrationJobRuns).set({ heldBy: 'the-resumed-execution' }).where(eq(integrationJobRuns.id, ctx.run.id));
        return { items: batch.map((k) => ({ itemKey: k, outcome: 'updated' as const })) };
      });
    });
    const run = await inTransaction(env.platform.db, (tx) => runs.create(tx, t.tenantId, 'sync', {}, actor));
    const result = await runs.execute(run.id);
    expect(handled).toEqual(['a', 'b']);
    expect(result).toMatchObject({ status: 'running', heldBy: 'the-resumed-execution', done: 2 });
  });
});
