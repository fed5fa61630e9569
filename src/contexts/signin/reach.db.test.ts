import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant, scopedUser } from '../../../test/factories.js';
import { kioskSetup, makeGroup, makeMember } from '../../../test/signin-factories.js';
import { recordTenant } from '../../../test/record-fixtures.js';

/**
 * A scope names what its holder reaches, in each dimension (decision 046, reach): a user scoped to
 * a school's organisation alone reaches no site. Sign-in answers them as if there were none: sites,
 * groups, visits (and their CSV export), who is on site and roll calls are empty lists; a site,
 * group, member, visit or roll call by id is a 404; a write is a 404 (403 for a new group, which
 * would be shown at none of their sites). Before, they operated every site at their role's level.
 */
const env = useTestEnv();

async function aSchoolDay() {
  const t = await createTestTenant(env, { kind: 'trust' });
  const { org } = await recordTenant(env, t);
  const { site, group, kiosk } = await kioskSetup(env, t, { name: 'North staff' });
  const ann = await makeMember(env, t, group.id, { fullName: 'Ann North' });
  const visit = await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: ann.id } });
  expect(visit.status).toBe(201);
  const rollCall = await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: t.owner.headers, body: {} });
  expect(rollCall.status).toBe(201);
  return { t, org, site, group, ann, visitId: visit.body.visit.id as string, rollCall: rollCall.body as { rollCall: { id: string }; entries: Array<{ id: string }> } };
}

describe('a user scoped to an organisation alone and sign-in', () => {
  it('lists no site, group, visit, person on site or roll call; the visits’ CSV holds nobody', async () => {
    const { t, org, site, group } = await aSchoolDay();
    for (const role of ['admin', 'manager', 'viewer'] as const) {
      const school = await scopedUser(env, t, role, [{ kind: 'organisation', refId: org.id }]);
      const get = (url: string) => call(env.app, 'GET', url, { headers: school.headers });
      for (const url of ['/api/signin/sites', '/api/signin/groups', '/api/signin/visits', '/api/signin/roll-calls']) {
        const r = await get(url);
        expect([r.status, r.body.items], `${role} ${url}`).toEqual([200, []]);
      }
      const overview = await get('/api/signin/overview');
      expect([overview.status, overview.body.sites, overview.body.totals.onSite], role).toEqual([200, [], 0]);
      const csv = await get('/api/signin/visits/export.csv');
      expect(csv.status, role).toBe(200);
      expect(csv.raw.body, role).not.toContain('Ann North');
      // Named, the site or group is not found, as another tenant's.
      for (const url of [`/api/signin/visits?siteId=${site.id}`, `/api/signin/visits/export.csv?siteId=${site.id}`]) {
        const r = await get(url);
        expect([r.status, r.body.error?.code], `${role} ${url}`).toEqual([404, 'not_found']);
      }
      expect((await get(`/api/signin/visits?groupId=${group.id}`)).body.items, role).toEqual([]);
    }
    // The trust's central team still sees the day.
    expect((await call(env.app, 'GET', '/api/signin/visits', { headers: (await t.as('viewer')).headers })).body.items).toHaveLength(1);
  });

  it('finds no site, group, member, roll call or on-site list by id: 404, as another tenant’s', async () => {
    const { t, org, site, group, ann, rollCall } = await aSchoolDay();
    const school = await scopedUser(env, t, 'admin', [{ kind: 'organisation', refId: org.id }]);
    for (const url of [
      `/api/signin/sites/${site.id}`,
      `/api/signin/sites/${site.id}/on-site`,
      `/api/signin/sites/${site.id}/kiosks`,
      `/api/signin/groups/${group.id}`,
      `/api/signin/groups/${group.id}/members`,
      `/api/signin/members/${ann.id}`,
      `/api/signin/roll-calls/${rollCall.rollCall.id}`,
      `/api/integration/groups/${group.id}/link`,
      `/api/integration/members/${ann.id}/readiness`,
    ]) {
      const r = await call(env.app, 'GET', url, { headers: school.headers });
      expect([r.status, r.body.error?.code], url).toEqual([404, 'not_found']);
    }
  });

  it('operates nothing: a site, its kiosks, roll calls, visits, groups and members are not theirs to change', async () => {
    const { t, org, site, group, ann, visitId, rollCall } = await aSchoolDay();
    const school = await scopedUser(env, t, 'admin', [{ kind: 'organisation', refId: org.id }]);
    const as = { headers: school.headers };
    for (const [method, url, body] of [
      ['PATCH', `/api/signin/sites/${site.id}`, { name: 'Renamed by a school' }],
      ['POST', `/api/signin/sites/${site.id}/kiosk-pairings`, undefined],
      ['POST', `/api/signin/sites/${site.id}/roll-calls`, {}],
      ['POST', `/api/signin/roll-calls/${rollCall.rollCall.id}/entries/${rollCall.entries[0]!.id}`, { status: 'safe' }],
      ['POST', `/api/signin/roll-calls/${rollCall.rollCall.id}/close`, undefined],
      ['POST', `/api/signin/visits/${visitId}/sign-out`, undefined],
      ['PUT', `/api/signin/visits/${visitId}/protected`, { protected: true }],
      ['PATCH', `/api/signin/groups/${group.id}`, { name: 'Renamed by a school' }],
      ['POST', `/api/signin/groups/${group.id}/members`, { fullName: 'Bo Added' }],
      ['PATCH', `/api/signin/members/${ann.id}`, { fullName: 'Ann Renamed', version: ann.version }],
    ] as const) {
      const r = await call(env.app, method, url, { ...as, body });
      expect([r.status, r.body.error?.code], `${method} ${url}`).toEqual([404, 'not_found']);
    }
    // A new group would be shown at none of their sites (as for a site-scoped admin naming none).
    const made = await call(env.app, 'POST', '/api/signin/groups', { ...as, body: { name: 'Their own', type: 'standard' } });
    expect([made.status, made.body.error?.code]).toEqual([403, 'forbidden']);
    const owner = { headers: t.owner.headers };
    expect((await call(env.app, 'GET', `/api/signin/sites/${site.id}`, owner)).body.name).toBe(site.name);
    expect((await call(env.app, 'GET', `/api/signin/roll-calls/${rollCall.rollCall.id}`, owner)).body.rollCall.status).toBe('open');
    expect((await call(env.app, 'GET', '/api/signin/visits', owner)).body.items[0].signedOutAt).toBeNull();
    expect((await call(env.app, 'GET', `/api/signin/members/${ann.id}`, owner)).body.fullName).toBe('Ann North');
    expect((await call(env.app, 'GET', '/api/signin/groups', owner)).body.items.map((g: { name: string }) => g.name)).toEqual(['North staff']);
  });

  it('scoped to the organisation and its site, operates that site again (the office manager a trust sets up)', async () => {
    const { t, org, site, group } = await aSchoolDay();
    const other = await makeGroup(env, t, { name: 'Elsewhere' });
    const school = await scopedUser(env, t, 'manager', [
      { kind: 'organisation', refId: org.id },
      { kind: 'site', refId: site.id, level: 'edit' },
    ]);
    expect((await call(env.app, 'GET', '/api/signin/groups', { headers: school.headers })).body.items.map((g: { id: string }) => g.id)).toEqual([group.id]);
    expect((await call(env.app, 'GET', `/api/signin/groups/${other.id}`, { headers: school.headers })).status).toBe(404);
    expect((await call(env.app, 'GET', '/api/signin/visits', { headers: school.headers })).body.items).toHaveLength(1);
  });
});
