import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant, scopedUser, TEST_PASSWORD, type TestTenant } from '../../../test/factories.js';
import { makeSite } from '../../../test/signin-factories.js';
import { recordTenant } from '../../../test/record-fixtures.js';

/**
 * A school's office manager (an admin scoped to their school's site, organisation or both) runs
 * their school, not the trust: the tenant's settings, its identity provider, API keys, users with
 * their roles and scopes, and the audit log are the trust's central team's (unscoped). Each is a 403
 * `forbidden` before anything changes; the reads they need (the tenant, the user list for group
 * contacts) still answer.
 */
const env = useTestEnv();

async function school(t: TestTenant) {
  const site = await makeSite(env, t, { name: 'North' });
  const { orgs } = await recordTenant(env, t, [{ name: 'North Primary', type: 'maintained' }]);
  const org = orgs[0]!;
  const admins = {
    site: await scopedUser(env, t, 'admin', [{ kind: 'site', refId: site.id }]),
    org: await scopedUser(env, t, 'admin', [{ kind: 'organisation', refId: org.id }]),
    both: await scopedUser(env, t, 'admin', [
      { kind: 'site', refId: site.id },
      { kind: 'organisation', refId: org.id },
    ]),
  };
  return { site, org, admins };
}

const refused = (r: { status: number; body: { error?: { code?: string } } }) => [r.status, r.body.error?.code];

describe('a scoped admin and the tenant-wide settings', () => {
  it('cannot rename the tenant, require two-factor, or touch the identity provider; reads the tenant', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { admins } = await school(t);
    for (const a of Object.values(admins)) {
      expect(refused(await call(env.app, 'PATCH', '/api/tenant', { headers: a.headers, body: { name: 'Renamed by a school' } }))).toEqual([403, 'forbidden']);
      expect(refused(await call(env.app, 'GET', '/api/oidc/connections', { headers: a.headers }))).toEqual([403, 'forbidden']);
      expect(refused(await call(env.app, 'GET', '/api/oidc/settings', { headers: a.headers }))).toEqual([403, 'forbidden']);
      expect((await call(env.app, 'GET', '/api/tenant', { headers: a.headers })).status).toBe(200);
    }
    // The trust's own admin (unscoped) still renames it.
    const central = await t.as('admin');
    expect((await call(env.app, 'PATCH', '/api/tenant', { headers: central.headers, body: { name: 'Northgate Trust' } })).body.name).toBe('Northgate Trust');
  });

  it('cannot list, make or revoke API keys (a key reaches the whole tenant)', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { admins } = await school(t);
    const key = await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body: { name: 'MIS', role: 'viewer' } });
    for (const a of Object.values(admins)) {
      expect(refused(await call(env.app, 'POST', '/api/api-keys', { headers: a.headers, body: { name: 'mine', role: 'admin' } }))).toEqual([403, 'forbidden']);
      expect(refused(await call(env.app, 'GET', '/api/api-keys', { headers: a.headers }))).toEqual([403, 'forbidden']);
      expect(refused(await call(env.app, 'DELETE', `/api/api-keys/${key.body.key.id as string}`, { headers: a.headers }))).toEqual([403, 'forbidden']);
    }
    expect((await call(env.app, 'GET', '/api/api-keys', { headers: t.owner.headers })).body.items).toHaveLength(1);
  });

  it('cannot read the audit log of the whole tenant', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { admins } = await school(t);
    for (const a of Object.values(admins)) expect(refused(await call(env.app, 'GET', '/api/audit', { headers: a.headers }))).toEqual([403, 'forbidden']);
    expect((await call(env.app, 'GET', '/api/audit', { headers: (await t.as('admin')).headers })).status).toBe(200);
  });
});

describe('the session tells the web app the user’s scopes', () => {
  it('at sign-in and on every read of the session, so the app hides what the server refuses', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { site, org, admins } = await school(t);
    const scopes = [
      { kind: 'site', refId: site.id, level: 'administer' },
      { kind: 'organisation', refId: org.id, level: 'administer' },
    ];
    const me = await call(env.app, 'GET', '/api/auth/me', { headers: admins.both.headers });
    expect(me.body.user.scopes).toEqual(expect.arrayContaining(scopes));
    expect(me.body.user.scopes).toHaveLength(2);
    const login = await call(env.app, 'POST', '/api/auth/login', { body: { email: admins.site.email, password: TEST_PASSWORD }, remoteAddress: '10.9.8.7' });
    expect([login.status, login.body.user.scopes]).toEqual([200, [scopes[0]]]);
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: t.owner.headers })).body.user.scopes).toEqual([]);
  });

  it('says how far the user reaches in each dimension: a scope names what they reach, a dimension no scope names is none of it', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { admins } = await school(t);
    const reach = async (headers: Record<string, string>) => (await call(env.app, 'GET', '/api/auth/me', { headers })).body.user.reach;
    expect(await reach(admins.site.headers)).toEqual({ sites: 'some', organisations: 'none' });
    expect(await reach(admins.org.headers)).toEqual({ sites: 'none', organisations: 'some' });
    expect(await reach(admins.both.headers)).toEqual({ sites: 'some', organisations: 'some' });
    expect(await reach((await t.as('viewer')).headers)).toEqual({ sites: 'all', organisations: 'all' });
    expect(await reach(t.owner.headers)).toEqual({ sites: 'all', organisations: 'all' });
    const session = await call(env.app, 'GET', '/api/auth/session', { headers: admins.site.headers });
    expect(session.body.me.user.reach).toEqual({ sites: 'some', organisations: 'none' });
  });
});

describe('a scoped admin and users, roles and scopes', () => {
  it('cannot widen their own scopes or role, nor anyone else’s, nor invite anyone (an invitee is unscoped); the users stay as they were', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { site, admins } = await school(t);
    const receptionist = await scopedUser(env, t, 'viewer', [{ kind: 'site', refId: site.id, level: 'view' }]);
    for (const a of Object.values(admins)) {
      // Their own scopes dropped (the whole tenant), or another's widened to theirs.
      expect(refused(await call(env.app, 'PUT', `/api/users/${a.id}/scopes`, { headers: a.headers, body: { scopes: [] } }))).toEqual([403, 'forbidden']);
      expect(refused(await call(env.app, 'PUT', `/api/users/${receptionist.id}/scopes`, { headers: a.headers, body: { scopes: [{ kind: 'site', refId: site.id, level: 'administer' }] } }))).toEqual([403, 'forbidden']);
      expect(refused(await call(env.app, 'PATCH', `/api/users/${receptionist.id}`, { headers: a.headers, body: { role: 'admin' } }))).toEqual([403, 'forbidden']);
      expect(refused(await call(env.app, 'PATCH', `/api/users/${a.id}`, { headers: a.headers, body: { role: 'admin', name: 'Me' } }))).toEqual([403, 'forbidden']);
      expect(refused(await call(env.app, 'POST', '/api/users/invite', { headers: a.headers, body: { email: 'new-admin@example.test', role: 'admin' } }))).toEqual([403, 'forbidden']);
      expect(refused(await call(env.app, 'POST', '/api/users/invite', { headers: a.headers, body: { email: 'new-viewer@example.test', role: 'viewer' } }))).toEqual([403, 'forbidden']);
      // They still read who is who (group contacts are picked from the users).
      expect((await call(env.app, 'GET', '/api/users', { headers: a.headers })).status).toBe(200);
    }
    const users = (await call(env.app, 'GET', '/api/users', { headers: t.owner.headers })).body.items as Array<{ id: string; role: string; scopes: unknown[] }>;
    expect(users.find((u) => u.id === receptionist.id)).toMatchObject({ role: 'viewer', scopes: [{ kind: 'site', refId: site.id, level: 'view' }] });
    for (const a of Object.values(admins)) expect(users.find((u) => u.id === a.id)!.scopes.length).toBeGreaterThan(0);
    expect((await call(env.app, 'GET', '/api/users/invites', { headers: t.owner.headers })).body.items).toEqual([]);
  });

  it('the owner cannot be scoped, nor ownership handed to a scoped user: a scoped owner could never unscope themselves again', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { site, admins } = await school(t);
    const scoped = await call(env.app, 'PUT', `/api/users/${t.owner.id}/scopes`, { headers: t.owner.headers, body: { scopes: [{ kind: 'site', refId: site.id, level: 'administer' }] } });
    expect([scoped.status, scoped.body.error?.code, scoped.body.error?.field]).toEqual([400, 'owner_unscoped', 'scopes']);
    const handed = await call(env.app, 'POST', `/api/users/${admins.site.id}/transfer-ownership`, { headers: t.owner.headers });
    expect([handed.status, handed.body.error?.code]).toEqual([400, 'owner_unscoped']);
    const me = await call(env.app, 'GET', `/api/users/${t.owner.id}`, { headers: t.owner.headers });
    expect([me.body.role, me.body.scopes]).toEqual(['owner', []]);
    // Unscoped first, then handed over.
    expect((await call(env.app, 'PUT', `/api/users/${admins.site.id}/scopes`, { headers: t.owner.headers, body: { scopes: [] } })).status).toBe(200);
    expect((await call(env.app, 'POST', `/api/users/${admins.site.id}/transfer-ownership`, { headers: t.owner.headers })).body.role).toBe('owner');
  });
});
