import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, TEST_PASSWORD, type TestTenant } from '../../../../test/factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { oidcConnections } from './oidc.tables.js';
import { startFakeIdp, type FakeIdp } from './test/fake-idp.js';
import { createLogger } from '../../../platform/logger.js';
import { commands } from '../../../cli/commands/index.js';
import type { CliContext } from '../../../cli/command.js';

const env = useTestEnv();
let fake: FakeIdp;
beforeAll(async () => {
  fake = await startFakeIdp();
});
afterAll(async () => fake?.close());

const REDIRECT = 'http://threshold.test/api/auth/oidc/callback';
const domain = () => `school-${randomUUID().slice(0, 8)}.test`;

async function auditRows(tenantId: string, action: string) {
  return env.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, action)));
}

function body(over: Record<string, unknown> = {}) {
  return { preset: 'okta', label: 'Sign in with Okta', issuer: fake.issuer, clientId: `client-${randomUUID()}`, clientSecret: 's3cret-value', domains: [domain()], ...over };
}

async function create(t: TestTenant, over: Record<string, unknown> = {}) {
  const res = await call(env.app, 'POST', '/api/oidc/connections', { headers: t.owner.headers, body: body(over) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('OIDC connections', () => {
  it('401 unauthenticated, 403 for a manager, 404 for another tenant’s connection', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const manager = await t.as('manager');
    const theirs = await create(other);
    expect((await call(env.app, 'GET', '/api/oidc/connections')).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/oidc/connections', { body: body() })).status).toBe(401);
    expect((await call(env.app, 'GET', '/api/oidc/connections', { headers: manager.headers })).status).toBe(403);
    expect((await call(env.app, 'POST', '/api/oidc/connections', { headers: manager.headers, body: body() })).status).toBe(403);
    expect((await call(env.app, 'GET', '/api/oidc/settings', { headers: manager.headers })).status).toBe(403);
    for (const [method, url, b] of [
      ['GET', `/api/oidc/connections/${theirs.id}`, undefined],
      ['PATCH', `/api/oidc/connections/${theirs.id}`, { label: 'Mine now' }],
      ['DELETE', `/api/oidc/connections/${theirs.id}`, undefined],
      ['POST', `/api/oidc/connections/${theirs.id}/test`, undefined],
    ] as const) {
      const res = await call(env.app, method, url, { headers: t.owner.headers, body: b });
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const mine = await call(env.app, 'GET', '/api/oidc/connections', { headers: t.owner.headers });
    expect(mine.body.connections).toEqual([]);
  });

  it('an admin creates a connection: secret stored encrypted and never shown, audited', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const d = domain();
    const res = await call(env.app, 'POST', '/api/oidc/connections', { headers: admin.headers, body: body({ domains: [d.toUpperCase()], groupRoles: [{ group: 'g-it', role: 'admin' }] }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ preset: 'okta', domains: [d], clientSecretSet: true, enabled: true, jitEnabled: false, groupRoles: [{ group: 'g-it', role: 'admin' }] });
    expect(res.raw.body).not.toContain('s3cret-value');
    const [row] = await env.platform.db.select().from(oidcConnections).where(eq(oidcConnections.id, res.body.id));
    expect(row!.clientSecret).toMatch(/^v1\./);
    expect(row!.clientSecret).not.toContain('s3cret');
    const [audit] = await auditRows(t.tenantId, 'oidc.connection_created');
    expect(audit).toMatchObject({ actorId: admin.id, targetId: res.body.id });
    expect(JSON.stringify(audit)).not.toContain('s3cret-value');
    const list = await call(env.app, 'GET', '/api/oidc/connections', { headers: admin.headers });
    expect(list.body.connections.map((c: { id: string }) => c.id)).toEqual([res.body.id]);
    const settings = await call(env.app, 'GET', '/api/oidc/settings', { headers: admin.headers });
    expect(settings.body).toEqual({ passwordSignInOff: false, redirectUri: REDIRECT });
  });

  it('refuses bad input with the field: http issuer off loopback, Entra without its tenant id, a taken domain', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const bad = async (over: Record<string, unknown>) => (await call(env.app, 'POST', '/api/oidc/connections', { headers: t.owner.headers, body: body(over) })).body.error;
    expect(await bad({ issuer: 'http://idp.example.com' })).toMatchObject({ code: 'invalid_issuer', field: 'issuer' });
    expect(await bad({ preset: 'entra' })).toMatchObject({ code: 'idp_tenant_required', field: 'idpTenantId' });
    expect(await bad({ preset: 'entra', idpTenantId: 'aaaaaaaa-0000-0000-0000-000000000000', issuer: 'https://login.microsoftonline.com/common/v2.0' })).toMatchObject({ code: 'invalid_issuer', field: 'issuer' });
    expect(await bad({ scopes: 'email profile' })).toMatchObject({ code: 'validation_failed', field: 'body.scopes' });
    expect(await bad({ domains: ['not a domain'] })).toMatchObject({ code: 'validation_failed' });
    const theirs = await create(other);
    const taken = await call(env.app, 'POST', '/api/oidc/connections', { headers: t.owner.headers, body: body({ domains: theirs.domains }) });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'domain_taken', field: 'domains' });
    expect(taken.body.error.message).toContain('another organisation');
  });

  it('updates (a blank secret keeps the old one) and deletes, both audited', async () => {
    const t = await createTestTenant(env);
    const c = await create(t);
    const [before] = await env.platform.db.select().from(oidcConnections).where(eq(oidcConnections.id, c.id));
    const patched = await call(env.app, 'PATCH', `/api/oidc/connections/${c.id}`, { headers: t.owner.headers, body: { label: 'Staff sign-in', jitEnabled: true, jitRole: 'manager' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ label: 'Staff sign-in', jitEnabled: true, jitRole: 'manager' });
    const [after] = await env.platform.db.select().from(oidcConnections).where(eq(oidcConnections.id, c.id));
    expect(after!.clientSecret).toBe(before!.clientSecret);
    const [upd] = await auditRows(t.tenantId, 'oidc.connection_updated');
    expect(upd!.data).toMatchObject({ label: 'Staff sign-in', clientSecretChanged: false });
    expect((await call(env.app, 'DELETE', `/api/oidc/connections/${c.id}`, { headers: t.owner.headers })).status).toBe(204);
    expect((await call(env.app, 'GET', `/api/oidc/connections/${c.id}`, { headers: t.owner.headers })).status).toBe(404);
    expect(await auditRows(t.tenantId, 'oidc.connection_deleted')).toHaveLength(1);
  });

  it('"Test connection" says what is wrong: a bad secret, an issuer that does not answer', async () => {
    const t = await createTestTenant(env);
    const good = await create(t);
    fake.addClient(good.clientId, 's3cret-value', [REDIRECT]);
    const ok = await call(env.app, 'POST', `/api/oidc/connections/${good.id}/test`, { headers: t.owner.headers });
    expect(ok.status).toBe(200);
    expect(ok.body.ok).toBe(true);
    expect(ok.body.checks.map((c: { name: string }) => c.name)).toEqual(['discovery', 'code_flow', 'jwks', 'client']);

    const wrongSecret = await create(t);
    fake.addClient(wrongSecret.clientId, 'another-secret', [REDIRECT]);
    const bad = await call(env.app, 'POST', `/api/oidc/connections/${wrongSecret.id}/test`, { headers: t.owner.headers });
    expect(bad.body.ok).toBe(false);
    expect(bad.body.checks.find((c: { name: string }) => c.name === 'client')).toMatchObject({ ok: false, message: expect.stringContaining('invalid_client') });

    const dead = await create(t, { issuer: 'http://127.0.0.1:9' });
    const down = await call(env.app, 'POST', `/api/oidc/connections/${dead.id}/test`, { headers: t.owner.headers });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ ok: false, checks: [{ name: 'discovery', ok: false }] });
    const tested = await auditRows(t.tenantId, 'oidc.connection_tested');
    expect(tested).toHaveLength(3);
  });

  it('passwords off: owner only, needs a connection that is on, refuses password sign-in, keeps the last connection', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    expect((await call(env.app, 'PUT', '/api/oidc/settings', { headers: admin.headers, body: { passwordSignInOff: true } })).status).toBe(403);
    const none = await call(env.app, 'PUT', '/api/oidc/settings', { headers: t.owner.headers, body: { passwordSignInOff: true } });
    expect(none.body.error).toMatchObject({ code: 'no_enabled_connection' });
    const c = await create(t);
    const on = await call(env.app, 'PUT', '/api/oidc/settings', { headers: t.owner.headers, body: { passwordSignInOff: true } });
    expect(on.status).toBe(200);
    expect(on.body.passwordSignInOff).toBe(true);
    const [audit] = (await auditRows(t.tenantId, 'tenant.updated')).filter((r) => 'passwordSignInOff' in (r.data as object));
    expect(audit).toMatchObject({ actorId: t.owner.id });

    const login = await call(env.app, 'POST', '/api/auth/login', { body: { email: t.owner.email, password: TEST_PASSWORD } });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('password_signin_off');
    const wrong = await call(env.app, 'POST', '/api/auth/login', { body: { email: t.owner.email, password: 'wrong password!!' } });
    expect(wrong.status).toBe(401);

    const last = await call(env.app, 'DELETE', `/api/oidc/connections/${c.id}`, { headers: t.owner.headers });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('last_connection');
    expect((await call(env.app, 'PATCH', `/api/oidc/connections/${c.id}`, { headers: t.owner.headers, body: { enabled: false } })).body.error.code).toBe('last_connection');

    const discover = await call(env.app, 'GET', `/api/auth/oidc/discover?email=${encodeURIComponent(`someone@${c.domains[0]}`)}`);
    expect(discover.body).toEqual({ connections: [{ id: c.id, label: 'Sign in with Okta', preset: 'okta' }], passwordSignIn: false });
    const unknown = await call(env.app, 'GET', '/api/auth/oidc/discover?email=someone@nowhere.test');
    expect(unknown.body).toEqual({ connections: [], passwordSignIn: true });
  });

  it('CLI `oidc recover` turns password sign-in back on for the owner, audited', async () => {
    const t = await createTestTenant(env);
    await create(t);
    await call(env.app, 'PUT', '/api/oidc/settings', { headers: t.owner.headers, body: { passwordSignInOff: true } });
    expect((await call(env.app, 'POST', '/api/auth/login', { body: { email: t.owner.email, password: TEST_PASSWORD } })).status).toBe(403);
    const lines: string[] = [];
    const ctx: CliContext = { config: env.config, log: createLogger('silent'), database: async () => env.platform.database, platform: async () => env.platform, contexts: async () => env.contexts, progress: (m) => lines.push(m) };
    const recover = commands.find((c) => c.name === 'oidc recover')!;
    expect(await recover.run(ctx, { tenant: t.tenantId })).toEqual({ tenantId: t.tenantId, passwordSignIn: true, wasOff: true });
    expect(lines.join('\n')).toContain('Password sign-in is on again');
    expect((await call(env.app, 'POST', '/api/auth/login', { body: { email: t.owner.email, password: TEST_PASSWORD } })).status).toBe(200);
    const [row] = await auditRows(t.tenantId, 'tenant.password_signin_restored');
    expect(row).toMatchObject({ actorKind: 'system', actorLabel: 'cli' });
    await expect(recover.run(ctx, { tenant: randomUUID() })).rejects.toMatchObject({ status: 404 });
  });
});
