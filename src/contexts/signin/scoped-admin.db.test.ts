import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant, scopedUser, type TestTenant } from '../../../test/factories.js';
import { makeGroup, makeMember, makeSite } from '../../../test/signin-factories.js';

/**
 * A school's office manager (an admin scoped to their school's site) runs their site: its details,
 * which groups it shows, its kiosks, and the groups shown only there. What every site shares is the
 * trust's central team's: adding or archiving sites, webhooks (they hear every site), the block
 * list and the visits' retention (they apply at every site), and a group another school shows too.
 */
const env = useTestEnv();

async function twoSchools(t: TestTenant) {
  const north = await makeSite(env, t, { name: 'North' });
  const south = await makeSite(env, t, { name: 'South' });
  const northOnly = await makeGroup(env, t, { name: 'North visitors', type: 'standard' }, [north.id]);
  const shared = await makeGroup(env, t, { name: 'Trust staff' }, [north.id, south.id]);
  const southOnly = await makeGroup(env, t, { name: 'South staff' }, [south.id]);
  const office = await scopedUser(env, t, 'admin', [{ kind: 'site', refId: north.id }]);
  return { north, south, northOnly, shared, southOnly, office };
}

const answer = (r: { status: number; body: { error?: { code?: string; field?: string } } }) => [r.status, r.body.error?.code];

describe('a site-scoped admin and what every site shares', () => {
  it('cannot add or archive a site, but changes their own', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { north, office } = await twoSchools(t);
    expect(answer(await call(env.app, 'POST', '/api/signin/sites', { headers: office.headers, body: { name: 'Annexe', timezone: 'Europe/London' } }))).toEqual([403, 'forbidden']);
    expect(answer(await call(env.app, 'POST', `/api/signin/sites/${north.id}/archive`, { headers: office.headers }))).toEqual([403, 'forbidden']);
    const renamed = await call(env.app, 'PATCH', `/api/signin/sites/${north.id}`, { headers: office.headers, body: { name: 'North (main)' } });
    expect([renamed.status, renamed.body.name, renamed.body.archivedAt ?? null]).toEqual([200, 'North (main)', null]);
    const sites = await call(env.app, 'GET', '/api/signin/sites', { headers: t.owner.headers });
    expect(sites.body.items.map((s: { name: string }) => s.name).sort()).toEqual(['North (main)', 'South']);
  });

  it('cannot see or change webhooks, change the block list or the visits’ retention; reads the block list and the retention', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { office } = await twoSchools(t);
    const block = await call(env.app, 'POST', '/api/signin/block-list', { headers: t.owner.headers, body: { fullName: 'Barred Person', reason: 'Court order' } });
    expect(block.status).toBe(201);
    expect(answer(await call(env.app, 'GET', '/api/signin/webhooks', { headers: office.headers }))).toEqual([403, 'forbidden']);
    expect(answer(await call(env.app, 'POST', '/api/signin/webhooks', { headers: office.headers, body: { url: 'https://example.test/hook', events: ['visit.signed_in'] } }))).toEqual([403, 'forbidden']);
    expect(answer(await call(env.app, 'POST', '/api/signin/block-list', { headers: office.headers, body: { fullName: 'Someone Else', reason: 'x' } }))).toEqual([403, 'forbidden']);
    expect(answer(await call(env.app, 'PUT', `/api/signin/block-list/${block.body.id as string}`, { headers: office.headers, body: { fullName: 'Barred Person', reason: 'Lifted' } }))).toEqual([403, 'forbidden']);
    expect(answer(await call(env.app, 'DELETE', `/api/signin/block-list/${block.body.id as string}`, { headers: office.headers }))).toEqual([403, 'forbidden']);
    expect(answer(await call(env.app, 'PUT', '/api/signin/settings', { headers: office.headers, body: { retentionDays: 1 } }))).toEqual([403, 'forbidden']);
    const list = await call(env.app, 'GET', '/api/signin/block-list', { headers: office.headers });
    expect([list.status, list.body.items.map((b: { reason: string }) => b.reason)]).toEqual([200, ['Court order']]);
    expect((await call(env.app, 'GET', '/api/signin/settings', { headers: office.headers })).body).toEqual({ retentionDays: null });
  });

  it('changes and archives a group shown only at their site, not one another site shows too', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { northOnly, shared, office } = await twoSchools(t);
    // They see the shared group (its members sign in at their site) but do not change it.
    expect((await call(env.app, 'GET', `/api/signin/groups/${shared.id}`, { headers: office.headers })).status).toBe(200);
    expect(answer(await call(env.app, 'PATCH', `/api/signin/groups/${shared.id}`, { headers: office.headers, body: { name: 'Renamed' } }))).toEqual([403, 'forbidden']);
    expect(answer(await call(env.app, 'POST', `/api/signin/groups/${shared.id}/archive`, { headers: office.headers }))).toEqual([403, 'forbidden']);
    const after = await call(env.app, 'GET', `/api/signin/groups/${shared.id}`, { headers: t.owner.headers });
    expect([after.body.name, after.body.archivedAt ?? null]).toEqual(['Trust staff', null]);
    // Their own group is theirs.
    expect((await call(env.app, 'PATCH', `/api/signin/groups/${northOnly.id}`, { headers: office.headers, body: { name: 'North guests' } })).body.name).toBe('North guests');
    expect((await call(env.app, 'POST', `/api/signin/groups/${northOnly.id}/archive`, { headers: office.headers })).status).toBe(200);
  });

  it('adds a group shown at their own site (after its groups), not one shown nowhere or at another school', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { north, south, northOnly, shared, office } = await twoSchools(t);
    const add = (siteIds?: string[]) => call(env.app, 'POST', '/api/signin/groups', { headers: office.headers, body: { name: 'Supply staff', type: 'repeat', ...(siteIds ? { siteIds } : {}) } });
    const groupsBefore = (await call(env.app, 'GET', '/api/signin/groups', { headers: t.owner.headers })).body.items.length;
    expect(answer(await add())).toEqual([403, 'forbidden']);
    expect(answer(await add([south.id]))).toEqual([403, 'forbidden']);
    expect(answer(await add([north.id, south.id]))).toEqual([403, 'forbidden']);
    expect((await call(env.app, 'GET', '/api/signin/groups', { headers: t.owner.headers })).body.items).toHaveLength(groupsBefore);
    const made = await add([north.id]);
    expect([made.status, made.body.siteIds]).toEqual([201, [north.id]]);
    const site = await call(env.app, 'GET', `/api/signin/sites/${north.id}`, { headers: office.headers });
    expect(site.body.groups.map((g: { id: string }) => g.id)).toEqual([northOnly.id, shared.id, made.body.id]);
    // And it is theirs to change.
    expect((await call(env.app, 'PATCH', `/api/signin/groups/${made.body.id as string}`, { headers: office.headers, body: { name: 'Supply teachers' } })).body.name).toBe('Supply teachers');
  });

  it('cannot take another school’s group onto their site (and so its members); orders and drops their own', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { north, northOnly, shared, southOnly, office } = await twoSchools(t);
    await makeMember(env, t, southOnly.id, { fullName: 'South Teacher' });
    const taken = await call(env.app, 'PUT', `/api/signin/sites/${north.id}/groups`, { headers: office.headers, body: { groupIds: [northOnly.id, southOnly.id] } });
    expect([taken.status, taken.body.error?.code, taken.body.error?.field]).toEqual([400, 'unknown_group', 'groupIds.1']);
    expect((await call(env.app, 'GET', `/api/signin/groups/${southOnly.id}/members`, { headers: office.headers })).status).toBe(404);
    const site = await call(env.app, 'GET', `/api/signin/sites/${north.id}`, { headers: t.owner.headers });
    expect(site.body.groups.map((g: { id: string }) => g.id)).toEqual([northOnly.id, shared.id]);
    const reordered = await call(env.app, 'PUT', `/api/signin/sites/${north.id}/groups`, { headers: office.headers, body: { groupIds: [shared.id, northOnly.id] } });
    expect(reordered.body.groups.map((g: { id: string }) => g.id)).toEqual([shared.id, northOnly.id]);
    // The trust's central team may.
    expect((await call(env.app, 'PUT', `/api/signin/sites/${north.id}/groups`, { headers: t.owner.headers, body: { groupIds: [northOnly.id, southOnly.id] } })).status).toBe(200);
  });
});
