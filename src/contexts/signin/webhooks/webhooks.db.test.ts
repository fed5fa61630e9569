import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { call, createTestTenant, type TestTenant } from '../../../../test/factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { decryptSecret } from '../../../platform/crypto.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { webhookSubscriptions } from '../live.tables.js';
import { createSigninLive } from '../live/live.module.js';
import type { VisitEvent } from '../visits/visit-events.js';
import { verifySignature } from './webhooks.signature.js';
import { registerWebhookJobs } from './webhooks.service.js';
import { webhookReceiver, type Behaviour } from './test/receiver.js';

const env = useTestEnv({ configOverrides: { jobPollSeconds: 0.5, webhooks: { timeoutMs: 500, retryLimit: 2, retryDelaySeconds: 1, allowPrivateNetworks: true } } }); // the receiver is on 127.0.0.1

/** A real HTTP receiver on 127.0.0.1; each path answers as its behaviour says. */
const receiver = webhookReceiver();
const path = (behaviour?: Behaviour) => receiver.path(behaviour);

beforeAll(async () => {
  await receiver.start();
  await registerWebhookJobs(env.platform);
  await env.platform.jobs.start();
});
afterAll(() => receiver.stop());

async function subscribe(t: TestTenant, url: string, events: string[] = ['visit.signed_in', 'visit.signed_out', 'visit.rejected']) {
  const res = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url, events } });
  expect(res.status).toBe(201);
  return res.body as { webhook: { id: string }; secret: string };
}

function event(tenantId: string, type: VisitEvent['type'] = 'visit.signed_in'): VisitEvent {
  const visitId = randomUUID();
  return {
    type,
    tenantId,
    visitId,
    siteId: randomUUID(),
    groupId: randomUUID(),
    memberId: null,
    at: new Date().toISOString(),
    visit: { id: visitId, personName: 'Ada <b>Lovelace</b>' },
  };
}

/** What the visits service does: call every sink inside the visit's transaction. */
async function emit(e: VisitEvent) {
  const live = createSigninLive(env.platform);
  await inTransaction(env.platform.db, async (tx) => {
    for (const sink of live.sinks) await sink(tx, e);
  });
}

async function deliveries(t: TestTenant, id: string) {
  const res = await call(env.app, 'GET', `/api/signin/webhooks/${id}/deliveries`, { headers: t.owner.headers });
  expect(res.status).toBe(200);
  return res.body.items as Array<{ id: string; status: string; attempts: number; lastStatusCode: number | null; lastError: string | null; responseSnippet: string | null; event: string; lastDurationMs: number | null }>;
}

describe('webhooks API: access', () => {
  it('needs credentials (401), signin.manage (403), and hides another tenant (404)', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const { webhook } = await subscribe(other, `${receiver.base}/x`);
    expect((await call(env.app, 'GET', '/api/signin/webhooks')).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/signin/webhooks', { body: { url: `${receiver.base}/x`, events: ['visit.signed_in'] } })).status).toBe(401);
    const manager = await t.as('manager');
    expect((await call(env.app, 'GET', '/api/signin/webhooks', { headers: manager.headers })).status).toBe(403);
    expect((await call(env.app, 'POST', '/api/signin/webhooks', { headers: manager.headers, body: { url: `${receiver.base}/x`, events: ['visit.signed_in'] } })).status).toBe(403);
    expect((await call(env.app, 'POST', `/api/signin/webhooks/${webhook.id}/test`, { headers: manager.headers })).status).toBe(403);
    const h = t.owner.headers;
    for (const [method, url, body] of [
      ['GET', `/api/signin/webhooks/${webhook.id}`, undefined],
      ['PATCH', `/api/signin/webhooks/${webhook.id}`, { active: false }],
      ['DELETE', `/api/signin/webhooks/${webhook.id}`, undefined],
      ['POST', `/api/signin/webhooks/${webhook.id}/secret`, undefined],
      ['GET', `/api/signin/webhooks/${webhook.id}/deliveries`, undefined],
      ['POST', `/api/signin/webhooks/${webhook.id}/test`, undefined],
    ] as const) {
      const res = await call(env.app, method, url, { headers: h, body });
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await call(env.app, 'GET', '/api/signin/webhooks', { headers: h })).body.items).toEqual([]);
  });
});

describe('webhooks API: subscriptions', () => {
  it('creates a subscription with a key shown once and stored encrypted, and audits it', async () => {
    const t = await createTestTenant(env);
    const { webhook, secret } = await subscribe(t, `${receiver.base}/created`, ['visit.signed_in']);
    expect(secret).toMatch(/^whsec_/);
    const [row] = await env.platform.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, webhook.id));
    expect(row!.secretEncrypted).not.toContain(secret);
    expect(decryptSecret(env.config.secretKey, row!.secretEncrypted)).toBe(secret);
    const view = await call(env.app, 'GET', `/api/signin/webhooks/${webhook.id}`, { headers: t.owner.headers });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ url: `${receiver.base}/created`, events: ['visit.signed_in'], active: true });
    expect(JSON.stringify(view.body)).not.toContain(secret);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'webhook.created')));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.targetId).toBe(webhook.id);
    expect(JSON.stringify(audit[0]!.data)).not.toContain(secret);
  });

  it('accepts http(s) URLs only, and known events only', async () => {
    const t = await createTestTenant(env);
    for (const url of ['ftp://example.test/x', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url', 'https://user:pw@example.test/', 'http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/computeMetadata/v1/']) {
      const res = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url, events: ['visit.signed_in'] } });
      expect(res.status, url).toBe(400);
      expect(res.body.error.issues[0].field).toBe('body.url');
    }
    const badEvent = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: `${receiver.base}/x`, events: ['visit.deleted'] } });
    expect(badEvent.status).toBe(400);
    const none = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: `${receiver.base}/x`, events: [] } });
    expect(none.status).toBe(400);
  });

  it('changes, regenerates the key (the old one stops verifying) and deletes, each audited', async () => {
    const t = await createTestTenant(env);
    const p = path();
    const { webhook, secret: oldSecret } = await subscribe(t, `${receiver.base}${p}`);
    const patched = await call(env.app, 'PATCH', `/api/signin/webhooks/${webhook.id}`, { headers: t.owner.headers, body: { events: ['visit.rejected'], description: 'CRM' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ events: ['visit.rejected'], description: 'CRM' });
    const rotated = await call(env.app, 'POST', `/api/signin/webhooks/${webhook.id}/secret`, { headers: t.owner.headers });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).not.toBe(oldSecret);
    await emit(event(t.tenantId, 'visit.rejected'));
    const [got] = await waitFor(() => receiver.received(p), { what: 'delivery' });
    const sig = String(got!.headers['threshold-signature']);
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(newSecret, sig, got!.body, now)).toBe(true);
    expect(verifySignature(oldSecret, sig, got!.body, now)).toBe(false);
    const del = await call(env.app, 'DELETE', `/api/signin/webhooks/${webhook.id}`, { headers: t.owner.headers });
    expect(del.status).toBe(204);
    expect((await call(env.app, 'GET', `/api/signin/webhooks/${webhook.id}`, { headers: t.owner.headers })).status).toBe(404);
    const actions = (await env.platform.db.select().from(auditLog).where(eq(auditLog.tenantId, t.tenantId))).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['webhook.created', 'webhook.updated', 'webhook.secret_rotated', 'webhook.deleted']));
  });
});

describe('webhook deliveries', { timeout: 30_000 }, () => {
  it('POSTs the signed event later, with the event name and an idempotency key, and logs it', async () => {
    const t = await createTestTenant(env);
    const p = path();
    const { webhook, secret } = await subscribe(t, `${receiver.base}${p}`, ['visit.signed_in']);
    const e = event(t.tenantId);
    await emit(e);
    const [got] = await waitFor(() => receiver.received(p), { what: 'delivery' });
    const body = JSON.parse(got!.body);
    expect(body).toMatchObject({ type: 'visit.signed_in', tenantId: t.tenantId, data: { visit: e.visit } });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['threshold-event']).toBe('visit.signed_in');
    expect(got!.headers['idempotency-key']).toBe(body.id);
    expect(String(got!.headers['threshold-signature'])).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, String(got!.headers['threshold-signature']), got!.body, Math.floor(Date.now() / 1000))).toBe(true);
    const [log] = await waitFor(async () => {
      const d = await deliveries(t, webhook.id);
      return d[0]?.status === 'succeeded' ? d : undefined;
    }, { what: 'delivery logged' });
    expect(log).toMatchObject({ id: body.id, event: 'visit.signed_in', status: 'succeeded', attempts: 1, lastStatusCode: 200, lastError: null, responseSnippet: null });
    expect(log!.lastDurationMs).toEqual(expect.any(Number));
  });

  it('sends only the events subscribed to, and nothing to an inactive subscription or another tenant', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const outOnly = path();
    const inactive = path();
    const otherTenant = path();
    await subscribe(t, `${receiver.base}${outOnly}`, ['visit.signed_out']);
    const off = await subscribe(t, `${receiver.base}${inactive}`, ['visit.signed_in', 'visit.signed_out']);
    await call(env.app, 'PATCH', `/api/signin/webhooks/${off.webhook.id}`, { headers: t.owner.headers, body: { active: false } });
    await subscribe(other, `${receiver.base}${otherTenant}`, ['visit.signed_in', 'visit.signed_out']);
    await emit(event(t.tenantId, 'visit.signed_in'));
    await emit(event(t.tenantId, 'visit.marked_safe'));
    await emit(event(t.tenantId, 'visit.signed_out'));
    const got = await waitFor(() => receiver.received(outOnly), { what: 'signed_out delivery' });
    expect(got.map((r) => r.headers['threshold-event'])).toEqual(['visit.signed_out']);
    expect(receiver.received(inactive)).toBeUndefined();
    expect(receiver.received(otherTenant)).toBeUndefined();
  });

  it('retries after a 500 with the same idempotency key, then succeeds', async () => {
    const t = await createTestTenant(env);
    const p = path((n) => (n === 1 ? 500 : 200));
    const { webhook } = await subscribe(t, `${receiver.base}${p}`);
    await emit(event(t.tenantId));
    const got = await waitFor(() => ((receiver.received(p)?.length ?? 0) >= 2 ? receiver.received(p) : undefined), { what: 'retry' });
    expect(got[0]!.headers['idempotency-key']).toBe(got[1]!.headers['idempotency-key']);
    expect(got[0]!.body).toBe(got[1]!.body);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(900); // backed off, not hammered
    const [log] = await waitFor(async () => {
      const d = await deliveries(t, webhook.id);
      return d[0]?.status === 'succeeded' ? d : undefined;
    }, { what: 'success logged' });
    expect(log).toMatchObject({ attempts: 2, lastStatusCode: 200, status: 'succeeded' });
  });

  it('marks the delivery failed after the retries, with the last status and response', async () => {
    const t = await createTestTenant(env);
    const p = path(() => 500);
    const { webhook } = await subscribe(t, `${receiver.base}${p}`);
    await emit(event(t.tenantId));
    const [log] = await waitFor(async () => {
      const d = await deliveries(t, webhook.id);
      return d[0]?.status === 'failed' ? d : undefined;
    }, { what: 'failure logged', timeoutMs: 25_000 });
    expect(log).toMatchObject({ attempts: 3, lastStatusCode: 500, lastError: 'HTTP 500', responseSnippet: null, status: 'failed' });
    expect(receiver.received(p)).toHaveLength(3); // the first attempt and retryLimit (2) retries
  }, 40_000);

  it('refuses a link-local target at delivery (a URL stored before the rule, or a name pointed there later) without retrying', async () => {
    const t = await createTestTenant(env);
    const { webhook } = await subscribe(t, `${receiver.base}${path()}`);
    await env.platform.db.update(webhookSubscriptions).set({ url: 'http://169.254.169.254/latest/meta-data/' }).where(eq(webhookSubscriptions.id, webhook.id));
    await emit(event(t.tenantId));
    const [log] = await waitFor(async () => {
      const d = await deliveries(t, webhook.id);
      return d[0]?.status === 'failed' ? d : undefined;
    }, { what: 'refusal logged', timeoutMs: 15_000 });
    expect(log).toMatchObject({ attempts: 1, lastStatusCode: null, status: 'failed' });
    expect(log!.lastError).toMatch(/link-local/);
  }, 30_000);

  it('retries after a receiver does not answer within the timeout', async () => {
    const t = await createTestTenant(env);
    const p = path((n) => (n === 1 ? 'hang' : 200));
    const { webhook } = await subscribe(t, `${receiver.base}${p}`);
    await emit(event(t.tenantId));
    const [log] = await waitFor(async () => {
      const d = await deliveries(t, webhook.id);
      return d[0]?.status === 'succeeded' ? d : undefined;
    }, { what: 'retry after timeout' });
    expect(log).toMatchObject({ attempts: 2, status: 'succeeded' });
    const rows = await env.platform.db.select().from(auditLog).where(eq(auditLog.tenantId, t.tenantId));
    expect(rows.map((r) => r.action)).toContain('webhook.created');
  });

  it('records a timeout as the attempt error', async () => {
    const t = await createTestTenant(env);
    const p = path(() => 'hang');
    const { webhook } = await subscribe(t, `${receiver.base}${p}`);
    await emit(event(t.tenantId));
    const [log] = await waitFor(async () => {
      const d = await deliveries(t, webhook.id);
      return d[0] && d[0].attempts >= 1 ? d : undefined;
    }, { what: 'first attempt logged' });
    expect(log!.lastError).toBe('Timed out after 500 ms');
    expect(log!.lastStatusCode).toBeNull();
    expect(log!.lastDurationMs).toBeGreaterThanOrEqual(450);
  });

  it('sends a test event on demand and audits it', async () => {
    const t = await createTestTenant(env);
    const p = path();
    const { webhook, secret } = await subscribe(t, `${receiver.base}${p}`, ['visit.rejected']);
    const res = await call(env.app, 'POST', `/api/signin/webhooks/${webhook.id}/test`, { headers: t.owner.headers });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ event: 'webhook.test', status: 'pending', attempts: 0 });
    const [got] = await waitFor(() => receiver.received(p), { what: 'test event' });
    expect(got!.headers['threshold-event']).toBe('webhook.test');
    expect(got!.headers['idempotency-key']).toBe(res.body.id);
    expect(verifySignature(secret, String(got!.headers['threshold-signature']), got!.body, Math.floor(Date.now() / 1000))).toBe(true);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'webhook.test_sent')));
    expect(audit).toHaveLength(1);
    await call(env.app, 'PATCH', `/api/signin/webhooks/${webhook.id}`, { headers: t.owner.headers, body: { active: false } });
    const inactive = await call(env.app, 'POST', `/api/signin/webhooks/${webhook.id}/test`, { headers: t.owner.headers });
    expect(inactive.status).toBe(409);
    expect(inactive.body.error.code).toBe('webhook_inactive');
  });
});
