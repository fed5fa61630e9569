import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, uniqueEmail } from '../../../../test/factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { oneTimeTokens, userScopes, users } from '../accounts.tables.js';
import { makeGroup, makeSite } from '../../../../test/signin-factories.js';
import { sites } from '../../signin/signin.tables.js';

const env = useTestEnv();
const NEW_PASSWORD = 'a brand new passphrase';

afterEach(() => {
  vi.restoreAllMocks();
  env.clock.reset();
});

async function auditActions(tenantId: string) {
  const rows = await env.platform.db.select().from(auditLog).where(eq(auditLog.tenantId, tenantId));
  return rows;
}

const tokenOf = (url: string) => url.split('/invite/')[1]!;

describe('invitations', () => {
  it('invites by one-time link: 401, 403, then 201 with the link emailed and audited', async () => {
    const t = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const email = uniqueEmail('invitee');
    const body = { email, role: 'manager', name: 'Ivy Invitee' };
    expect((await call(env.app, 'POST', '/api/users/invite', { body })).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/users/invite', { headers: viewer.headers, body })).status).toBe(403);
    const send = vi.spyOn(env.platform.mailer, 'send');
    const res = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body });
    expect(res.status).toBe(201);
    expect(res.body.inviteUrl).toMatch(/^http:\/\/threshold\.test\/invite\/thr_inv_/);
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0].to).toBe(email);
    expect(send.mock.calls[0]![0].text).toContain(res.body.inviteUrl);
    // Only the hash is stored.
    const [row] = await env.platform.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.id, res.body.inviteId));
    expect(row!.tokenHash).not.toContain(tokenOf(res.body.inviteUrl));
    const audit = (await auditActions(t.tenantId)).find((r) => r.action === 'invite.created');
    expect(audit).toMatchObject({ actorId: t.owner.id, targetId: res.body.inviteId });
    // An address that already has an account cannot be invited.
    const taken = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email: viewer.email, role: 'viewer' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('email_taken');
    const owner = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email: uniqueEmail(), role: 'owner' } });
    expect(owner.status).toBe(400);
  });

  it('previews and accepts an invitation, signing the new user in; the link works once', async () => {
    const t = await createTestTenant(env, { name: 'Brook Primary' });
    const email = uniqueEmail('invitee');
    const inv = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email, role: 'viewer' } });
    const token = tokenOf(inv.body.inviteUrl);
    const preview = await call(env.app, 'GET', `/api/invites/${token}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ email, role: 'viewer', tenantName: 'Brook Primary' });
    const weak = await call(env.app, 'POST', '/api/invites/accept', { body: { token, password: 'short', name: 'Ned' } });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('weak_password');
    // A browser still holding someone else's session (and no CSRF header) can accept too.
    const accepted = await call(env.app, 'POST', '/api/invites/accept', { headers: { cookie: t.owner.headers.cookie }, body: { token, password: NEW_PASSWORD, name: 'Ned New' } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ email, name: 'Ned New', role: 'viewer' });
    expect(accepted.body.tenant.id).toBe(t.tenantId);
    const cookie = String(accepted.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^thr_session=thr_sess_/);
    const me = await call(env.app, 'GET', '/api/auth/me', { headers: { cookie } });
    expect(me.body.user.email).toBe(email);
    expect((await call(env.app, 'POST', '/api/auth/login', { body: { email, password: NEW_PASSWORD } })).status).toBe(200);
    const again = await call(env.app, 'GET', `/api/invites/${token}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('invalid_token');
    const twice = await call(env.app, 'POST', '/api/invites/accept', { body: { token, password: NEW_PASSWORD, name: 'Ned' } });
    expect(twice.status).toBe(404);
    expect(twice.body.error.code).toBe('invalid_token');
    const audit = (await auditActions(t.tenantId)).find((r) => r.action === 'invite.accepted');
    expect(audit).toMatchObject({ actorId: accepted.body.user.id, targetId: accepted.body.user.id });
  });

  it('lets only one of two concurrent accepts win', async () => {
    const t = await createTestTenant(env);
    const inv = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email: uniqueEmail(), role: 'viewer' } });
    const token = tokenOf(inv.body.inviteUrl);
    const results = await Promise.all([1, 2, 3].map((i) => call(env.app, 'POST', '/api/invites/accept', { body: { token, password: NEW_PASSWORD, name: `Racer ${i}` } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 404, 404]);
  });

  it('refuses unknown and expired links', async () => {
    const t = await createTestTenant(env);
    expect((await call(env.app, 'GET', '/api/invites/thr_inv_nothing')).body.error.code).toBe('invalid_token');
    const inv = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email: uniqueEmail(), role: 'viewer' } });
    env.clock.advance(8 * 24 * 3600_000);
    const token = tokenOf(inv.body.inviteUrl);
    expect((await call(env.app, 'GET', `/api/invites/${token}`)).status).toBe(404);
    expect((await call(env.app, 'POST', '/api/invites/accept', { body: { token, password: NEW_PASSWORD, name: 'Late' } })).status).toBe(404);
  });

  it('lists pending invitations and revokes one: 401, 403, 404, audited', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const email = uniqueEmail('pending');
    const inv = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email, role: 'manager', name: 'Pat' } });
    const foreign = await call(env.app, 'POST', '/api/users/invite', { headers: other.owner.headers, body: { email: uniqueEmail(), role: 'viewer' } });
    expect((await call(env.app, 'GET', '/api/users/invites')).status).toBe(401);
    expect((await call(env.app, 'GET', '/api/users/invites', { headers: viewer.headers })).status).toBe(403);
    const list = await call(env.app, 'GET', '/api/users/invites', { headers: t.owner.headers });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: inv.body.inviteId, email, role: 'manager', name: 'Pat' })]);
    const url = `/api/users/invites/${inv.body.inviteId}`;
    expect((await call(env.app, 'DELETE', url)).status).toBe(401);
    expect((await call(env.app, 'DELETE', url, { headers: viewer.headers })).status).toBe(403);
    expect((await call(env.app, 'DELETE', `/api/users/invites/${foreign.body.inviteId}`, { headers: t.owner.headers })).status).toBe(404);
    expect((await call(env.app, 'DELETE', `/api/users/invites/${randomUUID()}`, { headers: t.owner.headers })).status).toBe(404);
    expect((await call(env.app, 'DELETE', url, { headers: t.owner.headers })).status).toBe(204);
    expect((await call(env.app, 'GET', '/api/users/invites', { headers: t.owner.headers })).body.items).toEqual([]);
    expect((await call(env.app, 'GET', `/api/invites/${tokenOf(inv.body.inviteUrl)}`)).status).toBe(404);
    const rows = await env.platform.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'invite.revoked')));
    expect(rows).toHaveLength(1);
  });
});

describe('invitations limited to sites and organisations', () => {
  const accept = (token: string) => call(env.app, 'POST', '/api/invites/accept', { body: { token, password: NEW_PASSWORD, name: 'Olive Office' } });
  const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0]!;

  it('creates the user with the invitation’s scopes: /me reaches some sites, and lists only that site’s groups', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const north = await makeSite(env, t, { name: 'North' });
    const south = await makeSite(env, t, { name: 'South' });
    const northGroup = await makeGroup(env, t, {}, [north.id]);
    await makeGroup(env, t, {}, [south.id]);
    const email = uniqueEmail('office');
    const scopes = [{ kind: 'site', refId: north.id, level: 'edit' }];
    const inv = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email, role: 'manager', scopes } });
    expect(inv.status).toBe(201);
    const created = (await auditActions(t.tenantId)).find((r) => r.action === 'invite.created');
    expect(created!.summary).toBe(`${email} invited as manager, limited to North`);
    const pending = await call(env.app, 'GET', '/api/users/invites', { headers: t.owner.headers });
    expect(pending.body.items.find((i: { email: string }) => i.email === email).scopes).toEqual(scopes);
    const token = tokenOf(inv.body.inviteUrl);
    const preview = await call(env.app, 'GET', `/api/invites/${token}`);
    expect(preview.body.reach).toEqual({ sites: ['North'], organisations: [] });

    const accepted = await accept(token);
    expect(accepted.status).toBe(200);
    expect(accepted.body.user.reach).toEqual({ sites: 'some', organisations: 'none' });
    const headers = { cookie: cookieOf(accepted), 'x-csrf-token': accepted.body.csrfToken };
    const me = await call(env.app, 'GET', '/api/auth/me', { headers });
    expect(me.body.user.reach).toEqual({ sites: 'some', organisations: 'none' });
    const groups = await call(env.app, 'GET', '/api/signin/groups', { headers });
    expect(groups.status).toBe(200);
    expect(groups.body.items.map((g: { id: string }) => g.id)).toEqual([northGroup.id]);
    const user = await call(env.app, 'GET', `/api/users/${accepted.body.user.id}`, { headers: t.owner.headers });
    expect(user.body.scopes).toEqual(scopes);
    const audit = (await auditActions(t.tenantId)).find((r) => r.action === 'invite.accepted');
    expect(audit!.summary).toBe(`${email} accepted the invitation as manager, limited to North`);
  });

  it('an unscoped invitation previews the whole tenant and creates an unscoped user', async () => {
    const t = await createTestTenant(env);
    const inv = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email: uniqueEmail(), role: 'viewer', scopes: [] } });
    const token = tokenOf(inv.body.inviteUrl);
    expect((await call(env.app, 'GET', `/api/invites/${token}`)).body.reach).toBe('whole_tenant');
    const accepted = await accept(token);
    expect(accepted.body.user.reach).toEqual({ sites: 'all', organisations: 'all' });
  });

  it('refuses an unknown or another tenant’s site or organisation as the scopes endpoint does: 400 naming the scope, nothing written', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const mine = await makeSite(env, t);
    const theirs = await makeSite(env, other);
    const email = uniqueEmail('refused');
    const post = (scopes: unknown[]) => call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email, role: 'manager', scopes } });
    const site = await post([{ kind: 'site', refId: mine.id }, { kind: 'site', refId: theirs.id }]);
    expect([site.status, site.body.error.code, site.body.error.field]).toEqual([400, 'unknown_site', 'scopes.1.refId']);
    const org = await post([{ kind: 'organisation', refId: randomUUID() }]);
    expect([org.status, org.body.error.code, org.body.error.field]).toEqual([400, 'unknown_organisation', 'scopes.0.refId']);
    const rows = await env.platform.db.select().from(oneTimeTokens).where(and(eq(oneTimeTokens.tenantId, t.tenantId), eq(oneTimeTokens.email, email)));
    expect(rows).toEqual([]);
    expect((await auditActions(t.tenantId)).filter((r) => r.action === 'invite.created')).toEqual([]);
  });

  it('drops a scope whose site was deleted before acceptance; refuses when none is left (the whole tenant would be reached)', async () => {
    const t = await createTestTenant(env);
    const keep = await makeSite(env, t, { name: 'Kept' });
    const gone = await makeSite(env, t, { name: 'Gone' });
    const email = uniqueEmail('late');
    const both = await call(env.app, 'POST', '/api/users/invite', {
      headers: t.owner.headers,
      body: { email, role: 'viewer', scopes: [{ kind: 'site', refId: gone.id }, { kind: 'site', refId: keep.id }] },
    });
    const alone = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email: uniqueEmail('alone'), role: 'viewer', scopes: [{ kind: 'site', refId: gone.id }] } });
    // Sign-in archives sites (an archived site stays a valid scope); the row goes here as a deleted organisation's does.
    await env.platform.db.delete(sites).where(eq(sites.id, gone.id));
    expect((await call(env.app, 'GET', `/api/invites/${tokenOf(both.body.inviteUrl)}`)).body.reach).toEqual({ sites: ['Kept'], organisations: [] });
    const accepted = await accept(tokenOf(both.body.inviteUrl));
    expect(accepted.status).toBe(200);
    const stored = await env.platform.db.select().from(userScopes).where(eq(userScopes.userId, accepted.body.user.id));
    expect(stored.map((s) => s.refId)).toEqual([keep.id]);
    const audit = (await auditActions(t.tenantId)).find((r) => r.action === 'invite.accepted');
    expect(audit!.summary).toContain('1 scope dropped');

    const refused = await accept(tokenOf(alone.body.inviteUrl));
    expect([refused.status, refused.body.error.code, refused.body.error.field]).toEqual([409, 'invitation_reach_gone', 'token']);
    const [row] = await env.platform.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.id, alone.body.inviteId));
    expect(row!.usedAt).toBeNull();
    expect(await env.platform.db.select().from(users).where(eq(users.tenantId, t.tenantId))).toHaveLength(2);
  });
});
