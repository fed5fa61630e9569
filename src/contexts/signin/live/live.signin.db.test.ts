import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { call, createTestTenant, type TestTenant } from '../../../../test/factories.js';
import { kioskSetup, makeGroup, makeMember, pairKiosk } from '../../../../test/signin-factories.js';
import { createJobQueue, JOB_SCHEMA } from '../../../platform/jobs/pgboss.js';
import { createLogger } from '../../../platform/logger.js';
import { systemActor } from '../../../platform/audit/audit.js';
import { webhookDeliveries } from '../live.tables.js';
import { registerWebhookJobs } from '../webhooks/webhooks.service.js';
import { AUTO_SIGN_OUT_JOB, createAutoSignOut } from './auto-sign-out.js';
import { registerSigninLiveJobs } from './live.module.js';

/**
 * The live side driven by real sign-ins (kiosk → visits service → sinks): webhooks never in the
 * request path, roll calls joined and left live, manual and automatic sign-outs, archiving.
 */
const env = useTestEnv({ configOverrides: { jobPollSeconds: 0.5, webhooks: { timeoutMs: 500, retryLimit: 1, retryDelaySeconds: 1, allowPrivateNetworks: true } } }); // the receiver is on 127.0.0.1

let server: Server;
let base = '';
const received: Array<{ path: string; body: string }> = [];
let hang = true;
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      if (hang) return;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function signIn(kiosk: { headers: Record<string, string> }, groupId: string, memberId: string) {
  const res = await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId, memberId, answers: {}, agreementAccepted: true } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.visit as { id: string };
}

async function subscribe(t: TestTenant, path: string) {
  const res = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: `${base}${path}`, events: ['visit.signed_in', 'visit.signed_out', 'visit.rejected'] } });
  expect(res.status).toBe(201);
  return res.body.webhook.id as string;
}

/** Works webhook jobs in this process (once per file). */
let working: Promise<void> | undefined;
const startWorker = () =>
  (working ??= (async () => {
    await registerWebhookJobs(env.platform);
    await env.platform.jobs.start();
  })());

const bodiesAt = (path: string) => received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as { type: string; data: { visit: Record<string, unknown> } });

describe('sign-ins and the live side', { timeout: 30_000 }, () => {
  it('queues webhook deliveries in the sign-in transaction and never calls the URL in the request', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const member = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    const hookId = await subscribe(t, '/slow');
    // The receiver never answers and no worker runs yet: the sign-in still succeeds at once.
    const visit = await signIn(kiosk, group.id, member.id);
    expect(received.filter((r) => r.path === '/slow')).toEqual([]);
    const rows = await env.platform.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, hookId));
    expect(rows).toMatchObject([{ event: 'visit.signed_in', status: 'pending', attempts: 0 }]);
    const { rows: jobs } = await env.platform.database.query<{ data: { deliveryId: string } }>(`SELECT data FROM ${JOB_SCHEMA}.job WHERE name = 'webhook.deliver' AND data->>'deliveryId' = $1`, [rows[0]!.id]);
    expect(jobs).toHaveLength(1);

    // A signed-in member signing in again: 409, and no second event.
    const again = await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: member.id, answers: {}, agreementAccepted: true } });
    expect(again.status).toBe(409);
    expect(await env.platform.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, hookId))).toHaveLength(1);

    // The worker delivers later: the receiver times out, is retried, then answers.
    await startWorker();
    await waitFor(() => received.some((r) => r.path === '/slow'), { what: 'first attempt' });
    hang = false;
    const [done] = await waitFor(async () => {
      const d = await env.platform.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.subscriptionId, hookId), eq(webhookDeliveries.status, 'succeeded')));
      return d.length ? d : undefined;
    }, { what: 'delivered after retry' });
    expect(done!.attempts).toBe(2);
    expect(bodiesAt('/slow')[0]).toMatchObject({ type: 'visit.signed_in', data: { visit: { id: visit.id, personName: 'Ada Lovelace' } } });
  });

  it('adds who signs in during a roll call, shows a manual sign-out, and sends visit.signed_out', async () => {
    await startWorker();
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    const alan = await makeMember(env, t, group.id, { fullName: 'Alan Turing' });
    await subscribe(t, '/manual');
    const adaVisit = await signIn(kiosk, group.id, ada.id);
    const start = await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: t.owner.headers, body: {} });
    expect(start.body.entries.map((e: { personName: string }) => e.personName)).toEqual(['Ada Lovelace']);
    await signIn(kiosk, group.id, alan.id);
    const out = await call(env.app, 'POST', `/api/signin/visits/${adaVisit.id}/sign-out`, { headers: t.owner.headers });
    expect(out.status).toBe(200);
    const view = await call(env.app, 'GET', `/api/signin/roll-calls/${start.body.rollCall.id}`, { headers: t.owner.headers });
    const byName = Object.fromEntries(view.body.entries.map((e: { personName: string }) => [e.personName, e]));
    expect(byName['Alan Turing']).toMatchObject({ joinedDuring: true, signedOutAt: null });
    expect(byName['Ada Lovelace'].signedOutAt).toEqual(expect.any(String));
    const onSite = await call(env.app, 'GET', `/api/signin/sites/${site.id}/on-site`, { headers: t.owner.headers });
    expect(onSite.body.groups.flatMap((g: { people: Array<{ personName: string }> }) => g.people.map((p) => p.personName))).toEqual(['Alan Turing']);
    const signedOut = await waitFor(() => bodiesAt('/manual').find((b) => b.type === 'visit.signed_out'), { what: 'signed_out delivery' });
    expect(signedOut.data.visit).toMatchObject({ id: adaVisit.id, signedOutBy: 'manual' });
    await waitFor(() => bodiesAt('/manual').filter((b) => b.type === 'visit.signed_in').length >= 2, { what: 'both sign-ins delivered' });
  });

  it('keeps an archived member and a SCIM-deactivated member on site and on the roll call', async () => {
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    await signIn(kiosk, group.id, ada.id);
    const scimGroup = await makeGroup(env, t, { type: 'scim', name: 'Staff (Okta)' }, [site.id]);
    const services = env.contexts.signin;
    const grace = await services.members.create(env.platform.db, t.tenantId, scimGroup.id, { fullName: 'Grace Hopper' }, systemActor, 'scim');
    const kiosk2 = await pairKiosk(env, t, site.id);
    await signIn(kiosk2, scimGroup.id, grace.id);

    const archived = await call(env.app, 'POST', `/api/signin/members/${ada.id}/archive`, { headers: t.owner.headers });
    expect(archived.status).toBe(200);
    await services.members.archive(env.platform.db, t.tenantId, grace.id, systemActor, 'scim');

    const onSite = await call(env.app, 'GET', `/api/signin/sites/${site.id}/on-site`, { headers: t.owner.headers });
    expect(onSite.body.total).toBe(2);
    const rc = await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: t.owner.headers, body: {} });
    expect(rc.body.entries.map((e: { personName: string }) => e.personName).sort()).toEqual(['Ada Lovelace', 'Grace Hopper']);
  });

  it('signs out automatically when the group says so, as signedOutBy auto, with a webhook', async () => {
    await startWorker();
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t, { options: { autoSignOut: { mode: 'after_hours', hours: 2 } } });
    const never = await makeGroup(env, t, { name: 'Residents' }, [site.id]);
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    const res = await makeMember(env, t, never.id, { fullName: 'Resident Person' });
    await subscribe(t, '/auto');
    const adaVisit = await signIn(kiosk, group.id, ada.id);
    await signIn(kiosk, never.id, res.id);
    const services = env.contexts.signin;
    const auto = createAutoSignOut(env.platform, services.visits.closeVisit);
    expect(await auto.run()).toBe(0); // not due yet
    env.clock.advance(2 * 3600_000 + 60_000);
    try {
      expect(await auto.run()).toBeGreaterThanOrEqual(1);
    } finally {
      env.clock.reset();
    }
    const onSite = await call(env.app, 'GET', `/api/signin/sites/${site.id}/on-site`, { headers: t.owner.headers });
    expect(onSite.body.groups.flatMap((g: { people: Array<{ personName: string }> }) => g.people.map((p) => p.personName))).toEqual(['Resident Person']);
    const bodies = await waitFor(() => bodiesAt('/auto').find((b) => b.type === 'visit.signed_out'), { what: 'auto sign-out webhook' });
    expect(bodies.data.visit).toMatchObject({ id: adaVisit.id, signedOutBy: 'auto' });
  });

  it('registers the automatic sign-out as a job scheduled every five minutes', async () => {
    const services = env.contexts.signin;
    const queue = createJobQueue(env.platform.database, createLogger('silent'), { pollingIntervalSeconds: 0.5 });
    try {
      await registerSigninLiveJobs({ ...env.platform, jobs: queue }, services.visits.closeVisit);
      await queue.start();
      const { rows } = await env.platform.database.query<{ cron: string }>(`SELECT cron FROM ${JOB_SCHEMA}.schedule WHERE name = $1`, [AUTO_SIGN_OUT_JOB]);
      expect(rows.map((r) => r.cron)).toEqual(['*/5 * * * *']);
    } finally {
      await queue.stop();
    }
  });
});
