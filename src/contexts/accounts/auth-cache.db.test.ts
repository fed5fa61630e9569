import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { waitFor } from '../../../test/wait.js';
import { call, createTestTenant } from '../../../test/factories.js';
import { buildApp } from '../../app.js';
import { createNotifier } from '../../platform/live/notify.js';
import { AUTH_CHANGED_CHANNEL } from './auth-cache.js';

// Cached for an hour: only an invalidation can make an instance refuse a cached credential here.
const env = useTestEnv({ configOverrides: { authCacheSeconds: 3600 } });
const others: FastifyInstance[] = [];
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const a of others) await a.close();
  for (const c of closers) await c();
});

async function secondInstance() {
  const app = await buildApp(env.platform, { logger: false, serveWeb: false });
  others.push(app);
  await app.ready();
  return app;
}

/** Resolves when the next notification on the accounts channel has been delivered to this process. */
async function nextAnnouncement(): Promise<() => Promise<string>> {
  const notifier = createNotifier(env.platform.database, env.platform.log);
  closers.push(() => notifier.close());
  const seen: string[] = [];
  await notifier.subscribe(AUTH_CHANGED_CHANNEL, (p) => seen.push(p));
  return () => waitFor(() => seen[0], { what: 'the accounts change notification' });
}

describe('cached sessions and API keys', () => {
  it('the app authenticates through the accounts the composition root built (one graph, one set of caches)', async () => {
    const t = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const { sessions } = env.contexts.accounts.caches;
    const before = sessions.size;
    expect((await call(env.app, 'GET', '/api/tenant', { headers: viewer.headers })).status).toBe(200);
    expect(sessions.size).toBe(before + 1);
  });

  it('another instance refuses a disabled user once the notification has arrived', async () => {
    const t = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const b = await secondInstance();
    // Instance b resolves (and caches) the viewer's session.
    expect((await call(b, 'GET', '/api/tenant', { headers: viewer.headers })).status).toBe(200);
    const announced = await nextAnnouncement();
    // Instance a (env.app) disables the viewer.
    expect((await call(env.app, 'PATCH', `/api/users/${viewer.id}`, { headers: t.owner.headers, body: { disabled: true } })).status).toBe(200);
    expect(await announced()).toBe(t.tenantId);
    // b's own listener gets the same notification; once it has, b refuses the session.
    await waitFor(async () => (await call(b, 'GET', '/api/tenant', { headers: viewer.headers })).status === 401, { what: 'instance b to refuse the disabled user' });
    // The same instance refuses at once, before any notification.
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: viewer.headers })).status).toBe(401);
  });

  it('a revoked API key stops working on the other instance', async () => {
    const t = await createTestTenant(env);
    const made = await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body: { name: 'sync', role: 'viewer' } });
    const key = { authorization: `Bearer ${made.body.apiKey}` };
    const b = await secondInstance();
    expect((await call(b, 'GET', '/api/tenant', { headers: key })).status).toBe(200);
    expect((await call(env.app, 'DELETE', `/api/api-keys/${made.body.key.id}`, { headers: t.owner.headers })).status).toBeLessThan(300);
    expect((await call(env.app, 'GET', '/api/tenant', { headers: key })).status).toBe(401);
    await waitFor(async () => (await call(b, 'GET', '/api/tenant', { headers: key })).status === 401, { what: 'instance b to refuse the revoked key' });
  });

  it('a signed-out session is refused by the other instance', async () => {
    const t = await createTestTenant(env);
    const user = await t.as('manager');
    const b = await secondInstance();
    expect((await call(b, 'GET', '/api/tenant', { headers: user.headers })).status).toBe(200);
    expect((await call(env.app, 'POST', '/api/auth/logout', { headers: user.headers })).status).toBeLessThan(300);
    await waitFor(async () => (await call(b, 'GET', '/api/tenant', { headers: user.headers })).status === 401, { what: 'instance b to refuse the signed-out session' });
  });
});
