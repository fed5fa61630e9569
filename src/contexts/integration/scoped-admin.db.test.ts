import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant, scopedUser } from '../../../test/factories.js';
import { makeGroup, makeMember, makeSite } from '../../../test/signin-factories.js';
import { recordTenant } from '../../../test/record-fixtures.js';

/**
 * The integration is the trust's: its settings, links, type map, Wonde connections, runs and merges
 * change the whole tenant, and its duplicates, merges, exclusions, runs and sync log list people of
 * every school, unrefined by scope. A caller with any scope, an admin included, is refused them
 * (403 `forbidden`); the settings and links it shows beside a group still answer, within the
 * caller's reach: a link with its group (their sites), the linked organisation and profile named
 * only to a caller who reaches the organisation (decision 046, reach).
 */
const env = useTestEnv();

/** A trust of two schools, North and South: an organisation, a site and a repeat group of staff each. */
async function twoSchools() {
  const t = await createTestTenant(env, { kind: 'trust' });
  const { orgs } = await recordTenant(env, t, [
    { name: 'North Primary', type: 'maintained' },
    { name: 'South Primary', type: 'maintained' },
  ]);
  const north = await makeSite(env, t, { name: 'North' });
  const south = await makeSite(env, t, { name: 'South' });
  const northStaff = await makeGroup(env, t, { name: 'North staff', type: 'repeat' }, [north.id]);
  const southStaff = await makeGroup(env, t, { name: 'South staff', type: 'repeat' }, [south.id]);
  return { t, orgs, north, south, northStaff, southStaff };
}

describe('a scoped caller and the integration', () => {
  it('cannot change the integration nor list its work over people of every school; reads its settings', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { org } = await recordTenant(env, t);
    const site = await makeSite(env, t);
    const callers = [
      await scopedUser(env, t, 'admin', [{ kind: 'site', refId: site.id }]),
      await scopedUser(env, t, 'admin', [{ kind: 'organisation', refId: org.id }]),
      await scopedUser(env, t, 'manager', [{ kind: 'organisation', refId: org.id, level: 'edit' }]),
    ];
    for (const c of callers) {
      const as = { headers: c.headers };
      for (const url of ['/api/integration/merge-queue', '/api/integration/merges', '/api/integration/exclusions', '/api/integration/runs', '/api/integration/sync-log']) {
        const r = await call(env.app, 'GET', url, as);
        expect([r.status, r.body.error?.code], `${c.role} GET ${url}`).toEqual([403, 'forbidden']);
      }
      if (c.role === 'admin') {
        const put = await call(env.app, 'PUT', '/api/integration/settings', { ...as, body: { includeRecordInSafetyCheck: true } });
        expect([put.status, put.body.error?.code]).toEqual([403, 'forbidden']);
        const wonde = await call(env.app, 'PUT', `/api/integration/organisations/${org.id}/wonde`, { ...as, body: { schoolId: 'A1', token: 'secret-token' } });
        expect([wonde.status, wonde.body.error?.code]).toEqual([403, 'forbidden']);
      }
      expect((await call(env.app, 'GET', '/api/integration/settings', as)).status).toBe(200);
    }
    expect((await call(env.app, 'GET', '/api/integration/settings', { headers: t.owner.headers })).body.includeRecordInSafetyCheck).toBe(false);
    for (const url of ['/api/integration/merge-queue', '/api/integration/sync-log']) expect((await call(env.app, 'GET', url, { headers: (await t.as('viewer')).headers })).status).toBe(200);
  });

  it('reads a group’s link and an organisation’s Wonde status only within reach (404 outside, as elsewhere)', async () => {
    const { t, orgs, north, northStaff, southStaff } = await twoSchools();
    const office = await scopedUser(env, t, 'admin', [
      { kind: 'site', refId: north.id },
      { kind: 'organisation', refId: orgs[0]!.id },
    ]);
    const get = (url: string) => call(env.app, 'GET', url, { headers: office.headers });
    expect((await get(`/api/integration/groups/${northStaff.id}/link`)).status).toBe(200);
    expect((await get(`/api/integration/organisations/${orgs[0]!.id}/wonde`)).status).toBe(200);
    for (const url of [`/api/integration/groups/${southStaff.id}/link`, `/api/integration/organisations/${orgs[1]!.id}/wonde`]) {
      const r = await get(url);
      expect([r.status, r.body.error?.code], url).toEqual([404, 'not_found']);
    }
    expect((await call(env.app, 'GET', `/api/integration/groups/${southStaff.id}/link`, { headers: t.owner.headers })).status).toBe(200);
  });

  it("lists only the links of groups within reach and reads only the readiness of members within reach (the rest is another school's)", async () => {
    const { t, orgs, north, northStaff, southStaff } = await twoSchools();
    for (const [g, org] of [[northStaff, orgs[0]!], [southStaff, orgs[1]!]] as const) {
      const r = await call(env.app, 'PUT', `/api/integration/groups/${g.id}/link`, { headers: t.owner.headers, body: { organisationId: org.id } });
      expect(r.status).toBe(200);
    }
    const ann = await makeMember(env, t, northStaff.id, { fullName: 'Ann North' });
    const bo = await makeMember(env, t, southStaff.id, { fullName: 'Bo South' });
    const linkedGroups = async (headers: Record<string, string>) => ((await call(env.app, 'GET', '/api/integration/links', { headers })).body.items as Array<{ groupId: string }>).map((l) => l.groupId).sort();
    const bySite = await scopedUser(env, t, 'admin', [{ kind: 'site', refId: north.id }]);
    const byOrg = await scopedUser(env, t, 'manager', [{ kind: 'organisation', refId: orgs[0]!.id, level: 'edit' }]);
    expect(await linkedGroups(t.owner.headers)).toEqual([northStaff.id, southStaff.id].sort());
    expect(await linkedGroups(bySite.headers)).toEqual([northStaff.id]);
    // Scoped to an organisation alone, they reach no site, so no group and no link (decision 046, reach: before, every site's).
    expect(await linkedGroups(byOrg.headers)).toEqual([]);
    expect((await call(env.app, 'GET', `/api/integration/members/${ann.id}/readiness`, { headers: bySite.headers })).status).toBe(200);
    const out = await call(env.app, 'GET', `/api/integration/members/${bo.id}/readiness`, { headers: bySite.headers });
    expect([out.status, out.body.error?.code]).toEqual([404, 'not_found']);
    const byOrgOut = await call(env.app, 'GET', `/api/integration/members/${ann.id}/readiness`, { headers: byOrg.headers });
    expect([byOrgOut.status, byOrgOut.body.error?.code]).toEqual([404, 'not_found']);
    expect((await call(env.app, 'GET', `/api/integration/members/${bo.id}/readiness`, { headers: t.owner.headers })).status).toBe(200);
  });

  it('names the linked organisation and profile only to a caller who reaches the organisation (a site alone reaches none)', async () => {
    const { t, orgs, north } = await twoSchools();
    const northStaff = await makeGroup(env, t, { name: 'North teachers', type: 'repeat', isStaffGroup: true }, [north.id]);
    expect((await call(env.app, 'PUT', `/api/integration/groups/${northStaff.id}/link`, { headers: t.owner.headers, body: { organisationId: orgs[0]!.id } })).status).toBe(200);
    expect((await call(env.app, 'PUT', '/api/integration/settings', { headers: t.owner.headers, body: { includeRecordInSafetyCheck: true } })).status).toBe(200);
    const ann = await makeMember(env, t, northStaff.id, { fullName: 'Ann North', email: 'ann@north.test', role: 'Teacher' });
    const run = await call(env.app, 'POST', '/api/integration/import', { headers: t.owner.headers, body: {} });
    expect(run.status).toBe(202);
    await env.contexts.integration.runs.execute(run.body.id as string);
    const bySite = await scopedUser(env, t, 'admin', [{ kind: 'site', refId: north.id }]);
    const bySiteAndOrg = await scopedUser(env, t, 'manager', [
      { kind: 'site', refId: north.id },
      { kind: 'organisation', refId: orgs[0]!.id, level: 'edit' },
    ]);
    const readiness = async (headers: Record<string, string>) => (await call(env.app, 'GET', `/api/integration/members/${ann.id}/readiness`, { headers })).body as { applies: boolean; ready: boolean; reasons: string[]; profileId: string | null };
    const full = await readiness(t.owner.headers);
    expect([full.applies, typeof full.profileId]).toEqual([true, 'string']);
    // The answer is sign-in's (what the kiosk would say), read within their site; the profile is not theirs to open.
    expect(await readiness(bySite.headers)).toEqual({ ...full, profileId: null });
    expect(await readiness(bySiteAndOrg.headers)).toEqual(full);
    const linkOf = async (headers: Record<string, string>) => {
      const tab = (await call(env.app, 'GET', `/api/integration/groups/${northStaff.id}/link`, { headers })).body;
      const listed = ((await call(env.app, 'GET', '/api/integration/links', { headers })).body.items as Array<{ organisationId: string; organisationName: string | null }>)[0];
      return [tab.link.organisationId, tab.link.organisationName, listed?.organisationId, listed?.organisationName];
    };
    expect(await linkOf(bySiteAndOrg.headers)).toEqual([orgs[0]!.id, 'North Primary', orgs[0]!.id, 'North Primary']);
    expect(await linkOf(bySite.headers)).toEqual([orgs[0]!.id, null, orgs[0]!.id, null]);
  });
});
