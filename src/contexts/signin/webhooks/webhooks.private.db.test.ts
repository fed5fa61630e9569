import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { webhookSubscriptions } from '../live.tables.js';
import { registerWebhookJobs } from './webhooks.service.js';
import { webhookReceiver } from './test/receiver.js';

/**
 * The default: WEBHOOK_ALLOW_PRIVATE_NETWORKS unset, so private, loopback and other non-public
 * receivers are refused when saved and at every delivery (decision 043). A real receiver on
 * 127.0.0.1 proves that a refused delivery never reaches it.
 */
const env = useTestEnv({ configOverrides: { jobPollSeconds: 0.5 } });

const receiver = webhookReceiver();

beforeAll(async () => {
  await receiver.start();
  await registerWebhookJobs(env.platform);
  await env.platform.jobs.start();
});
afterAll(() => receiver.stop());

describe('webhook targets by default (no private networks)', () => {
  it('refuses private, loopback and IPv6 ULA URLs, and names resolving to loopback, when saved: 400 webhook_target_refused on url, nothing written', async () => {
    expect(env.config.webhooks.allowPrivateNetworks).toBe(false);
    const t = await createTestTenant(env);
    const refused = [`${receiver.base}/hook`, 'http://10.1.2.3/x', 'http://172.16.5.4/x', 'http://192.168.1.20:8080/hook', 'http://[::1]:8080/x', 'http://[fd12::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://2130706433/x', 'http://0.0.0.0/x', 'http://localhost:8080/hook', 'http://LOCALHOST./hook', 'http://hooks.localhost/x'];
    for (const url of refused) {
      const res = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url, events: ['visit.signed_in'] } });
      expect([res.status, res.body.error?.code, res.body.error?.field], url).toEqual([400, 'webhook_target_refused', 'url']);
      expect(res.body.error.message, url).toMatch(/non-public address.*WEBHOOK_ALLOW_PRIVATE_NETWORKS/);
    }
    // Link-local and metadata addresses stay the schema's refusal.
    const metadata = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: 'http://169.254.169.254/latest/meta-data/', events: ['visit.signed_in'] } });
    expect([metadata.status, metadata.body.error.field]).toEqual([400, 'body.url']);
    expect(await env.platform.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.tenantId, t.tenantId))).toEqual([]);
    expect(await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'webhook.created')))).toEqual([]);

    // A name that does not resolve (yet) is taken: each delivery resolves and checks it again.
    const later = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: 'https://hooks.example.invalid/in', events: ['visit.signed_in'] } });
    expect(later.status).toBe(201);
    const id = later.body.webhook.id as string;
    for (const url of [`${receiver.base}/moved`, 'http://localhost/x']) {
      const moved = await call(env.app, 'PATCH', `/api/signin/webhooks/${id}`, { headers: t.owner.headers, body: { url, description: 'moved' } });
      expect([moved.status, moved.body.error?.code, moved.body.error?.field], url).toEqual([400, 'webhook_target_refused', 'url']);
    }
    const kept = await call(env.app, 'GET', `/api/signin/webhooks/${id}`, { headers: t.owner.headers });
    expect([kept.body.url, kept.body.description]).toEqual(['https://hooks.example.invalid/in', '']);
  });

  it('refuses a delivery to a private address (a URL saved under another setting) after resolving it, without retrying; the receiver never hears it', async () => {
    const t = await createTestTenant(env);
    const made = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: 'https://hooks.example.invalid/in', events: ['visit.signed_in'] } });
    expect(made.status).toBe(201);
    const id = made.body.webhook.id as string;
    await env.platform.db.update(webhookSubscriptions).set({ url: `${receiver.base}/stored-earlier` }).where(eq(webhookSubscriptions.id, id));
    const before = receiver.hits;
    expect((await call(env.app, 'POST', `/api/signin/webhooks/${id}/test`, { headers: t.owner.headers })).status).toBe(202);
    const [log] = await waitFor(async () => {
      const res = await call(env.app, 'GET', `/api/signin/webhooks/${id}/deliveries`, { headers: t.owner.headers });
      const items = res.body.items as Array<{ status: string; lastError: string | null }>;
      return items[0]?.status === 'failed' ? items : undefined;
    }, { what: 'refusal logged', timeoutMs: 15_000 });
    expect(log).toMatchObject({ attempts: 1, lastStatusCode: null, responseSnippet: null, status: 'failed' });
    expect(log!.lastError).toMatch(/^Refused: 127\.0\.0\.1 is a private, loopback or otherwise non-public address/);
    expect(receiver.hits).toBe(before);
  }, 30_000);
});
