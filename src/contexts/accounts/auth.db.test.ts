import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant, TEST_PASSWORD } from '../../../test/factories.js';
import { auditLog } from '../../platform/audit/audit.tables.js';
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { hashToken } from '../../platform/crypto.js';
import { accountsRepo } from './accounts.repo.js';
import { createAccountsService } from './accounts.service.js';

const env = useTestEnv();

describe('password sign-in', () => {
  it('signs in, answers /me with the session cookie, and signs out', async () => {
    const t = await createTestTenant(env);
    const login = await call(env.app, 'POST', '/api/auth/login', { body: { email: t.owner.email.toUpperCase(), password: TEST_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.user.email).toBe(t.owner.email);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/thr_session=thr_sess_/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const cookie = setCookie.split(';')[0]!;
    const me = await call(env.app, 'GET', '/api/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body.tenant.id).toBe(t.tenantId);
    // Unsafe methods need the CSRF header.
    const noCsrf = await call(env.app, 'POST', '/api/auth/logout', { headers: { cookie } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('csrf_failed');
    const out = await call(env.app, 'POST', '/api/auth/logout', { headers: { cookie, 'x-csrf-token': login.body.csrfToken } });
    expect(out.status).toBe(204);
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: { cookie } })).status).toBe(401);
  });

  it('gives the same 401 for an unknown email and a wrong password', async () => {
    const t = await createTestTenant(env);
    const wrong = await call(env.app, 'POST', '/api/auth/login', { body: { email: t.owner.email, password: 'nope-nope-nope' } });
    const unknown = await call(env.app, 'POST', '/api/auth/login', { body: { email: 'nobody@example.test', password: 'nope-nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });

  it('locks the account for 15 minutes after five failures within 15 minutes', async () => {
    const t = await createTestTenant(env);
    const attempt = (password: string) =>
      call(env.app, 'POST', '/api/auth/login', { body: { email: t.owner.email, password }, headers: { 'x-forwarded-for': '10.0.0.9' } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt('wrong-password-x')).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
    const locked = await attempt(TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    env.clock.advance(16 * 60_000);
    try {
      expect((await attempt(TEST_PASSWORD)).status).toBe(200);
    } finally {
      env.clock.reset();
    }
  });

  it('rate-limits sign-in attempts per IP address (30 failures in 15 minutes), whatever the account', async () => {
    const t = await createTestTenant(env);
    const from = (ip: string, email: string, password: string) =>
      env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress: ip });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await from('10.40.0.1', `nobody-${i}@example.test`, 'wrong-password-x')).statusCode);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const blocked = await from('10.40.0.1', t.owner.email, TEST_PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from('10.40.0.2', t.owner.email, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('answers malformed JSON, schema violations and unknown routes clearly', async () => {
    const bad = await env.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_json');
    const invalid = await call(env.app, 'POST', '/api/auth/login', { body: { email: 'x@example.test' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('validation_failed');
    expect(invalid.body.error.issues[0].field).toBe('body.password');
    const missing = await call(env.app, 'GET', '/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('route_not_found');
    const big = await env.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'a', password: 'x'.repeat(2_000_000) }) });
    expect(big.statusCode).toBe(413);
  });

  it('writes the tenant creation to the audit log', async () => {
    const t = await createTestTenant(env);
    const rows = await env.platform.db.select().from(auditLog).where(eq(auditLog.tenantId, t.tenantId));
    expect(rows.map((r) => r.action)).toContain('tenant.created');
  });

  it('resolves a session with its user, tenant and scopes in one statement', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const manager = await t.as('manager');
    const scopes = [
      { kind: 'site', refId: randomUUID(), level: 'view' },
      { kind: 'organisation', refId: randomUUID(), level: 'edit' },
    ];
    expect((await call(env.app, 'PUT', `/api/users/${manager.id}/scopes`, { headers: t.owner.headers, body: { scopes } })).status).toBe(200);
    await call(env.app, 'PUT', `/api/users/${(await other.as('manager')).id}/scopes`, { headers: other.owner.headers, body: { scopes: [{ kind: 'site', refId: randomUUID(), level: 'view' }] } });
    const token = manager.headers.cookie.split('=')[1]!;
    const row = await accountsRepo.sessionWithUser(env.platform.db, hashToken(token), env.clock.now);
    expect(row?.user.id).toBe(manager.id);
    expect(row?.tenant.id).toBe(t.tenantId);
    expect(row?.scopes).toHaveLength(2);
    expect(row?.scopes).toEqual(expect.arrayContaining(scopes));
    const resolved = await createAccountsService(env.platform).principalFromSession(token);
    expect(resolved?.principal.scopes).toEqual(expect.arrayContaining(scopes));
    const unscoped = await accountsRepo.sessionWithUser(env.platform.db, hashToken(t.owner.headers.cookie.split('=')[1]!), env.clock.now);
    expect(unscoped?.scopes).toEqual([]);
  });
});
