import { createGroupsPort } from '../signin/index.js';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant } from '../../../test/factories.js';
import { waitFor } from '../../../test/wait.js';
import { auditLog } from '../../platform/audit/audit.tables.js';
import { systemActor } from '../../platform/audit/audit.js';
import { scimTokens } from './scim.tables.js';
import { createScimAccessService, createScimAttributesPort } from './index.js';
import { scimFixture } from './fixtures/setup.js';

const env = useTestEnv();
const T = { timeout: 60_000 };

/** A group's logged requests, as the SCIM tab's first page of 200 holds them. */
const logged = async (tenantId: string, groupId: string) => (await createScimAccessService({ ...env.platform, groups: createGroupsPort() }).activity(tenantId, groupId, { limit: 200 })).items;

/** The logged requests of a group, once there are `n` (the log is written after the response). */
const logRows = (tenantId: string, groupId: string, n: number) =>
  waitFor(
    async () => {
      const rows = await logged(tenantId, groupId);
      return rows.length >= n && rows;
    },
    { what: `${n} SCIM request log rows` },
  );

describe('SCIM admin routes', () => {
  it('guard every route: 401 without credentials, 403 for a viewer, 404 for another tenant’s group', T, async () => {
    const f = await scimFixture(env);
    const viewer = await f.t.as('viewer');
    const stranger = await createTestTenant(env);
    const id = (await f.scim('POST', '/Users', { userName: 'm@example.test' })).body.id as string;
    const routes: Array<['GET' | 'POST' | 'PUT', string, unknown?]> = [
      ['GET', `/api/scim/groups/${f.groupId}`],
      ['POST', `/api/scim/groups/${f.groupId}/token`],
      ['GET', `/api/scim/groups/${f.groupId}/activity`],
      ['PUT', `/api/scim/groups/${f.groupId}/rate-limit`, { burst: 10, perSecond: 1 }],
      ['GET', `/api/scim/members/${id}`],
    ];
    for (const [method, url, body] of routes) {
      expect((await call(env.app, method, url, { body })).status, `${method} ${url}`).toBe(401);
      expect((await call(env.app, method, url, { body, headers: viewer.headers })).status, `${method} ${url}`).toBe(403);
      const other = await call(env.app, method, url, { body, headers: stranger.owner.headers });
      expect(other.status, `${method} ${url}`).toBe(404);
      expect(other.body.error.code).toBe('not_found');
    }
    // The stranger's attempts changed nothing: the token still works.
    expect((await f.scim('GET', '/Users')).status).toBe(200);
  });

  it('shows the base URL and token status; generating writes an audit row and shows the token once', T, async () => {
    const t = await createTestTenant(env);
    const g = await env.contexts.signin.groups.create(t.tenantId, { name: 'Staff', type: 'scim' }, systemActor);
    const before = await call(env.app, 'GET', `/api/scim/groups/${g.id}`, { headers: t.owner.headers });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ baseUrl: `http://threshold.test/scim/v2/groups/${g.id}`, token: null, users: 0 });
    expect(before.body.baseUrl).not.toContain('_');
    const admin = await t.as('admin');
    const made = await call(env.app, 'POST', `/api/scim/groups/${g.id}/token`, { headers: admin.headers });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^thr_scim_[A-Za-z0-9_-]{40,}$/);
    expect(made.body.baseUrl).toBe(before.body.baseUrl);
    const [stored] = await env.platform.db.select().from(scimTokens).where(eq(scimTokens.groupId, g.id));
    expect(stored!.tokenHash).not.toContain(made.body.token);
    const after = await call(env.app, 'GET', `/api/scim/groups/${g.id}`, { headers: t.owner.headers });
    expect(after.body.token.prefix).toBe(made.body.token.slice(0, 13));
    expect(JSON.stringify(after.body)).not.toContain(made.body.token);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'scim.token_generated')));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(admin.id);
    expect(JSON.stringify(audit[0])).not.toContain(made.body.token);
    // Not a SCIM group: 404.
    const plain = await env.contexts.signin.groups.create(t.tenantId, { name: 'Visitors', type: 'standard' }, systemActor);
    expect((await call(env.app, 'POST', `/api/scim/groups/${plain.id}/token`, { headers: t.owner.headers })).status).toBe(404);
  });

  it('logs every request (with the error detail) for the activity tab, and drops rows after 30 days', T, async () => {
    const f = await scimFixture(env);
    await f.scim('GET', '/Users?startIndex=1&count=2');
    await f.scim('POST', '/Users', { name: { givenName: 'No userName' } });
    await call(env.app, 'GET', `${f.base}/Users`, { headers: { authorization: 'Bearer thr_scim_wrong' } });
    const rows = await logRows(f.t.tenantId, f.groupId, 3);
    expect(rows.map((r) => r.status).sort()).toEqual([200, 400, 401]);
    const page = await call(env.app, 'GET', `/api/scim/groups/${f.groupId}/activity?limit=2`, { headers: f.t.owner.headers });
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.nextBefore).not.toBeNull();
    const rest = await call(env.app, 'GET', `/api/scim/groups/${f.groupId}/activity?limit=2&before=${encodeURIComponent(page.body.nextBefore)}`, { headers: f.t.owner.headers });
    const all = [...page.body.items, ...rest.body.items];
    expect(all).toHaveLength(3);
    const failed = all.find((i: { status: number }) => i.status === 400);
    expect(failed).toMatchObject({ method: 'POST', path: '/Users', scimType: 'invalidValue' });
    expect(failed.errorDetail).toMatch(/userName/);
    expect(all.find((i: { status: number }) => i.status === 200).path).toBe('/Users?startIndex=1&count=2');

    const access = createScimAccessService({ ...env.platform, groups: createGroupsPort() });
    env.clock.advance(31 * 24 * 3600_000);
    try {
      await access.cleanup();
    } finally {
      env.clock.reset();
    }
    expect(await logged(f.t.tenantId, f.groupId)).toHaveLength(0);
  });

  it('shows the stored SCIM attributes and IdP groups of a member', T, async () => {
    const f = await scimFixture(env);
    const created = await f.scim('POST', '/Users', {
      userName: 'nia@example.test',
      title: 'Bursar',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '9', department: 'Finance', manager: 'boss' },
    });
    const id = created.body.id as string;
    await f.scim('POST', '/Groups', { displayName: 'Finance Team', members: [{ value: id }] });
    const res = await call(env.app, 'GET', `/api/scim/members/${id}`, { headers: f.t.owner.headers });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      userName: 'nia@example.test',
      title: 'Bursar',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '9', department: 'Finance', manager: { value: 'boss' } },
    });
    expect(res.body.idpGroups.map((g: { displayName: string }) => g.displayName)).toEqual(['Finance Team']);
    expect((await call(env.app, 'GET', '/api/scim/members/not-a-uuid', { headers: f.t.owner.headers })).status).toBe(404);
  });

  it("lists a member's IdP groups in name order, case and accents aside (as every list of names), to the page and the integration", T, async () => {
    const f = await scimFixture(env);
    const id = (await f.scim('POST', '/Users', { userName: 'ola@example.test' })).body.id as string;
    // Made in another order than their names', so neither creation nor bytes ("Zoe" < "adam" < "de Souza" < "Émile") gives the answer.
    for (const displayName of ['Zoe', 'Émile', 'adam', 'de Souza']) expect((await f.scim('POST', '/Groups', { displayName, members: [{ value: id }] })).status).toBe(201);
    const res = await call(env.app, 'GET', `/api/scim/members/${id}`, { headers: f.t.owner.headers });
    expect(res.body.idpGroups.map((g: { displayName: string }) => g.displayName)).toEqual(['adam', 'de Souza', 'Émile', 'Zoe']);
    const attributes = await createScimAttributesPort().attributesOf(env.platform.db, f.t.tenantId, [f.groupId], [id]);
    expect(attributes.get(id)?.idpGroups).toEqual(['adam', 'de Souza', 'Émile', 'Zoe']);
  });

  it('documents the SCIM and admin routes in the OpenAPI document', T, async () => {
    const doc = await call(env.app, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const p of ['/scim/v2/groups/{groupId}/Users', '/scim/v2/groups/{groupId}/Users/{id}', '/scim/v2/groups/{groupId}/Groups', '/api/scim/groups/{groupId}/token', '/api/scim/members/{memberId}']) {
      expect(paths).toContain(p);
    }
    expect(doc.body.paths['/scim/v2/groups/{groupId}/Users'].get.parameters.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['filter', 'startIndex', 'count']));
  });
});
