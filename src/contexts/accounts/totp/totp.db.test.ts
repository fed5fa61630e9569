import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, TEST_PASSWORD, type AuthHeaders, type TestTenant } from '../../../../test/factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { users } from '../accounts.tables.js';
import { codeAt } from './totp.js';

const env = useTestEnv();

afterEach(() => env.clock.reset());

const code = (secret: string) => codeAt(secret, env.clock.now);
/** The next 30-second step, so a fresh code is not a reuse of the last accepted one. */
const nextStep = () => env.clock.advance(30_000);

async function auditRows(tenantId: string, action: string) {
  return env.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, action)));
}

async function login(email: string, password = TEST_PASSWORD, ip = '10.30.0.1') {
  const res = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress: ip });
  const body = res.json();
  const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0]!;
  return { status: res.statusCode, body, headers: { cookie, 'x-csrf-token': String(body.csrfToken) } as AuthHeaders };
}

/** Sets up and turns on TOTP for a signed-in user; returns the secret. */
async function enrol(headers: AuthHeaders): Promise<string> {
  const setup = await call(env.app, 'POST', '/api/auth/totp/setup', { headers });
  expect(setup.status).toBe(200);
  const secret = setup.body.secret as string;
  expect((await call(env.app, 'POST', '/api/auth/totp/enable', { headers, body: { code: code(secret) } })).status).toBe(204);
  return secret;
}

describe('TOTP two-factor sign-in', () => {
  it('sets up a pending secret (encrypted at rest), then enables it with a code; audited', async () => {
    const t = await createTestTenant(env);
    for (const url of ['/api/auth/totp/setup', '/api/auth/totp/enable', '/api/auth/totp/disable', '/api/auth/totp']) {
      expect((await call(env.app, 'POST', url, { body: { code: '123456', password: 'x' } })).status).toBe(401);
    }
    const setup = await call(env.app, 'POST', '/api/auth/totp/setup', { headers: t.owner.headers });
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUrl).toContain(`secret=${setup.body.secret}`);
    expect(setup.body.qrSvg).toMatch(/^data:image\/svg\+xml;base64,/);
    const [row] = await env.platform.db.select().from(users).where(eq(users.id, t.owner.id));
    expect(row!.totpSecret).toMatch(/^v1\./);
    expect(row!.totpSecret).not.toContain(setup.body.secret);
    expect(row!.totpEnabledAt).toBeNull();
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: t.owner.headers })).body.user.totpEnabled).toBe(false);
    const wrong = await call(env.app, 'POST', '/api/auth/totp/enable', { headers: t.owner.headers, body: { code: '000000' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_code');
    const ok = await call(env.app, 'POST', '/api/auth/totp/enable', { headers: t.owner.headers, body: { code: code(setup.body.secret) } });
    expect(ok.status).toBe(204);
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: t.owner.headers })).body.user.totpEnabled).toBe(true);
    const again = await call(env.app, 'POST', '/api/auth/totp/setup', { headers: t.owner.headers });
    expect(again.body.error.code).toBe('totp_already_enabled');
    expect(await auditRows(t.tenantId, 'user.totp_enabled')).toHaveLength(1);
  });

  it('asks for a code at sign-in; the half-signed-in session reaches nothing else; a code works once', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const secret = await enrol(admin.headers);
    nextStep();
    const first = await login(admin.email);
    expect(first.status).toBe(200);
    expect(first.body.totpRequired).toBe(true);
    expect((await call(env.app, 'GET', '/api/users', { headers: first.headers })).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/auth/totp/setup', { headers: first.headers })).status).toBe(401);
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: first.headers })).body.totpRequired).toBe(true);
    // The web app's session probe sees the half-signed-in session too (and asks for the code).
    expect((await call(env.app, 'GET', '/api/auth/session', { headers: first.headers })).body.me).toMatchObject({ totpRequired: true, user: { id: admin.id } });
    const wrong = await call(env.app, 'POST', '/api/auth/totp', { headers: first.headers, body: { code: '123456' } });
    expect(wrong.status).toBe(400);
    const good = code(secret);
    const done = await call(env.app, 'POST', '/api/auth/totp', { headers: first.headers, body: { code: good } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ totpRequired: false, user: { id: admin.id } });
    expect((await call(env.app, 'GET', '/api/users', { headers: first.headers })).status).toBe(200);
    const notPending = await call(env.app, 'POST', '/api/auth/totp', { headers: first.headers, body: { code: good } });
    expect(notPending.body.error.code).toBe('totp_not_pending');
    // The same code cannot finish a second sign-in within its window.
    const second = await login(admin.email);
    const replay = await call(env.app, 'POST', '/api/auth/totp', { headers: second.headers, body: { code: good } });
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe('invalid_code');
    nextStep();
    expect((await call(env.app, 'POST', '/api/auth/totp', { headers: second.headers, body: { code: code(secret) } })).status).toBe(200);
  });

  it('counts wrong codes toward the account lock-out', async () => {
    const t = await createTestTenant(env);
    const manager = await t.as('manager');
    const secret = await enrol(manager.headers);
    nextStep();
    const s = await login(manager.email);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await call(env.app, 'POST', '/api/auth/totp', { headers: s.headers, body: { code: '000000' } })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    const locked = await call(env.app, 'POST', '/api/auth/totp', { headers: s.headers, body: { code: code(secret) } });
    expect(locked.status).toBe(429);
    expect((await login(manager.email)).status).toBe(429);
  });

  it('turns TOTP off with the password and a code; audited', async () => {
    const t = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const secret = await enrol(viewer.headers);
    nextStep();
    // A wrong password, a wrong code, both, or a right code used twice: one answer, naming no field
    // (a stolen session must not learn whether the password was right).
    const bodies = [
      { password: 'wrong-wrong', code: code(secret) },
      { password: TEST_PASSWORD, code: '000000' },
      { password: 'wrong-wrong', code: '000000' },
      { password: TEST_PASSWORD, code: 'not a code' },
    ];
    const answers: unknown[][] = [];
    for (const body of bodies) {
      const res = await call(env.app, 'POST', '/api/auth/totp/disable', { headers: viewer.headers, body });
      const { requestId: _r, ...error } = res.body.error;
      answers.push([res.status, error]);
    }
    expect(answers[0]).toEqual([400, { code: 'invalid_password_or_code', message: 'The password or the code is wrong (each code works once)' }]);
    expect(answers.every((a) => JSON.stringify(a) === JSON.stringify(answers[0]))).toBe(true);
    const ok = await call(env.app, 'POST', '/api/auth/totp/disable', { headers: viewer.headers, body: { password: TEST_PASSWORD, code: code(secret) } });
    expect(ok.status).toBe(204);
    expect((await login(viewer.email)).body.totpRequired).toBe(false);
    expect(await auditRows(t.tenantId, 'user.totp_disabled')).toHaveLength(1);
  });

  it('counts tries to turn TOTP off per account (a password oracle for a stolen session otherwise): the sixth is a 429', async () => {
    const t = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const secret = await enrol(viewer.headers);
    nextStep();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await call(env.app, 'POST', '/api/auth/totp/disable', { headers: viewer.headers, body: { password: `guess number ${i}`, code: code(secret) } })).status);
    }
    const right = await call(env.app, 'POST', '/api/auth/totp/disable', { headers: viewer.headers, body: { password: TEST_PASSWORD, code: code(secret) } });
    expect([...statuses, right.status]).toEqual([400, 400, 400, 400, 400, 429]);
    expect(await auditRows(t.tenantId, 'user.totp_disabled')).toHaveLength(0);
  });

  describe('when the tenant requires two-factor sign-in', () => {
    async function strictTenant(): Promise<TestTenant> {
      const t = await createTestTenant(env);
      const res = await call(env.app, 'PATCH', '/api/tenant', { headers: t.owner.headers, body: { require2fa: true } });
      expect(res.status).toBe(200);
      return t;
    }

    it('sends users without TOTP to enrol before anything else', async () => {
      const t = await strictTenant();
      const viewer = await t.as('viewer');
      const me = await call(env.app, 'GET', '/api/auth/me', { headers: viewer.headers });
      expect(me.body.mustEnrolTotp).toBe(true);
      const blocked = await call(env.app, 'GET', '/api/tenant', { headers: viewer.headers });
      expect(blocked.status).toBe(403);
      expect(blocked.body.error.code).toBe('totp_enrolment_required');
      expect((await call(env.app, 'POST', '/api/auth/password', { headers: viewer.headers, body: { currentPassword: TEST_PASSWORD, newPassword: 'x'.repeat(12) } })).status).toBe(403);
      const secret = await enrol(viewer.headers);
      expect((await call(env.app, 'GET', '/api/auth/me', { headers: viewer.headers })).body.mustEnrolTotp).toBe(false);
      expect((await call(env.app, 'GET', '/api/tenant', { headers: viewer.headers })).status).toBe(200);
      // Nor can they turn it off again.
      nextStep();
      const off = await call(env.app, 'POST', '/api/auth/totp/disable', { headers: viewer.headers, body: { password: TEST_PASSWORD, code: code(secret) } });
      expect(off.body.error.code).toBe('totp_required_by_tenant');
    });

    it('holds for every spelling of an /api/ path the router accepts (decided on the matched route)', async () => {
      const t = await strictTenant();
      const manager = await t.as('manager');
      const spellings = ['/%61pi/tenant', '/%61%70%69/tenant', '/api/%74enant', '/API/tenant', '//api/tenant', '/api//tenant', '/api/tenant/', '/api/tenant?x=1', '/./api/tenant', '/api/./tenant', '/x/../api/tenant'];
      for (const url of spellings) {
        const read = await call(env.app, 'GET', url, { headers: manager.headers });
        expect([403, 404], url).toContain(read.status);
        if (read.status === 403) expect(read.body.error.code, url).toBe('totp_enrolment_required');
      }
      // The owner without TOTP cannot switch the requirement off through another spelling either.
      for (const url of ['/%61pi/tenant', '/api/%74enant', '/api/tenant/']) {
        const off = await call(env.app, 'PATCH', url, { headers: t.owner.headers, body: { require2fa: false } });
        expect(off.status, url).toBe(403);
        expect(off.body.error.code, url).toBe('totp_enrolment_required');
      }
      expect((await call(env.app, 'GET', '/api/auth/me', { headers: t.owner.headers })).body.tenant.require2fa).toBe(true);
    });

    it('does not apply to API keys, and logout still works', async () => {
      const t = await strictTenant();
      const admin = await t.as('admin');
      expect((await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body: { name: 'k' } })).status).toBe(403);
      const strictOwnerKey = await createTestTenant(env);
      const key = await call(env.app, 'POST', '/api/api-keys', { headers: strictOwnerKey.owner.headers, body: { name: 'k' } });
      await call(env.app, 'PATCH', '/api/tenant', { headers: strictOwnerKey.owner.headers, body: { require2fa: true } });
      expect((await call(env.app, 'GET', '/api/users', { headers: { authorization: `Bearer ${key.body.apiKey}` } })).status).toBe(200);
      expect((await call(env.app, 'POST', '/api/auth/logout', { headers: admin.headers })).status).toBe(204);
    });
  });
});
