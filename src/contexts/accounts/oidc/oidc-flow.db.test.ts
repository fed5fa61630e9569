import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, type TestTenant } from '../../../../test/factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { tenants, userScopes, users } from '../accounts.tables.js';
import { startFakeIdp, type FakeIdp } from './test/fake-idp.js';
import { signInThrough } from './test/oidc-helpers.js';
import { oidcConnections } from './oidc.tables.js';

const env = useTestEnv();
let fake: FakeIdp;
beforeAll(async () => {
  fake = await startFakeIdp();
});
afterAll(async () => fake?.close());

const REDIRECT = 'http://threshold.test/api/auth/oidc/callback';
const ENTRA_TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

type Conn = { id: string; domains: string[]; clientId: string };

async function connection(t: TestTenant, over: Record<string, unknown> = {}): Promise<Conn> {
  const d = `school-${randomUUID().slice(0, 8)}.test`;
  const res = await call(env.app, 'POST', '/api/oidc/connections', {
    headers: t.owner.headers,
    body: { preset: 'okta', label: 'Okta', issuer: fake.issuer, clientId: `client-${randomUUID()}`, clientSecret: 'the-secret', domains: [d], ...over },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  fake.addClient(res.body.clientId, 'the-secret', [REDIRECT]);
  return res.body as Conn;
}

async function refusals(tenantId: string) {
  const rows = await env.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'oidc.refused')));
  return rows.map((r) => (r.data as { reason: string }).reason);
}

async function me(session: string) {
  return call(env.app, 'GET', '/api/auth/me', { headers: { cookie: `thr_session=${session}` } });
}

describe('signing in through an OpenID provider', () => {
  it('signs an existing user in with PKCE, state and nonce; a session of ours; audited', async () => {
    const t = await createTestTenant(env);
    const c = await connection(t);
    const email = `ann@${c.domains[0]}`;
    const staff = await env.platform.db.insert(users).values({ tenantId: t.tenantId, email: 'Ann@' + c.domains[0], role: 'manager' }).returning();
    const out = await signInThrough(env.app, fake, c.id, { claims: { email, email_verified: true, name: 'Ann' } }, { email });
    expect(out.location).toBe('/');
    const auth = fake.lastAuthorization()!;
    expect(auth.get('code_challenge_method')).toBe('S256');
    expect(auth.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(auth.get('state')).toBeTruthy();
    expect(auth.get('nonce')).toBeTruthy();
    expect(auth.get('login_hint')).toBe(email);
    expect(auth.get('redirect_uri')).toBe(REDIRECT);
    const m = await me(out.session!);
    expect(m.status).toBe(200);
    expect(m.body.user).toMatchObject({ id: staff[0]!.id, role: 'manager' });
    const [row] = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'oidc.signed_in')));
    expect(row).toMatchObject({ actorId: staff[0]!.id, targetId: staff[0]!.id });

    // The same answer again (a replayed state) is refused, and so is a callback from another browser.
    const replay = await env.app.inject({ method: 'GET', url: out.callbackPath!, headers: { cookie: `thr_oidc=${out.flowCookie}` } });
    expect(replay.headers.location).toBe('/login?refused=state_invalid');
    const elsewhere = await signInThrough(env.app, fake, c.id, { claims: { email, email_verified: true } }, { flowCookie: 'someone-elses' });
    expect(elsewhere.location).toBe('/login?refused=state_invalid');
    expect(elsewhere.session).toBeUndefined();
    expect(await refusals(t.tenantId)).toEqual(['state_invalid', 'state_invalid']);

    const end = await call(env.app, 'GET', '/api/auth/oidc/end-session', { headers: { cookie: `thr_session=${out.session}` } });
    const endUrl = new URL(end.body.url);
    expect(`${endUrl.origin}${endUrl.pathname}`).toBe(`${fake.issuer}/logout`);
    expect(endUrl.searchParams.get('client_id')).toBe(c.clientId);
    expect(endUrl.searchParams.get('post_logout_redirect_uri')).toBe('http://threshold.test/login');
  });

  it('creates an unknown user just in time with the role its IdP groups map to, and the default scopes', async () => {
    const t = await createTestTenant(env);
    const site = randomUUID();
    const c = await connection(t, {
      jitEnabled: true,
      jitRole: 'viewer',
      jitScopes: [{ kind: 'site', refId: site, level: 'view' }],
      allowedGroups: ['g-staff', 'g-it'],
      groupRoles: [{ group: 'g-it', role: 'admin' }],
    });
    const email = `newbie@${c.domains[0]}`;
    const out = await signInThrough(env.app, fake, c.id, { claims: { email, email_verified: true, name: 'New Bie', groups: ['g-staff', 'g-it'] } });
    expect(out.location).toBe('/');
    const m = await me(out.session!);
    expect(m.status, JSON.stringify(m.body)).toBe(200);
    expect(m.body.user).toMatchObject({ email, name: 'New Bie', role: 'admin' });
    const scopes = await env.platform.db.select().from(userScopes).where(eq(userScopes.userId, m.body.user.id));
    expect(scopes).toMatchObject([{ kind: 'site', refId: site }]);
    const [created] = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'user.created')));
    expect(created!.data).toMatchObject({ via: 'oidc', role: 'admin', groups: ['g-staff', 'g-it'] });

    const plain = await signInThrough(env.app, fake, c.id, { claims: { email: `plain@${c.domains[0]}`, email_verified: true, groups: ['g-staff'] } });
    expect((await me(plain.session!)).body.user.role).toBe('viewer');
    const outsider = await signInThrough(env.app, fake, c.id, { claims: { email: `pupil@${c.domains[0]}`, email_verified: true, groups: ['g-pupils'] } });
    expect(outsider.location).toBe('/login?refused=not_in_allowed_group');
    const overage = await signInThrough(env.app, fake, c.id, { claims: { email: `many@${c.domains[0]}`, email_verified: true, _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/x/getMemberObjects' } } } });
    expect(overage.location).toBe('/login?refused=groups_overage');
    expect((await refusals(t.tenantId)).sort()).toEqual(['groups_overage', 'not_in_allowed_group']);
  });

  it('refuses each bad answer with its reason, an audit row and no session', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const c = await connection(t);
    const d = c.domains[0]!;
    await env.platform.db.insert(users).values({ tenantId: t.tenantId, email: `known@${d}`, role: 'viewer' });
    await env.platform.db.insert(users).values({ tenantId: t.tenantId, email: `gone@${d}`, role: 'viewer', disabledAt: new Date() });
    await env.platform.db.insert(users).values({ tenantId: other.tenantId, email: `moved@${d}`, role: 'viewer' });
    const ok = { email: `known@${d}`, email_verified: true };
    const cases: [string, Parameters<FakeIdp['nextLogin']>[0]][] = [
      ['token_invalid', { claims: ok, fault: { forged: true } }],
      ['token_invalid', { claims: ok, fault: { expiresIn: -600 } }],
      ['token_invalid', { claims: ok, fault: { aud: 'someone-else' } }],
      ['token_invalid', { claims: ok, fault: { iss: 'http://127.0.0.1:1/other' } }],
      ['token_invalid', { claims: ok, fault: { nonce: 'not-the-nonce' } }],
      ['email_not_verified', { claims: { email: `known@${d}`, email_verified: false } }],
      ['wrong_domain', { claims: { email: 'known@elsewhere.test', email_verified: true } }],
      ['wrong_tenant', { claims: { email: `moved@${d}`, email_verified: true } }],
      ['unknown_user', { claims: { email: `nobody@${d}`, email_verified: true } }],
      ['user_disabled', { claims: { email: `gone@${d}`, email_verified: true } }],
      ['idp_error', { error: 'access_denied', description: 'The user cancelled' }],
    ];
    for (const [reason, login] of cases) {
      const out = await signInThrough(env.app, fake, c.id, login);
      expect(out.location, JSON.stringify(login)).toBe(`/login?refused=${reason}`);
      expect(out.session).toBeUndefined();
    }
    expect((await refusals(t.tenantId)).sort()).toEqual(cases.map(([r]) => r).sort());
    expect(await refusals(other.tenantId)).toEqual([]);

    // A token whose clock is a little ahead is fine; far ahead is not.
    expect((await signInThrough(env.app, fake, c.id, { claims: ok, fault: { iatOffset: 20 } })).location).toBe('/');
  });

  it('an issuer that does not answer: the refusal page and an audit row', async () => {
    const t = await createTestTenant(env);
    const c = await connection(t, { issuer: 'http://127.0.0.1:9' });
    const out = await signInThrough(env.app, fake, c.id, null);
    expect(out.location).toBe('/login?refused=issuer_unreachable');
    expect(await refusals(t.tenantId)).toEqual(['issuer_unreachable']);
  });

  it('uses the cached signing keys, and fetches them again when the IdP rotates its key', async () => {
    const t = await createTestTenant(env);
    const c = await connection(t);
    await env.platform.db.insert(users).values({ tenantId: t.tenantId, email: `keys@${c.domains[0]}`, role: 'viewer' });
    const login = { claims: { email: `keys@${c.domains[0]}`, email_verified: true } };
    expect((await signInThrough(env.app, fake, c.id, login)).location).toBe('/');
    const fetched = fake.jwksRequests();
    expect((await signInThrough(env.app, fake, c.id, login)).location).toBe('/');
    expect(fake.jwksRequests()).toBe(fetched);
    await fake.rotateKeys();
    expect((await signInThrough(env.app, fake, c.id, login)).location).toBe('/');
    expect(fake.jwksRequests()).toBe(fetched + 1);
  });

  it('Entra ID: xms_edov stands in for email_verified and the tid must be the directory’s', async () => {
    const t = await createTestTenant(env);
    const c = await connection(t, { preset: 'entra', idpTenantId: ENTRA_TID, jitEnabled: true });
    const d = c.domains[0]!;
    expect((await signInThrough(env.app, fake, c.id, { claims: { email: `a@${d}`, xms_edov: true, tid: ENTRA_TID } })).location).toBe('/');
    expect((await signInThrough(env.app, fake, c.id, { claims: { email: `b@${d}`, email_verified: true, tid: ENTRA_TID } })).location).toBe('/login?refused=email_not_verified');
    expect((await signInThrough(env.app, fake, c.id, { claims: { email: `c@${d}`, xms_edov: true, tid: randomUUID() } })).location).toBe('/login?refused=wrong_idp_tenant');
  });

  it('"require two-factor" is satisfied only when the IdP did multi-factor sign-in', async () => {
    const t = await createTestTenant(env);
    const c = await connection(t);
    await env.platform.db.update(tenants).set({ require2fa: true }).where(eq(tenants.id, t.tenantId));
    await env.platform.db.insert(users).values({ tenantId: t.tenantId, email: `boss@${c.domains[0]}`, role: 'admin' });
    const base = { email: `boss@${c.domains[0]}`, email_verified: true };
    const withMfa = await signInThrough(env.app, fake, c.id, { claims: { ...base, amr: ['pwd', 'mfa'] } });
    expect((await me(withMfa.session!)).body.mustEnrolTotp).toBe(false);
    expect((await call(env.app, 'GET', '/api/users', { headers: { cookie: `thr_session=${withMfa.session}` } })).status).toBe(200);
    const without = await signInThrough(env.app, fake, c.id, { claims: { ...base, amr: ['pwd'] } });
    expect((await me(without.session!)).body.mustEnrolTotp).toBe(true);
    const blocked = await call(env.app, 'GET', '/api/users', { headers: { cookie: `thr_session=${without.session}` } });
    expect(blocked.body.error.code).toBe('totp_enrolment_required');
    // (The owner, without two-factor, is itself held at enrolment now: change the connection underneath.)
    await env.platform.db.update(oidcConnections).set({ idpEnforcesMfa: true, updatedAt: new Date() }).where(eq(oidcConnections.id, c.id));
    const enforced = await signInThrough(env.app, fake, c.id, { claims: base });
    expect((await me(enforced.session!)).body.mustEnrolTotp).toBe(false);
  });
});
