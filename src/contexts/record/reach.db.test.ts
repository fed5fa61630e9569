import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant, scopedUser, type AuthHeaders } from '../../../test/factories.js';
import { makeSite } from '../../../test/signin-factories.js';
import { recordTenant } from '../../../test/record-fixtures.js';

/**
 * A scope names what its holder reaches, in each dimension (decision 046, reach): a user scoped to
 * a school's site alone reaches no organisation of the record. The record answers them as if it
 * were empty: lists empty, a profile or organisation by id a 404, a write a 404, the dashboard and
 * the export (the Ofsted single central record) with nobody in them. Before, they reached every
 * organisation at their role's level.
 */
const env = useTestEnv();

async function trustWithAProfile() {
  const t = await createTestTenant(env, { kind: 'trust' });
  const { org, typeId } = await recordTenant(env, t);
  const site = await makeSite(env, t, { name: 'North' });
  const profile = await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { organisationId: org.id, profileTypeId: typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace' } });
  expect(profile.status).toBe(201);
  const ownCheck = await call(env.app, 'POST', '/api/record/checks', { headers: t.owner.headers, body: { scope: 'organisation', organisationId: org.id, section: 'School', name: 'Lanyard issued', type: 'yesno' } });
  expect(ownCheck.status).toBe(201);
  return { t, org, site, typeId, profileId: profile.body.id as string, ownCheckId: ownCheck.body.id as string };
}

describe('a user scoped to a site alone and the record', () => {
  it('lists no profile, organisation or school’s own check; the dashboard and the export hold nobody', async () => {
    const { t, org, site } = await trustWithAProfile();
    for (const role of ['admin', 'manager', 'viewer'] as const) {
      const office = await scopedUser(env, t, role, [{ kind: 'site', refId: site.id }]);
      const get = (url: string) => call(env.app, 'GET', url, { headers: office.headers });
      const profiles = await get('/api/record/profiles');
      expect([profiles.status, profiles.body.total, profiles.body.items], role).toEqual([200, 0, []]);
      const organisations = await get('/api/record/organisations');
      expect([organisations.status, organisations.body.items], role).toEqual([200, []]);
      const checks = (await get('/api/record/checks')).body.items as Array<{ name: string; organisationId: string | null }>;
      expect(checks.filter((c) => c.organisationId !== null), role).toEqual([]);
      expect(checks.length, role).toBeGreaterThan(0);
      const dashboard = await get('/api/record/dashboard');
      expect(dashboard.status, role).toBe(200);
      expect(JSON.stringify(dashboard.body), role).not.toContain('Lovelace');
      const csv = await get('/api/record/export?format=csv');
      expect(csv.status, role).toBe(200);
      expect(csv.raw.body, role).not.toContain('Lovelace');
      const html = await get('/api/record/export?format=html');
      expect([html.status, html.raw.body.includes('Lovelace')], role).toEqual([200, false]);
      expect((await get('/api/record/export?format=xlsx')).status, role).toBe(200);
      // Named, the organisation is not found, as another tenant's.
      for (const url of [`/api/record/profiles?organisationId=${org.id}`, `/api/record/dashboard?organisationId=${org.id}`, `/api/record/export?format=csv&organisationId=${org.id}`, `/api/record/checks?organisationId=${org.id}`]) {
        const r = await get(url);
        expect([r.status, r.body.error?.code], `${role} ${url}`).toEqual([404, 'not_found']);
      }
    }
    // The trust's central team still reaches it all.
    expect((await call(env.app, 'GET', '/api/record/profiles', { headers: t.owner.headers })).body.total).toBe(1);
    expect((await call(env.app, 'GET', '/api/record/export?format=csv', { headers: (await t.as('viewer')).headers })).raw.body).toContain('Lovelace');
  });

  it('finds no profile, organisation, document or check by id: 404, as another tenant’s', async () => {
    const { t, org, site, profileId, ownCheckId } = await trustWithAProfile();
    const office = await scopedUser(env, t, 'admin', [{ kind: 'site', refId: site.id }]);
    const get = (url: string) => call(env.app, 'GET', url, { headers: office.headers });
    for (const url of [`/api/record/profiles/${profileId}`, `/api/record/profiles/${profileId}/history`, `/api/record/profiles/${profileId}/ratings`, `/api/record/profiles/${profileId}/export`, `/api/record/organisations/${org.id}`]) {
      const r = await get(url);
      expect([r.status, r.body.error?.code], url).toEqual([404, 'not_found']);
    }
    const patchCheck = await call(env.app, 'PATCH', `/api/record/checks/${ownCheckId}`, { headers: office.headers, body: { help: 'Ask the office' } });
    expect([patchCheck.status, patchCheck.body.error?.code]).toEqual([404, 'not_found']);
    expect((await get('/api/record/retention')).body.items).toEqual([]);
  });

  it('writes nothing: adding, changing, archiving or erasing a profile is a 404, and the profile stays as it was', async () => {
    const { t, org, site, typeId, profileId } = await trustWithAProfile();
    const before = await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: t.owner.headers });
    for (const role of ['admin', 'manager'] as const) {
      const office = await scopedUser(env, t, role, [{ kind: 'site', refId: site.id }]);
      const as = { headers: office.headers };
      const writes = [
        await call(env.app, 'POST', '/api/record/profiles', { ...as, body: { organisationId: org.id, profileTypeId: typeId('teaching'), firstName: 'Bo', lastName: 'Site' } }),
        await call(env.app, 'PATCH', `/api/record/profiles/${profileId}`, { ...as, body: { version: before.body.version, role: 'Head of maths' } }),
        await call(env.app, 'POST', `/api/record/profiles/${profileId}/archive`, { ...as, body: { version: before.body.version } }),
      ];
      // What an administrator alone may do (a manager's role lacks it: 403 first).
      if (role === 'admin') writes.push(await call(env.app, 'DELETE', `/api/record/profiles/${profileId}`, as), await call(env.app, 'PATCH', `/api/record/organisations/${org.id}`, { ...as, body: { name: 'Renamed by a site' } }));
      for (const r of writes) expect([r.status, r.body.error?.code], `${role} ${JSON.stringify(r.body)}`).toEqual([404, 'not_found']);
    }
    const after = await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: t.owner.headers });
    expect([after.body.version, after.body.role, after.body.status]).toEqual([before.body.version, before.body.role, before.body.status]);
    expect((await call(env.app, 'GET', '/api/record/profiles', { headers: t.owner.headers })).body.total).toBe(1);
    expect((await call(env.app, 'GET', `/api/record/organisations/${org.id}`, { headers: t.owner.headers })).body.name).toBe(org.name);
  });

  it('scoped to the site and the organisation, reaches the organisation’s record again (the office manager a trust sets up)', async () => {
    const { t, org, site, profileId } = await trustWithAProfile();
    const office = await scopedUser(env, t, 'manager', [
      { kind: 'site', refId: site.id },
      { kind: 'organisation', refId: org.id, level: 'edit' },
    ]);
    expect((await call(env.app, 'GET', '/api/record/profiles', { headers: office.headers })).body.total).toBe(1);
    expect((await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: office.headers })).status).toBe(200);
  });
});

describe('the condition builder’s fields and a school’s own checks', () => {
  /**
   * `GET /api/record/fields` names a check by its key and its name: a school's own check is a field
   * only to a caller who reaches that school, as `GET /api/record/checks` lists it. Before, every
   * reader of the record was offered every school's own checks.
   */
  it('a user scoped to one organisation of two is offered its own checks and the trust’s, not the other school’s', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { orgs } = await recordTenant(env, t, [
      { name: 'Northgate Primary', type: 'maintained' },
      { name: 'Southfield Academy', type: 'academy' },
    ]);
    const north = orgs[0]!;
    const south = orgs[1]!;
    const add = async (body: Record<string, unknown>) => {
      const r = await call(env.app, 'POST', '/api/record/checks', { headers: t.owner.headers, body: { section: 'School', type: 'yesno', ...body } });
      expect(r.status).toBe(201);
      return `check.${r.body.key as string}`;
    };
    const trustCheck = await add({ scope: 'tenant', name: 'Trust induction done' });
    const northCheck = await add({ scope: 'organisation', organisationId: north.id, name: 'Northgate lanyard issued' });
    const southCheck = await add({ scope: 'organisation', organisationId: south.id, name: 'Southfield fob issued' });
    const site = await makeSite(env, t, { name: 'North' });
    const fieldsOf = async (headers: AuthHeaders) => {
      const r = await call(env.app, 'GET', '/api/record/fields', { headers });
      expect(r.status).toBe(200);
      return { fields: (r.body.items as Array<{ field: string }>).map((f) => f.field), text: JSON.stringify(r.body) };
    };
    for (const role of ['admin', 'manager', 'viewer'] as const) {
      const office = await scopedUser(env, t, role, [{ kind: 'organisation', refId: north.id, level: role === 'viewer' ? 'view' : 'administer' }]);
      const { fields, text } = await fieldsOf(office.headers);
      expect(fields, role).toEqual(expect.arrayContaining([trustCheck, northCheck, 'check.enhanced_dbs', 'profile.first_name']));
      expect(fields, role).not.toContain(southCheck);
      expect(text, role).not.toContain('Southfield');
      expect(text, role).toContain('Northgate lanyard issued');
    }
    // A user who reaches no organisation (a site alone) is offered no school's own check.
    const siteOnly = await fieldsOf((await scopedUser(env, t, 'viewer', [{ kind: 'site', refId: site.id }])).headers);
    expect(siteOnly.fields).toContain(trustCheck);
    expect(siteOnly.fields.filter((f) => f === northCheck || f === southCheck)).toEqual([]);
    // The trust's central team is offered every school's.
    for (const headers of [t.owner.headers, (await t.as('viewer')).headers]) {
      expect((await fieldsOf(headers)).fields).toEqual(expect.arrayContaining([trustCheck, northCheck, southCheck]));
    }
  });
});

describe('a condition naming a school’s own check the caller does not reach', () => {
  /**
   * A condition is validated against the fields the caller reaches, the catalogue
   * `GET /api/record/fields` offers them. Before, it was validated against the tenant's whole
   * catalogue: a user scoped to Northgate who named Southfield's check key in a filter got 200, and
   * a key that does not exist 400, so the answer told them that Southfield's key exists.
   */
  async function twoSchools() {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { orgs } = await recordTenant(env, t, [
      { name: 'Northgate Primary', type: 'maintained' },
      { name: 'Southfield Academy', type: 'academy' },
    ]);
    const north = orgs[0]!;
    const south = orgs[1]!;
    const add = async (body: Record<string, unknown>) => {
      const r = await call(env.app, 'POST', '/api/record/checks', { headers: t.owner.headers, body: { section: 'School', type: 'yesno', ...body } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return { id: r.body.id as string, field: `check.${r.body.key as string}` };
    };
    const northCheck = await add({ scope: 'organisation', organisationId: north.id, name: 'Northgate lanyard issued' });
    const southCheck = await add({ scope: 'organisation', organisationId: south.id, name: 'Southfield fob issued' });
    return { t, north, south, add, northCheck, southCheck };
  }
  const conditionOn = (field: string) => ({ op: 'and', conditions: [{ field, operator: 'equals', value: 'yes' }] });
  /** The answer (less its request id) with the field named in it replaced, so that two answers can be compared whole. */
  const answer = (r: { status: number; body: Record<string, { requestId?: string }> }, field: string) => {
    const { requestId, ...error } = r.body.error ?? {};
    void requestId;
    return { status: r.status, error: JSON.stringify(error).replaceAll(field, 'FIELD') };
  };
  const missing = 'check.custom_southfield_fob_issued_0a1b2c';

  it('the profile list and the export refuse it as they refuse a key that does not exist; a key the caller reaches is accepted', async () => {
    const { t, north, northCheck, southCheck } = await twoSchools();
    for (const role of ['admin', 'manager', 'viewer'] as const) {
      const office = await scopedUser(env, t, role, [{ kind: 'organisation', refId: north.id, level: role === 'viewer' ? 'view' : 'administer' }]);
      for (const path of ['/api/record/profiles', '/api/record/export?format=csv']) {
        const ask = (field: string) => call(env.app, 'GET', `${path}${path.includes('?') ? '&' : '?'}condition=${encodeURIComponent(JSON.stringify(conditionOn(field)))}`, { headers: office.headers });
        const south = await ask(southCheck.field);
        expect([south.status, south.body.error?.code, south.body.error?.field], `${role} ${path}`).toEqual([400, 'validation_failed', southCheck.field]);
        expect(answer(south, southCheck.field), `${role} ${path}`).toEqual(answer(await ask(missing), missing));
        expect((await ask(northCheck.field)).status, `${role} ${path}`).toBe(200);
      }
    }
    // The trust's central team reaches Southfield's check.
    const owner = await call(env.app, 'GET', `/api/record/profiles?condition=${encodeURIComponent(JSON.stringify(conditionOn(southCheck.field)))}`, { headers: t.owner.headers });
    expect(owner.status).toBe(200);
  });

  it('a school administrator cannot write it into their own check, but keeps what a trust administrator wrote there', async () => {
    const { t, north, south, add, northCheck, southCheck } = await twoSchools();
    const office = await scopedUser(env, t, 'admin', [{ kind: 'organisation', refId: north.id }]);
    const newCheck = (condition: unknown) => call(env.app, 'POST', '/api/record/checks', { headers: office.headers, body: { scope: 'organisation', organisationId: north.id, section: 'School', type: 'yesno', name: 'Badge photo taken', condition } });
    const refused = await newCheck(conditionOn(southCheck.field));
    expect([refused.status, refused.body.error?.code, refused.body.error?.field]).toEqual([400, 'validation_failed', southCheck.field]);
    expect(answer(refused, southCheck.field)).toEqual(answer(await newCheck(conditionOn(missing)), missing));
    const patchRefused = await call(env.app, 'PATCH', `/api/record/checks/${northCheck.id}`, { headers: office.headers, body: { condition: conditionOn(southCheck.field) } });
    expect([patchRefused.status, patchRefused.body.error?.field]).toEqual([400, southCheck.field]);
    expect((await newCheck(conditionOn(northCheck.field))).status).toBe(201);

    // A trust administrator wrote Southfield's check into a Northgate check's condition.
    const shared = await add({ scope: 'organisation', organisationId: north.id, name: 'Northgate shared induction', condition: conditionOn(southCheck.field) });
    const otherSouth = await add({ scope: 'organisation', organisationId: south.id, name: 'Southfield keys returned' });
    const patch = (body: Record<string, unknown>) => call(env.app, 'PATCH', `/api/record/checks/${shared.id}`, { headers: office.headers, body });
    // Its school's administrator changes its help, and its condition keeping that clause.
    expect((await patch({ help: 'Ask the office' })).status).toBe(200);
    const kept = await patch({ condition: { op: 'and', conditions: [...conditionOn(southCheck.field).conditions, { field: northCheck.field, operator: 'equals', value: 'yes' }] } });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    // Another of Southfield's checks is still not theirs to name.
    const swapped = await patch({ condition: conditionOn(otherSouth.field) });
    expect([swapped.status, swapped.body.error?.field]).toEqual([400, otherSouth.field]);
  });
});
