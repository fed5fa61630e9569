import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, TEST_PASSWORD, uniqueEmail } from '../../../../test/factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import type { Mail } from '../../../platform/notifications/mailer.js';

const env = useTestEnv();
const NEW_PASSWORD = 'another long passphrase';

afterEach(() => {
  vi.restoreAllMocks();
  env.clock.reset();
});

async function auditRows(tenantId: string, action: string) {
  return env.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, action)));
}

async function login(email: string, password: string) {
  const res = await call(env.app, 'POST', '/api/auth/login', { body: { email, password } });
  const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0]!;
  return { status: res.status, headers: { cookie, 'x-csrf-token': String(res.body?.csrfToken) } };
}

/** A reset request from its own address, so IP limits of one test do not touch another. */
function requestReset(email: string, ip = '10.20.0.1') {
  return env.app.inject({ method: 'POST', url: '/api/auth/password-reset/request', payload: { email }, remoteAddress: ip });
}

function captureMail() {
  const sent: Mail[] = [];
  vi.spyOn(env.platform.mailer, 'send').mockImplementation(async (m) => {
    sent.push(m);
  });
  return sent;
}

describe('change password', () => {
  it('needs a session and the current password; other sessions end, this one stays; audited', async () => {
    const t = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const body = { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD };
    expect((await call(env.app, 'POST', '/api/auth/password', { body })).status).toBe(401);
    const here = await login(viewer.email, TEST_PASSWORD);
    const elsewhere = await login(viewer.email, TEST_PASSWORD);
    const wrong = await call(env.app, 'POST', '/api/auth/password', { headers: here.headers, body: { ...body, currentPassword: 'not the password' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_password');
    const weak = await call(env.app, 'POST', '/api/auth/password', { headers: here.headers, body: { ...body, newPassword: 'short' } });
    expect(weak.body.error.code).toBe('weak_password');
    expect(weak.body.error.field).toBe('newPassword');
    expect((await call(env.app, 'POST', '/api/auth/password', { headers: here.headers, body })).status).toBe(204);
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: here.headers })).status).toBe(200);
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: elsewhere.headers })).status).toBe(401);
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: viewer.headers })).status).toBe(401);
    expect((await login(viewer.email, TEST_PASSWORD)).status).toBe(401);
    expect((await login(viewer.email, NEW_PASSWORD)).status).toBe(200);
    expect(await auditRows(t.tenantId, 'user.password_changed')).toHaveLength(1);
  });

  it('counts wrong current passwords per account: the sixth try in 15 minutes is a 429, the right password included, and nothing changes', async () => {
    const t = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const here = await login(viewer.email, TEST_PASSWORD);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await call(env.app, 'POST', '/api/auth/password', { headers: here.headers, body: { currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD } })).status);
    }
    const right = await call(env.app, 'POST', '/api/auth/password', { headers: here.headers, body: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD } });
    expect([...statuses, right.status]).toEqual([400, 400, 400, 400, 400, 429]);
    expect(right.body.error.code).toBe('rate_limited');
    expect(right.headers['retry-after']).toEqual(expect.any(String));
    expect(await auditRows(t.tenantId, 'user.password_changed')).toHaveLength(0);
    // After the lock, the right password changes it (a success gives its try back).
    env.clock.advance(15 * 60_000 + 1000);
    expect((await call(env.app, 'POST', '/api/auth/password', { headers: here.headers, body: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD } })).status).toBe(204);
  });
});

describe('password reset', () => {
  it('answers 202 for known and unknown addresses alike, emailing only a real account', async () => {
    const t = await createTestTenant(env);
    const sent = captureMail();
    const unknown = await requestReset(uniqueEmail('nobody'), '10.20.1.1');
    const known = await requestReset(t.owner.email.toUpperCase(), '10.20.1.1');
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe(t.owner.email);
    expect(sent[0]!.text).toMatch(/http:\/\/threshold\.test\/reset\/thr_rst_\S+/);
    expect(await auditRows(t.tenantId, 'user.password_reset_requested')).toHaveLength(1);
  });

  it('sets a new password from the link once, ending every session; audited', async () => {
    const t = await createTestTenant(env);
    const sent = captureMail();
    await requestReset(t.owner.email, '10.20.2.1');
    const token = /\/reset\/(\S+)/.exec(sent[0]!.text)![1]!;
    const weak = await call(env.app, 'POST', '/api/auth/password-reset/complete', { body: { token, password: 'short' } });
    expect(weak.body.error.code).toBe('weak_password');
    const done = await call(env.app, 'POST', '/api/auth/password-reset/complete', { body: { token, password: NEW_PASSWORD } });
    expect(done.status).toBe(204);
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: t.owner.headers })).status).toBe(401);
    expect((await login(t.owner.email, TEST_PASSWORD)).status).toBe(401);
    expect((await login(t.owner.email, NEW_PASSWORD)).status).toBe(200);
    const again = await call(env.app, 'POST', '/api/auth/password-reset/complete', { body: { token, password: 'yet another passphrase' } });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('invalid_token');
    const [row] = await auditRows(t.tenantId, 'user.password_reset');
    expect(row).toMatchObject({ actorId: t.owner.id, targetId: t.owner.id });
  });

  it('refuses a link older than one hour', async () => {
    const t = await createTestTenant(env);
    const sent = captureMail();
    await requestReset(t.owner.email, '10.20.3.1');
    const token = /\/reset\/(\S+)/.exec(sent[0]!.text)![1]!;
    env.clock.advance(61 * 60_000);
    const late = await call(env.app, 'POST', '/api/auth/password-reset/complete', { body: { token, password: NEW_PASSWORD } });
    expect(late.status).toBe(404);
    expect((await login(t.owner.email, TEST_PASSWORD)).status).toBe(200);
  });

  it('rate-limits requests per email address and per IP address', async () => {
    const t = await createTestTenant(env);
    const sent = captureMail();
    const perEmail: number[] = [];
    for (let i = 0; i < 6; i++) perEmail.push((await requestReset(t.owner.email, `10.20.4.${i}`)).statusCode);
    expect(perEmail).toEqual([202, 202, 202, 202, 202, 429]);
    expect(sent).toHaveLength(5);
    const perIp: number[] = [];
    for (let i = 0; i < 21; i++) perIp.push((await requestReset(uniqueEmail('spray'), '10.20.5.1')).statusCode);
    expect(perIp.slice(0, 20).every((s) => s === 202)).toBe(true);
    const refused = await requestReset(uniqueEmail('spray'), '10.20.5.1');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(perIp[20]).toBe(429);
    expect((await requestReset(uniqueEmail('other'), '10.20.5.2')).statusCode).toBe(202);
  });
});
