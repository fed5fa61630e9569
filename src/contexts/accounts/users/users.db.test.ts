import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, TEST_PASSWORD, type TestTenant } from '../../../../test/factories.js';
import { makeSite, pairKiosk } from '../../../../test/signin-factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { users } from '../accounts.tables.js';

const env = useTestEnv();

async function auditRows(tenantId: string, action: string) {
  return env.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, action)));
}

describe('users and roles', () => {
  it('lists users with their scopes: 401, 403, then the list', async () => {
    const t = await createTestTenant(env);
    const viewer = await t.as('viewer');
    expect((await call(env.app, 'GET', '/api/users')).status).toBe(401);
    expect((await call(env.app, 'GET', '/api/users', { headers: viewer.headers })).status).toBe(403);
    const admin = await t.as('admin');
    const res = await call(env.app, 'GET', '/api/users', { headers: admin.headers });
    expect(res.status).toBe(200);
    const emails = res.body.items.map((u: { email: string }) => u.email);
    expect(emails).toEqual(expect.arrayContaining([t.owner.email, viewer.email, admin.email]));
    expect(res.body.items).toHaveLength(3);
    const owner = res.body.items.find((u: { id: string }) => u.id === t.owner.id);
    expect(owner).toMatchObject({ role: 'owner', disabled: false, totpEnabled: false, scopes: [] });
    expect(owner).not.toHaveProperty('passwordHash');
  });

  it('gets one user; another tenant’s id is the same 404 as a missing one', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const viewer = await t.as('viewer');
    expect((await call(env.app, 'GET', `/api/users/${viewer.id}`)).status).toBe(401);
    expect((await call(env.app, 'GET', `/api/users/${t.owner.id}`, { headers: viewer.headers })).status).toBe(403);
    const foreign = await call(env.app, 'GET', `/api/users/${other.owner.id}`, { headers: t.owner.headers });
    const missing = await call(env.app, 'GET', `/api/users/${randomUUID()}`, { headers: t.owner.headers });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not_found');
    expect(foreign.body.error.message).toBe(missing.body.error.message);
    const ok = await call(env.app, 'GET', `/api/users/${viewer.id}`, { headers: t.owner.headers });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: viewer.id, email: viewer.email, role: 'viewer' });
  });

  it('changes name and role and audits it', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const viewer = await t.as('viewer');
    const other = await createTestTenant(env);
    const url = `/api/users/${viewer.id}`;
    expect((await call(env.app, 'PATCH', url, { body: { role: 'manager' } })).status).toBe(401);
    const manager = await t.as('manager');
    expect((await call(env.app, 'PATCH', url, { headers: manager.headers, body: { role: 'manager' } })).status).toBe(403);
    expect((await call(env.app, 'PATCH', `/api/users/${other.owner.id}`, { headers: admin.headers, body: { name: 'x' } })).status).toBe(404);
    const res = await call(env.app, 'PATCH', url, { headers: admin.headers, body: { role: 'manager', name: 'Vera Viewer' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'manager', name: 'Vera Viewer' });
    const [row] = await auditRows(t.tenantId, 'user.role_changed');
    expect(row).toMatchObject({ actorId: admin.id, targetId: viewer.id });
    expect(row!.data).toMatchObject({ role: { from: 'viewer', to: 'manager' } });
  });

  it('refuses a role change read before another admin changed the role (409 version_conflict, nothing saved); without fromRole, it is saved as before', async () => {
    const t = await createTestTenant(env);
    const [first, second] = [await t.as('admin'), await t.as('admin')];
    const viewer = await t.as('viewer');
    const url = `/api/users/${viewer.id}`;
    // Both admins read Vera as a viewer; the first makes her a manager.
    const saved = await call(env.app, 'PATCH', url, { headers: first.headers, body: { role: 'manager', fromRole: 'viewer' } });
    expect([saved.status, saved.body.role]).toEqual([200, 'manager']);
    // The second, from their stale read, makes her an admin: refused, with the role now; nothing saved, not even the name sent with it.
    const stale = await call(env.app, 'PATCH', url, { headers: second.headers, body: { role: 'admin', fromRole: 'viewer', name: 'Vera' } });
    expect([stale.status, stale.body.error?.code, stale.body.error?.role]).toEqual([409, 'version_conflict', 'manager']);
    expect(stale.body.error.message).toMatch(/^Someone else changed the role of .* since you opened it \(now manager\); nothing was saved/);
    const after = (await call(env.app, 'GET', url, { headers: first.headers })).body;
    expect(after.role).toBe('manager');
    expect(after.name).not.toBe('Vera');
    expect(await auditRows(t.tenantId, 'user.role_changed')).toHaveLength(1);
    // Read again, the second admin's change goes through.
    const reread = await call(env.app, 'PATCH', url, { headers: second.headers, body: { role: 'admin', fromRole: 'manager' } });
    expect([reread.status, reread.body.role]).toEqual([200, 'admin']);
    // Two changes from one read at the same moment: one is saved, the other refused (the user's row is locked first).
    const both = await Promise.all([
      call(env.app, 'PATCH', url, { headers: first.headers, body: { role: 'viewer', fromRole: 'admin' } }),
      call(env.app, 'PATCH', url, { headers: second.headers, body: { role: 'manager', fromRole: 'admin' } }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    // A role the API does not know is a 400 naming the field; a caller that sends no fromRole (one that predates it) changes the role, as before.
    const bad = await call(env.app, 'PATCH', url, { headers: first.headers, body: { role: 'viewer', fromRole: 'superuser' } });
    expect([bad.status, bad.body.error?.field]).toEqual([400, 'body.fromRole']);
    const unversioned = await call(env.app, 'PATCH', url, { headers: first.headers, body: { role: 'viewer' } });
    expect([unversioned.status, unversioned.body.role]).toEqual([200, 'viewer']);
  });

  it('protects the owner: no owner role by PATCH, no demotion, no disabling, admins cannot touch them', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const viewer = await t.as('viewer');
    const toOwner = await call(env.app, 'PATCH', `/api/users/${viewer.id}`, { headers: t.owner.headers, body: { role: 'owner' } });
    expect(toOwner.status).toBe(400);
    expect(toOwner.body.error.code).toBe('invalid_role');
    const demote = await call(env.app, 'PATCH', `/api/users/${t.owner.id}`, { headers: t.owner.headers, body: { role: 'admin' } });
    expect(demote.status).toBe(400);
    expect(demote.body.error.code).toBe('owner_protected');
    const disable = await call(env.app, 'PATCH', `/api/users/${t.owner.id}`, { headers: t.owner.headers, body: { disabled: true } });
    expect(disable.status).toBe(400);
    const byAdmin = await call(env.app, 'PATCH', `/api/users/${t.owner.id}`, { headers: admin.headers, body: { name: 'Renamed' } });
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body.error.code).toBe('owner_protected');
    const scopesByAdmin = await call(env.app, 'PUT', `/api/users/${t.owner.id}/scopes`, { headers: admin.headers, body: { scopes: [] } });
    expect(scopesByAdmin.status).toBe(403);
    const rename = await call(env.app, 'PATCH', `/api/users/${t.owner.id}`, { headers: t.owner.headers, body: { name: 'Olive Owner' } });
    expect(rename.status).toBe(200);
    expect(rename.body.role).toBe('owner');
  });

  it('disables a user: their sessions end and they cannot sign in; re-enabling lets them back', async () => {
    const t = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const res = await call(env.app, 'PATCH', `/api/users/${viewer.id}`, { headers: t.owner.headers, body: { disabled: true } });
    expect(res.status).toBe(200);
    expect(res.body.disabled).toBe(true);
    expect((await call(env.app, 'GET', '/api/auth/me', { headers: viewer.headers })).status).toBe(401);
    const login = await call(env.app, 'POST', '/api/auth/login', { body: { email: viewer.email, password: TEST_PASSWORD } });
    expect(login.status).toBe(401);
    expect(await auditRows(t.tenantId, 'user.disabled')).toHaveLength(1);
    await call(env.app, 'PATCH', `/api/users/${viewer.id}`, { headers: t.owner.headers, body: { disabled: false } });
    expect((await call(env.app, 'POST', '/api/auth/login', { body: { email: viewer.email, password: TEST_PASSWORD } })).status).toBe(200);
    expect(await auditRows(t.tenantId, 'user.enabled')).toHaveLength(1);
    const self = await call(env.app, 'PATCH', `/api/users/${(await t.as('admin')).id}`, { headers: (await t.as('admin')).headers, body: { disabled: true } });
    expect(self.body.error.code).toBe('cannot_disable_self');
  });

  /** A site and an organisation of the tenant, made through their own contexts' routes. */
  async function targets(t: TestTenant) {
    const siteId = (await makeSite(env, t)).id;
    const org = await call(env.app, 'POST', '/api/record/organisations', { headers: t.owner.headers, body: { name: 'Northgate', type: 'academy' } });
    return { siteId, orgId: org.body.id as string };
  }

  it('replaces scopes and audits it', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const manager = await t.as('manager');
    const { siteId, orgId } = await targets(t);
    const url = `/api/users/${manager.id}/scopes`;
    const body = { scopes: [{ kind: 'site', refId: siteId, level: 'view' }, { kind: 'organisation', refId: orgId, level: 'edit' }] };
    expect((await call(env.app, 'PUT', url, { body })).status).toBe(401);
    expect((await call(env.app, 'PUT', url, { headers: manager.headers, body })).status).toBe(403);
    expect((await call(env.app, 'PUT', `/api/users/${other.owner.id}/scopes`, { headers: t.owner.headers, body })).status).toBe(404);
    const bad = await call(env.app, 'PUT', url, { headers: t.owner.headers, body: { scopes: [{ kind: 'planet', refId: 'x' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const res = await call(env.app, 'PUT', url, { headers: t.owner.headers, body });
    expect(res.status).toBe(200);
    expect(res.body.scopes).toHaveLength(2);
    expect(res.body.scopes).toEqual(expect.arrayContaining([{ kind: 'organisation', refId: orgId, level: 'edit' }]));
    const list = await call(env.app, 'GET', '/api/users', { headers: t.owner.headers });
    expect(list.body.items.find((u: { id: string }) => u.id === manager.id).scopes).toHaveLength(2);
    // A PUT replaces the whole set; the level defaults to view.
    const me = await call(env.app, 'PUT', url, { headers: t.owner.headers, body: { scopes: [{ kind: 'site', refId: siteId }] } });
    expect(me.body.scopes).toEqual([{ kind: 'site', refId: siteId, level: 'view' }]);
    expect(await auditRows(t.tenantId, 'user.scopes_set')).toHaveLength(2);
  });

  it('refuses a save of scopes read before another admin changed them (409 version_conflict, nothing saved); without a version, the save replaces them as before', async () => {
    const t = await createTestTenant(env);
    const manager = await t.as('manager');
    const [first, second] = [await t.as('admin'), await t.as('admin')];
    const { siteId, orgId } = await targets(t);
    const url = `/api/users/${manager.id}/scopes`;
    const read = async (headers: Record<string, string>) => (await call(env.app, 'GET', `/api/users/${manager.id}`, { headers })).body as { scopes: unknown[]; scopesVersion: string };
    // Both admins open the editor on the same reach: the whole tenant.
    const [a, b] = [await read(first.headers), await read(second.headers)];
    expect(a.scopesVersion).toEqual(b.scopesVersion);
    expect(typeof a.scopesVersion).toBe('string');
    // The first saves North; the second, from their stale read, saves the organisation alone.
    const saved = await call(env.app, 'PUT', url, { headers: first.headers, body: { scopes: [{ kind: 'site', refId: siteId, level: 'edit' }], scopesVersion: a.scopesVersion } });
    expect(saved.status).toBe(200);
    expect(saved.body.scopesVersion).not.toBe(a.scopesVersion);
    const stale = await call(env.app, 'PUT', url, { headers: second.headers, body: { scopes: [{ kind: 'organisation', refId: orgId, level: 'view' }], scopesVersion: b.scopesVersion } });
    expect([stale.status, stale.body.error?.code, stale.body.error?.scopesVersion]).toEqual([409, 'version_conflict', saved.body.scopesVersion]);
    expect(stale.body.error.message).toMatch(/^Someone else changed the reach of .* since you opened it; nothing was saved/);
    const after = await read(first.headers);
    expect([after.scopes, after.scopesVersion]).toEqual([[{ kind: 'site', refId: siteId, level: 'edit' }], saved.body.scopesVersion]);
    expect(await auditRows(t.tenantId, 'user.scopes_set')).toHaveLength(1);
    // Reloaded, the second admin's save goes through.
    const reloaded = await call(env.app, 'PUT', url, { headers: second.headers, body: { scopes: [{ kind: 'site', refId: siteId, level: 'edit' }, { kind: 'organisation', refId: orgId, level: 'view' }], scopesVersion: after.scopesVersion } });
    expect(reloaded.status).toBe(200);
    // The version is of the list, not its order; the list in the users list carries it too.
    const listed = (await call(env.app, 'GET', '/api/users', { headers: first.headers })).body.items.find((u: { id: string }) => u.id === manager.id);
    expect(listed.scopesVersion).toBe(reloaded.body.scopesVersion);
    const reordered = await call(env.app, 'PUT', url, { headers: first.headers, body: { scopes: [{ kind: 'organisation', refId: orgId, level: 'view' }, { kind: 'site', refId: siteId, level: 'edit' }], scopesVersion: listed.scopesVersion } });
    expect([reordered.status, reordered.body.scopesVersion]).toEqual([200, listed.scopesVersion]);
    // Two saves from one read at the same moment: one is saved, the other refused.
    const both = await Promise.all([
      call(env.app, 'PUT', url, { headers: first.headers, body: { scopes: [{ kind: 'site', refId: siteId, level: 'view' }], scopesVersion: listed.scopesVersion } }),
      call(env.app, 'PUT', url, { headers: second.headers, body: { scopes: [{ kind: 'organisation', refId: orgId, level: 'edit' }], scopesVersion: listed.scopesVersion } }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    // A caller that sends no version (one that predates it) replaces the scopes, as before.
    const unversioned = await call(env.app, 'PUT', url, { headers: second.headers, body: { scopes: [] } });
    expect([unversioned.status, unversioned.body.scopes]).toEqual([200, []]);
  });

  it('refuses a site or organisation that is not the tenant’s (another tenant’s, or none): 400 naming the scope, nothing saved', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const manager = await t.as('manager');
    const mine = await targets(t);
    const theirs = await targets(other);
    const url = `/api/users/${manager.id}/scopes`;
    const put = (scopes: unknown[]) => call(env.app, 'PUT', url, { headers: t.owner.headers, body: { scopes } });
    const site = await put([{ kind: 'site', refId: mine.siteId }, { kind: 'site', refId: theirs.siteId }]);
    expect([site.status, site.body.error.code, site.body.error.field]).toEqual([400, 'unknown_site', 'scopes.1.refId']);
    const org = await put([{ kind: 'site', refId: mine.siteId }, { kind: 'organisation', refId: theirs.orgId, level: 'edit' }]);
    expect([org.status, org.body.error.code, org.body.error.field]).toEqual([400, 'unknown_organisation', 'scopes.1.refId']);
    const none = await put([{ kind: 'organisation', refId: randomUUID() }]);
    expect([none.status, none.body.error.code, none.body.error.field]).toEqual([400, 'unknown_organisation', 'scopes.0.refId']);
    // A site id is not an organisation id.
    const crossed = await put([{ kind: 'organisation', refId: mine.siteId }]);
    expect([crossed.status, crossed.body.error.code]).toEqual([400, 'unknown_organisation']);
    const user = await call(env.app, 'GET', `/api/users/${manager.id}`, { headers: t.owner.headers });
    expect(user.body.scopes).toEqual([]);
    expect(await auditRows(t.tenantId, 'user.scopes_set')).toHaveLength(0);
    expect((await put([{ kind: 'site', refId: mine.siteId }, { kind: 'organisation', refId: mine.orgId }])).status).toBe(200);
  });

  it('transfers ownership: owner only, exactly one owner after, audited', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const admin = await t.as('admin');
    const viewer = await t.as('viewer');
    const url = `/api/users/${admin.id}/transfer-ownership`;
    expect((await call(env.app, 'POST', url)).status).toBe(401);
    expect((await call(env.app, 'POST', url, { headers: admin.headers })).status).toBe(403);
    expect((await call(env.app, 'POST', `/api/users/${other.owner.id}/transfer-ownership`, { headers: t.owner.headers })).status).toBe(404);
    const res = await call(env.app, 'POST', url, { headers: t.owner.headers });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('owner');
    const owners = await env.platform.db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, t.tenantId), eq(users.role, 'owner')));
    expect(owners.map((o) => o.id)).toEqual([admin.id]);
    const old = await call(env.app, 'GET', `/api/users/${t.owner.id}`, { headers: admin.headers });
    expect(old.body.role).toBe('admin');
    // The old owner (now admin) can no longer hand over, nor touch the new owner.
    expect((await call(env.app, 'POST', `/api/users/${viewer.id}/transfer-ownership`, { headers: t.owner.headers })).status).toBe(403);
    expect((await call(env.app, 'PATCH', `/api/users/${admin.id}`, { headers: t.owner.headers, body: { role: 'viewer' } })).status).toBe(403);
    const [row] = await auditRows(t.tenantId, 'tenant.ownership_transferred');
    expect(row).toMatchObject({ actorId: t.owner.id, targetId: admin.id });
  });
});

describe('tenant settings', () => {
  it('reads the tenant; renames it (admin) and requires 2FA (owner only), audited', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const manager = await t.as('manager');
    expect((await call(env.app, 'GET', '/api/tenant')).status).toBe(401);
    const got = await call(env.app, 'GET', '/api/tenant', { headers: manager.headers });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: t.tenantId, kind: 'school', require2fa: false });
    expect((await call(env.app, 'PATCH', '/api/tenant', { body: { name: 'X' } })).status).toBe(401);
    expect((await call(env.app, 'PATCH', '/api/tenant', { headers: manager.headers, body: { name: 'X' } })).status).toBe(403);
    expect((await call(env.app, 'PATCH', '/api/tenant', { headers: admin.headers, body: { require2fa: true } })).status).toBe(403);
    const renamed = await call(env.app, 'PATCH', '/api/tenant', { headers: admin.headers, body: { name: 'Hill Top School' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Hill Top School');
    const strict = await call(env.app, 'PATCH', '/api/tenant', { headers: t.owner.headers, body: { require2fa: true } });
    expect(strict.body.require2fa).toBe(true);
    const rows = await auditRows(t.tenantId, 'tenant.updated');
    expect(rows.map((r) => Object.keys(r.data)).sort()).toEqual([['name'], ['require2fa']]);
    // Another tenant is untouched.
    const other = await createTestTenant(env);
    expect((await call(env.app, 'GET', '/api/tenant', { headers: other.owner.headers })).body.name).not.toBe('Hill Top School');
  });

  it('refuses the tenant to a kiosk (403): its page reads only /api/kiosk/config, which still answers', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const kiosk = await pairKiosk(env, t, site.id);
    const refused = await call(env.app, 'GET', '/api/tenant', { headers: kiosk.headers });
    expect([refused.status, refused.body.error?.code, refused.body.id, refused.body.require2fa]).toEqual([403, 'forbidden', undefined, undefined]);
    expect((await call(env.app, 'GET', '/api/kiosk/config', { headers: kiosk.headers })).status).toBe(200);
    expect((await call(env.app, 'GET', '/api/tenant', { headers: (await t.as('viewer')).headers })).status).toBe(200);
  });
});
