import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant, TEST_PASSWORD } from '../../../test/factories.js';
import { makeSite } from '../../../test/signin-factories.js';
import { auditLog } from '../../platform/audit/audit.tables.js';
import { and, eq } from 'drizzle-orm';
import { notifications } from '../../platform/notifications/notifications.tables.js';
import { hashToken } from '../../platform/crypto.js';
import { systemActor } from '../../platform/audit/audit.js';
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

  it('locks the account from one address for 15 minutes after five failures there within 15 minutes; other addresses still sign in', async () => {
    const t = await createTestTenant(env);
    const attempt = (password: string, ip = '10.0.0.9') =>
      env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: t.owner.email, password }, remoteAddress: ip });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt('wrong-password-x')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const locked = await attempt(TEST_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    // A stranger failing from one address does not lock the owner out everywhere.
    expect((await attempt(TEST_PASSWORD, '10.0.0.10')).statusCode).toBe(200);
    env.clock.advance(16 * 60_000);
    try {
      expect((await attempt(TEST_PASSWORD)).statusCode).toBe(200);
    } finally {
      env.clock.reset();
    }
  });

  it('answers an unknown email as an account: the sixth failure from one address is the same 429, so the lock-out tells no one who has an account', async () => {
    const t = await createTestTenant(env);
    const answers = async (emails: string[], ip: string) => {
      const out: string[] = [];
      for (const email of emails) {
        const res = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'wrong-password-x' }, remoteAddress: ip });
        out.push(`${res.statusCode} ${res.json().error.message}`);
      }
      return out;
    };
    const known = await answers(Array(6).fill(t.owner.email), '10.5.0.1');
    // Any spelling of the unknown email is one account, as a known one is.
    const unknown = await answers([...Array(3).fill('Nobody-Here@example.test'), ...Array(3).fill('nobody-here@EXAMPLE.test')], '10.5.0.2');
    expect(known.map((a) => a.slice(0, 3))).toEqual(['401', '401', '401', '401', '401', '429']);
    expect(unknown).toEqual(known);
  });

  it('locks the account everywhere when five addresses fail within 15 minutes, once, and tells its user', async () => {
    const t = await createTestTenant(env);
    const attempt = (password: string, ip: string) =>
      env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: t.owner.email, password }, remoteAddress: ip });
    for (let a = 1; a <= 4; a++) expect((await attempt('wrong-password-x', `10.1.0.${a}`)).statusCode).toBe(401);
    expect((await attempt(TEST_PASSWORD, '10.1.0.99')).statusCode).toBe(200);
    expect((await attempt('wrong-password-x', '10.1.0.5')).statusCode).toBe(401);
    const everywhere = await attempt(TEST_PASSWORD, '10.1.0.100');
    expect(everywhere.statusCode).toBe(429);
    expect(everywhere.json().error.message).toMatch(/several places/);
    expect((await attempt('wrong-password-x', '10.1.0.6')).statusCode).toBe(429);
    const told = await env.platform.db.select().from(notifications).where(eq(notifications.userId, t.owner.id));
    expect(told.map((n) => n.title)).toEqual(['Your account was locked for 15 minutes']);
    const audited = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'user.locked_out')));
    expect(audited).toHaveLength(1);
    env.clock.advance(16 * 60_000);
    try {
      expect((await attempt(TEST_PASSWORD, '10.1.0.100')).statusCode).toBe(200);
    } finally {
      env.clock.reset();
    }
  });

  it('counts each attempt before checking it: 60 concurrent guesses with the right password among them check at most five', async () => {
    const t = await createTestTenant(env);
    const guesses = Array.from({ length: 60 }, (_, i) => (i === 41 ? TEST_PASSWORD : `wrong-password-${i}`));
    const statuses = await Promise.all(
      guesses.map((password) => env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: t.owner.email, password }, remoteAddress: '10.2.0.1' }).then((r) => r.statusCode)),
    );
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(5);
    expect(statuses.every((s) => [200, 401, 429].includes(s))).toBe(true);
  });

  it('counts unknown-email attempts per address before checking: 100 concurrent from one address get at most 30 answers that are not 429', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: `nobody-${i}@example.test`, password: 'wrong-password-x' }, remoteAddress: '10.3.0.1' }).then((r) => r.statusCode),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(70);
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
    const org = await call(env.app, 'POST', '/api/record/organisations', { headers: t.owner.headers, body: { name: 'Northgate', type: 'academy' } });
    const scopes = [
      { kind: 'site', refId: (await makeSite(env, t)).id, level: 'view' },
      { kind: 'organisation', refId: org.body.id as string, level: 'edit' },
    ];
    expect((await call(env.app, 'PUT', `/api/users/${manager.id}/scopes`, { headers: t.owner.headers, body: { scopes } })).status).toBe(200);
    await call(env.app, 'PUT', `/api/users/${(await other.as('manager')).id}/scopes`, { headers: other.owner.headers, body: { scopes: [{ kind: 'site', refId: (await makeSite(env, other)).id, level: 'view' }] } });
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

describe('the session probe (GET /api/auth/session): the web app asks it on opening', () => {
  it('answers 200 with no session when nobody is signed in, or the cookie is stale, where /api/auth/me answers 401', async () => {
    const anonymous = await call(env.app, 'GET', '/api/auth/session');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ me: null });
    expect((await call(env.app, 'GET', '/api/auth/me')).status).toBe(401);
    const stale = await call(env.app, 'GET', '/api/auth/session', { headers: { cookie: 'thr_session=thr_sess_not-a-session' } });
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual({ me: null });
  });

  it('answers what /api/auth/me answers for a signed-in browser, and no session again after signing out', async () => {
    const t = await createTestTenant(env);
    const session = await call(env.app, 'GET', '/api/auth/session', { headers: t.owner.headers });
    const me = await call(env.app, 'GET', '/api/auth/me', { headers: t.owner.headers });
    expect(session.status).toBe(200);
    expect(session.body.me).toEqual(me.body);
    expect(session.body.me.csrfToken).toBe(t.owner.headers['x-csrf-token']);
    expect((await call(env.app, 'POST', '/api/auth/logout', { headers: t.owner.headers })).status).toBe(204);
    expect((await call(env.app, 'GET', '/api/auth/session', { headers: t.owner.headers })).body).toEqual({ me: null });
  });

  it('answers a session that still owes its two-factor code, or must enrol first, with what it owes (not a 403)', async () => {
    const t = await createTestTenant(env);
    expect((await call(env.app, 'PATCH', '/api/tenant', { headers: t.owner.headers, body: { require2fa: true } })).status).toBe(200);
    const viewer = await t.as('viewer');
    const enrol = await call(env.app, 'GET', '/api/auth/session', { headers: viewer.headers });
    expect(enrol.status).toBe(200);
    expect(enrol.body.me).toMatchObject({ mustEnrolTotp: true, totpRequired: false });
  });

  it('is no session for an API key: a key is not a browser signed in', async () => {
    const t = await createTestTenant(env);
    const { apiKey } = await env.contexts.accounts.service.createApiKey(t.tenantId, { name: 'ci' }, systemActor);
    const res = await call(env.app, 'GET', '/api/auth/session', { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ me: null });
  });
});
