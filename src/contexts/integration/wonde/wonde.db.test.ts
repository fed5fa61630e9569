import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { encryptSecret } from '../../../platform/crypto.js';
import type { Config } from '../../../config.js';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { integrationWondeConnections } from '../integration.tables.js';
import { heldTransaction, untilWaitingForLock } from '../../../../test/held.js';
import { integrationTenant, setTimeZone, zoneWhereDateDiffers } from '../test/integration.testkit.js';
import { todayIn } from '../../record/index.js';
import { fakeEmployee, startFakeWonde, wondeDate, type FakeWonde } from './test/fake-wonde.js';

let fake: FakeWonde;
const overrides: Partial<Config> = {};
beforeAll(async () => {
  fake = await startFakeWonde();
  Object.assign(overrides, { wondeApiUrl: fake.url });
});
afterAll(async () => {
  await fake.close();
});
const env = useTestEnv({ configOverrides: overrides });

async function failedRun(x: Awaited<ReturnType<typeof integrationTenant>>, url: string) {
  const r = await call(env.app, 'POST', url, { headers: x.h });
  expect(r.status).toBe(202);
  await expect(x.integration.runs.execute(r.body.id)).rejects.toThrow();
  return (await call(env.app, 'GET', `/api/integration/runs/${r.body.id}`, { headers: x.h })).body;
}

describe('Wonde connection', () => {
  it('401/403/404, stores the token encrypted and never shows it', async () => {
    const x = await integrationTenant(env);
    const url = `/api/integration/organisations/${x.rec.org.id}/wonde`;
    expect((await call(env.app, 'PUT', url, { body: { schoolId: 'A1', token: 'secret-token' } })).status).toBe(401);
    const viewer = await x.t.as('viewer');
    expect((await call(env.app, 'PUT', url, { headers: viewer.headers, body: { schoolId: 'A1', token: 'secret-token' } })).status).toBe(403);
    const other = await createTestTenant(env);
    expect((await call(env.app, 'PUT', url, { headers: other.owner.headers, body: { schoolId: 'A1', token: 'secret-token' } })).status).toBe(404);
    const saved = await call(env.app, 'PUT', url, { headers: x.h, body: { schoolId: 'A1', token: 'secret-token' } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ schoolId: 'A1', hasToken: true, enabled: true });
    expect(JSON.stringify(saved.body)).not.toContain('secret-token');
    const [row] = await env.platform.db.select().from(integrationWondeConnections).where(eq(integrationWondeConnections.organisationId, x.rec.org.id));
    expect(row!.tokenEncrypted).toMatch(/^v1\./);
    expect(row!.tokenEncrypted).not.toContain('secret-token');
  });

  it('set up by several requests at once: each answers 200, and the organisation has one connection', async () => {
    const x = await integrationTenant(env);
    const url = `/api/integration/organisations/${x.rec.org.id}/wonde`;
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => call(env.app, 'PUT', url, { headers: x.h, body: { schoolId: `A${i}`, token: `secret-token-${i}` } })));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    const rows = await env.platform.db.select().from(integrationWondeConnections).where(eq(integrationWondeConnections.organisationId, x.rec.org.id));
    expect(rows).toHaveLength(1);
  });

  it('syncs employees across pages, matches a hand-made pre-start profile, then deltas and deletions by UPI', async () => {
    const x = await integrationTenant(env);
    const school = fake.addSchool({
      id: `S${Date.now()}`,
      employees: [
        fakeEmployee({ id: 'W1', upi: 'UPI1', forename: 'Tess', surname: 'Teach', email: 'tess@school.test', teaching: true, start: '2020-09-01', updated_at: wondeDate('2024-01-01T00:00:00Z') }),
        fakeEmployee({ id: 'W2', upi: 'UPI2', forename: 'Sid', surname: 'Support', email: 'sid@school.test', teaching: false, role: 'Librarian', updated_at: wondeDate('2024-01-01T00:00:00Z') }),
        fakeEmployee({ id: 'W3', upi: 'UPI3', forename: 'Pre', surname: 'Starter', email: 'pre@school.test', teaching: true, start: '2030-09-01', updated_at: wondeDate('2024-01-01T00:00:00Z') }),
      ],
    });
    const preStart = await x.profile({ firstName: 'Pre', lastName: 'Starter', email: 'pre@school.test', typeKey: 'teaching' });
    await call(env.app, 'PUT', `/api/integration/organisations/${x.rec.org.id}/wonde`, { headers: x.h, body: { schoolId: school.id, token: school.token } });
    const run = await x.run(`/api/integration/organisations/${x.rec.org.id}/wonde/sync`, undefined);
    expect(run).toMatchObject({ kind: 'wonde_sync', status: 'done', total: 3, created: 2, updated: 1 });
    const list = (await call(env.app, 'GET', `/api/record/profiles?organisationId=${x.rec.org.id}`, { headers: x.h })).body.items as Array<{ id: string; firstName: string; profileTypeId: string; role: string }>;
    expect(list).toHaveLength(3);
    expect(list.find((p) => p.firstName === 'Sid')!.profileTypeId).toBe(x.rec.typeId('support'));
    const pre = (await call(env.app, 'GET', `/api/record/profiles/${preStart.id}`, { headers: x.h })).body;
    expect(pre.startDate).toBe('2030-09-01');

    // A delta: one change, one deletion; only later changes are asked for.
    school.employees[1] = { ...school.employees[1]!, surname: 'Supporter', updated_at: wondeDate(new Date(Date.now() + 60_000)) };
    school.deletions.push({ id: 'W1', type: 'employee', restored_at: null, created_at: wondeDate(new Date(Date.now() + 60_000)), updated_at: wondeDate(new Date(Date.now() + 60_000)) });
    fake.requests.length = 0;
    const delta = await x.run(`/api/integration/organisations/${x.rec.org.id}/wonde/sync`, undefined);
    expect(delta).toMatchObject({ status: 'done', total: 2, updated: 2, created: 0 });
    expect(fake.requests[0]!.query.updated_after).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const tess = list.find((p) => p.firstName === 'Tess')!;
    const leaving = (await call(env.app, 'GET', `/api/record/profiles/${tess.id}`, { headers: x.h })).body;
    expect(leaving.leavingDate).toBe(todayIn(env.platform.now(), 'Europe/London'));
  });

  it("a leaver deleted in the MIS leaves on the organisation's today (its time zone), not the UTC date", async () => {
    const x = await integrationTenant(env);
    const now = env.platform.now();
    const zone = zoneWhereDateDiffers(now);
    await setTimeZone(env, x.h, x.rec.org.id, zone);
    const school = fake.addSchool({ id: `Z${Date.now()}`, employees: [fakeEmployee({ id: 'W1', upi: 'UPIZ', forename: 'Zed', surname: 'Zone', email: 'zed@school.test', teaching: true, updated_at: wondeDate('2024-01-01T00:00:00Z') })] });
    await call(env.app, 'PUT', `/api/integration/organisations/${x.rec.org.id}/wonde`, { headers: x.h, body: { schoolId: school.id, token: school.token } });
    await x.run(`/api/integration/organisations/${x.rec.org.id}/wonde/sync`, undefined);
    school.deletions.push({ id: 'W1', type: 'employee', restored_at: null, created_at: wondeDate(new Date(Date.now() + 60_000)), updated_at: wondeDate(new Date(Date.now() + 60_000)) });
    expect(await x.run(`/api/integration/organisations/${x.rec.org.id}/wonde/sync`, undefined)).toMatchObject({ status: 'done', updated: 1 });
    const [zed] = (await call(env.app, 'GET', `/api/record/profiles?organisationId=${x.rec.org.id}`, { headers: x.h })).body.items as Array<{ id: string }>;
    const leaving = (await call(env.app, 'GET', `/api/record/profiles/${zed!.id}`, { headers: x.h })).body;
    expect(leaving.leavingDate).toBe(todayIn(env.platform.now(), zone));
    expect(leaving.leavingDate).not.toBe(env.platform.now().toISOString().slice(0, 10));
  });

  it('Wonde failures (401, 500, HTML 200, more without next) stop the run with the error in the sync log and nothing written', async () => {
    const x = await integrationTenant(env);
    const school = fake.addSchool({ id: `F${Date.now()}`, employees: Array.from({ length: 150 }, (_, i) => fakeEmployee({ id: `X${i}`, forename: `N${i}` })) });
    const url = `/api/integration/organisations/${x.rec.org.id}/wonde`;
    await call(env.app, 'PUT', url, { headers: x.h, body: { schoolId: school.id, token: 'wrong-token-123' } });
    const unauthorised = await failedRun(x, `${url}/sync`);
    expect(unauthorised.status).toBe('failed');
    expect(unauthorised.error).toMatch(/refused the token/);
    const conn = (await call(env.app, 'GET', url, { headers: x.h })).body.connection;
    expect(conn.lastError).toMatch(/refused the token/);
    const log = (await call(env.app, 'GET', `/api/integration/sync-log?runId=${unauthorised.id}`, { headers: x.h })).body.items;
    expect(log[0]).toMatchObject({ direction: 'wonde_run', status: 'error' });

    await call(env.app, 'PUT', url, { headers: x.h, body: { schoolId: school.id, token: school.token } });
    fake.failOnce({ kind: 'status', status: 500 }, 2);
    expect((await failedRun(x, `${url}/sync`)).error).toMatch(/server error \(500\)/);
    fake.failOnce({ kind: 'html200' }, 1);
    expect((await failedRun(x, `${url}/sync`)).error).toMatch(/HTML page/);
    fake.failOnce({ kind: 'moreWithoutNext' }, 1);
    expect((await failedRun(x, `${url}/sync`)).error).toMatch(/more: true/);
    const none = (await call(env.app, 'GET', `/api/record/profiles?organisationId=${x.rec.org.id}`, { headers: x.h })).body.items;
    expect(none).toHaveLength(0);

    // Retried later (the job's backoff), it completes.
    const ok = await x.run(`${url}/sync`, undefined);
    expect(ok).toMatchObject({ status: 'done', created: 150 });
  });
});

// Two connections ordered by hand: registered on PostgreSQL only (PGlite has one connection, so
// nothing overlaps; the PGlite run has the file's other tests).
if (process.env.TEST_DB === 'postgres') describe('Wonde connection set up by two requests at once (the race made certain)', () => {
  it('a PUT that found no connection changes the one another request inserted meanwhile (it was a 500 on the unique index)', async () => {
    const y = await integrationTenant(env);
    const held = await heldTransaction(env, (tx) =>
      tx.insert(integrationWondeConnections).values({ tenantId: y.t.tenantId, organisationId: y.rec.org.id, schoolId: 'FIRST', tokenEncrypted: encryptSecret(env.platform.config.secretKey, 'first-token') }),
    );
    const pending = call(env.app, 'PUT', `/api/integration/organisations/${y.rec.org.id}/wonde`, { headers: y.h, body: { schoolId: 'SECOND', token: 'second-token' } });
    await untilWaitingForLock(env);
    await held.commit();
    const second = await pending;
    expect([second.status, second.body.schoolId]).toEqual([200, 'SECOND']);
    const rows = await env.platform.db.select().from(integrationWondeConnections).where(eq(integrationWondeConnections.organisationId, y.rec.org.id));
    expect(rows.map((r) => r.schoolId)).toEqual(['SECOND']);
  });
});
