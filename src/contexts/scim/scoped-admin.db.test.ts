import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant, scopedUser } from '../../../test/factories.js';
import { makeSite } from '../../../test/signin-factories.js';
import { scimFixture } from './fixtures/setup.js';

/**
 * A site-scoped admin and the SCIM groups: one shown at their site is seen (its status, its
 * activity, its members' SCIM attributes); its token and rate limit are changed only when every
 * site it is shown at is theirs (403 `forbidden` otherwise); one shown elsewhere only is not found.
 */
const env = useTestEnv();
const T = { timeout: 60_000 };

/** A SCIM group shown at the sites, with a member provisioned through its token. */
async function scimGroupAt(t: Awaited<ReturnType<typeof createTestTenant>>, siteIds: string[]) {
  const f = await scimFixture(env, t);
  const site = async (id: string) => (await call(env.app, 'GET', `/api/signin/sites/${id}`, { headers: t.owner.headers })).body.groups.map((g: { id: string }) => g.id) as string[];
  for (const id of siteIds) await call(env.app, 'PUT', `/api/signin/sites/${id}/groups`, { headers: t.owner.headers, body: { groupIds: [...(await site(id)), f.groupId] } });
  const member = (await f.scim('POST', '/Users', { userName: `m-${siteIds.length}-${f.groupId.slice(0, 6)}@example.test` })).body.id as string;
  return { ...f, member };
}

describe('a site-scoped admin and SCIM groups', () => {
  it('sees and rotates the token of a group shown only at their site; sees but cannot change one shared with another site; another site’s is not found', T, async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const north = await makeSite(env, t, { name: 'North' });
    const south = await makeSite(env, t, { name: 'South' });
    const own = await scimGroupAt(t, [north.id]);
    const shared = await scimGroupAt(t, [north.id, south.id]);
    const elsewhere = await scimGroupAt(t, [south.id]);
    const office = await scopedUser(env, t, 'admin', [{ kind: 'site', refId: north.id }]);
    const as = { headers: office.headers };

    expect((await call(env.app, 'GET', `/api/scim/groups/${own.groupId}`, as)).status).toBe(200);
    expect((await call(env.app, 'POST', `/api/scim/groups/${own.groupId}/token`, as)).status).toBe(201);
    expect((await call(env.app, 'PUT', `/api/scim/groups/${own.groupId}/rate-limit`, { ...as, body: { burst: 10, perSecond: 1 } })).status).toBe(204);
    expect((await call(env.app, 'GET', `/api/scim/members/${own.member}`, as)).status).toBe(200);

    expect((await call(env.app, 'GET', `/api/scim/groups/${shared.groupId}`, as)).status).toBe(200);
    expect((await call(env.app, 'GET', `/api/scim/groups/${shared.groupId}/activity`, as)).status).toBe(200);
    for (const [method, url, body] of [
      ['POST', `/api/scim/groups/${shared.groupId}/token`, undefined],
      ['PUT', `/api/scim/groups/${shared.groupId}/rate-limit`, { burst: 1, perSecond: 0.01 }],
    ] as const) {
      const r = await call(env.app, method, url, { ...as, body });
      expect([r.status, r.body.error?.code], `${method} ${url}`).toEqual([403, 'forbidden']);
    }
    // The shared group's token still works: it was not replaced.
    expect((await shared.scim('GET', '/Users')).status).toBe(200);

    for (const url of [`/api/scim/groups/${elsewhere.groupId}`, `/api/scim/groups/${elsewhere.groupId}/activity`, `/api/scim/members/${elsewhere.member}`]) {
      const r = await call(env.app, 'GET', url, as);
      expect([r.status, r.body.error?.code], url).toEqual([404, 'not_found']);
    }
    const r = await call(env.app, 'POST', `/api/scim/groups/${elsewhere.groupId}/token`, as);
    expect(r.status).toBe(404);
    expect((await elsewhere.scim('GET', '/Users')).status).toBe(200);
  });
});
