import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { FULL_TEACHER_CHECKS, TEACHER_FACTS, recordTenant } from '../../../../test/record-fixtures.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { KCSIE_2025_4 } from '../kcsie/kcsie-2025-4.js';

const env = useTestEnv();
const audits = async (tenantId: string, action: string) =>
  env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, action)));

describe('record organisations', () => {
  it('401 without credentials, 403 for a manager creating, 404 for another tenant’s id', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const other = await createTestTenant(env);
    const { org } = await recordTenant(env, t);
    expect((await call(env.app, 'GET', '/api/record/organisations')).status).toBe(401);
    const manager = await t.as('manager');
    expect((await call(env.app, 'POST', '/api/record/organisations', { headers: manager.headers, body: { name: 'X', type: 'academy' } })).status).toBe(403);
    expect((await call(env.app, 'GET', `/api/record/organisations/${org.id}`, { headers: other.owner.headers })).status).toBe(404);
    expect((await call(env.app, 'DELETE', `/api/record/organisations/${org.id}`, { headers: other.owner.headers })).status).toBe(404);
  });

  it('the first organisation seeds the latest built-in set (KCSIE 2025.4); CRUD is audited; delete in use is 409 saying what uses it', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org, typeId, types } = await recordTenant(env, t, [{ name: 'Northgate Academy', type: 'academy' }]);
    expect(types.map((x) => x.name)).toEqual(KCSIE_2025_4.profileTypes.map((x) => x.name));
    const checks = (await call(env.app, 'GET', '/api/record/checks', { headers: h })).body.items;
    expect(checks).toHaveLength(KCSIE_2025_4.checks.length);
    expect(checks.every((c: { setVersion: string }) => c.setVersion === 'KCSIE 2025.4')).toBe(true);
    expect((await call(env.app, 'GET', '/api/record/rule-set', { headers: h })).body).toMatchObject({ version: 'KCSIE 2025.4', latest: 'KCSIE 2025.4' });
    const systems = (await call(env.app, 'GET', '/api/record/rating-systems', { headers: h })).body.items;
    expect(systems.map((s: { name: string }) => s.name)).toEqual(['Inspector ready', 'School ready']);
    // A second organisation does not seed again.
    const second = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'Northgate Primary', type: 'maintained', retentionYears: 7 } });
    expect(second.status).toBe(201);
    expect((await call(env.app, 'GET', '/api/record/checks', { headers: h })).body.items).toHaveLength(KCSIE_2025_4.checks.length);
    const patched = await call(env.app, 'PATCH', `/api/record/organisations/${second.body.id}`, { headers: h, body: { type: 'non_maintained_special' } });
    expect(patched.body.type).toBe('non_maintained_special');
    expect(await audits(t.tenantId, 'record.organisation.updated')).toHaveLength(1);

    const made = await call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: org.id, profileTypeId: typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace' } });
    expect(made.status).toBe(201);
    const del = await call(env.app, 'DELETE', `/api/record/organisations/${org.id}`, { headers: h });
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('organisation_in_use');
    expect(del.body.error.message).toMatch(/1 profile belong/);
    expect((await call(env.app, 'DELETE', `/api/record/organisations/${second.body.id}`, { headers: h })).status).toBe(204);
    expect(await audits(t.tenantId, 'record.organisation.deleted')).toHaveLength(1);
  });

  it('a user scoped to one organisation sees only it', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { orgs } = await recordTenant(env, t, [{ name: 'A', type: 'academy' }, { name: 'B', type: 'academy' }]);
    const viewer = await t.as('viewer');
    await env.platform.database.query(`INSERT INTO user_scopes (tenant_id, user_id, kind, ref_id, level) VALUES ($1, $2, 'organisation', $3, 'edit')`, [t.tenantId, viewer.id, orgs[1]!.id]);
    const seen = await call(env.app, 'GET', '/api/record/organisations', { headers: viewer.headers });
    expect(seen.body.items.map((o: { name: string; access: string }) => [o.name, o.access])).toEqual([['B', 'edit']]);
    expect((await call(env.app, 'GET', `/api/record/organisations/${orgs[0]!.id}`, { headers: viewer.headers })).status).toBe(404);
    const all = await call(env.app, 'GET', '/api/record/organisations', { headers: (await t.as('manager')).headers });
    expect(all.body.items).toHaveLength(2);
  });
});

describe('record profile types', () => {
  it('add, rename, retire; built-in or used types cannot be deleted (409 saying what uses them)', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org, typeId } = await recordTenant(env, t);
    expect((await call(env.app, 'POST', '/api/record/profile-types', { body: { name: 'X' } })).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/record/profile-types', { headers: (await t.as('manager')).headers, body: { name: 'X' } })).status).toBe(403);
    const other = await createTestTenant(env);
    expect((await call(env.app, 'PATCH', `/api/record/profile-types/${typeId('teaching')}`, { headers: other.owner.headers, body: { name: 'Y' } })).status).toBe(404);

    const added = await call(env.app, 'POST', '/api/record/profile-types', { headers: h, body: { name: 'Peripatetic Music Teachers' } });
    expect(added.status).toBe(201);
    expect(added.body.key).toMatch(/^custom_peripatetic_music_teachers_/);
    const renamed = await call(env.app, 'PATCH', `/api/record/profile-types/${added.body.id}`, { headers: h, body: { name: 'Music Tutors', retired: true } });
    expect(renamed.body).toMatchObject({ name: 'Music Tutors', retired: true });
    expect((await audits(t.tenantId, 'record.profile_type.retired')).length).toBe(1);
    // A retired type takes no new profiles.
    const refused = await call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: org.id, profileTypeId: added.body.id, firstName: 'A', lastName: 'B' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('profileTypeId');

    const builtIn = await call(env.app, 'DELETE', `/api/record/profile-types/${typeId('volunteer')}`, { headers: h });
    expect(builtIn.status).toBe(409);
    expect(builtIn.body.error.message).toMatch(/the checks .*"Written risk assessment"/);
    expect((await call(env.app, 'DELETE', `/api/record/profile-types/${added.body.id}`, { headers: h })).status).toBe(204);
  });
});

describe('record checks', () => {
  it('statutory checks cannot be deleted or switched off; custom checks validate their condition', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org } = await recordTenant(env, t);
    const checks = (await call(env.app, 'GET', '/api/record/checks', { headers: h })).body.items as Array<{ id: string; key: string }>;
    const dbs = checks.find((c) => c.key === 'enhanced_dbs')!;
    const other = await createTestTenant(env);
    expect((await call(env.app, 'DELETE', `/api/record/checks/${dbs.id}`, { headers: other.owner.headers })).status).toBe(404);
    expect((await call(env.app, 'DELETE', `/api/record/checks/${dbs.id}`, { headers: (await t.as('manager')).headers })).status).toBe(403);
    const del = await call(env.app, 'DELETE', `/api/record/checks/${dbs.id}`, { headers: h });
    expect([del.status, del.body.error.code]).toEqual([409, 'statutory_check']);
    const off = await call(env.app, 'PATCH', `/api/record/checks/${dbs.id}`, { headers: h, body: { enabled: false } });
    expect([off.status, off.body.error.code, off.body.error.field]).toEqual([400, 'statutory_check', 'enabled']);
    const medical = checks.find((c) => c.key === 'medical_fitness')!;
    expect((await call(env.app, 'PATCH', `/api/record/checks/${medical.id}`, { headers: h, body: { enabled: false } })).body.enabled).toBe(false);

    const badField = await call(env.app, 'POST', '/api/record/checks', {
      headers: h,
      body: { scope: 'tenant', section: 'Trust', name: 'Lanyard', type: 'yesno', condition: { op: 'and', conditions: [{ field: 'profile.shoe_size', operator: 'equals', value: '9' }] } },
    });
    expect(badField.status).toBe(400);
    expect(badField.body.error.field).toBe('profile.shoe_size');
    expect(badField.body.error.message).toMatch(/Unknown field "profile.shoe_size"/);

    const own = await call(env.app, 'POST', '/api/record/checks', {
      headers: h,
      body: { scope: 'organisation', organisationId: org.id, section: 'School', name: 'Lanyard issued', type: 'yesno', passValue: true, appliesTo: ['teaching'], condition: { op: 'and', conditions: [{ field: 'profile.role', operator: 'contains', value: 'teacher' }] } },
    });
    expect(own.status).toBe(201);
    expect(own.body.scope).toBe('organisation');
    const trust = await call(env.app, 'POST', '/api/record/checks', { headers: h, body: { scope: 'tenant', section: 'Trust', name: 'Trust induction', type: 'date', requirement: 'statutory', condition: { op: 'and', conditions: [{ field: `check.${own.body.key}`, operator: 'equals', value: 'yes' }] } } });
    expect(trust.status).toBe(201);
    const inUse = await call(env.app, 'DELETE', `/api/record/checks/${own.body.id}`, { headers: h });
    expect([inUse.status, inUse.body.error.code]).toEqual([409, 'check_in_use']);
    expect(inUse.body.error.message).toMatch(/the condition of "Trust induction" uses it/);
    expect((await call(env.app, 'DELETE', `/api/record/checks/${trust.body.id}`, { headers: h })).status).toBe(204);
    expect((await call(env.app, 'DELETE', `/api/record/checks/${own.body.id}`, { headers: h })).status).toBe(204);
    expect(await audits(t.tenantId, 'record.check.deleted')).toHaveLength(2);
  });

  it('a trust-wide check named with an organisation is a 400 organisation_not_allowed on organisationId (it was dropped without a word), and nothing is added', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org } = await recordTenant(env, t);
    const names = async () => ((await call(env.app, 'GET', '/api/record/checks', { headers: h })).body.items as Array<{ name: string }>).map((c) => c.name);
    const before = await names();
    const r = await call(env.app, 'POST', '/api/record/checks', { headers: h, body: { scope: 'tenant', organisationId: org.id, section: 'Trust', name: 'Trust lanyard', type: 'yesno' } });
    expect([r.status, r.body.error?.code, r.body.error?.field]).toEqual([400, 'organisation_not_allowed', 'organisationId']);
    expect(await names()).toEqual(before);
    expect(await audits(t.tenantId, 'record.check.created')).toHaveLength(0);
    // Without it, the same check is added, trust-wide.
    const ok = await call(env.app, 'POST', '/api/record/checks', { headers: h, body: { scope: 'tenant', section: 'Trust', name: 'Trust lanyard', type: 'yesno' } });
    expect([ok.status, ok.body.organisationId ?? null]).toEqual([201, null]);
  });

  it('rating systems: change rules per profile type; unknown check in a rule is 400', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    await recordTenant(env, t);
    const systems = (await call(env.app, 'GET', '/api/record/rating-systems', { headers: h })).body.items;
    const bad = await call(env.app, 'PATCH', `/api/record/rating-systems/${systems[1].id}`, { headers: h, body: { rules: { volunteer: { require: ['nope'] } } } });
    expect([bad.status, bad.body.error.field]).toEqual([400, 'rules.volunteer.require']);
    const ok = await call(env.app, 'PATCH', `/api/record/rating-systems/${systems[1].id}`, { headers: h, body: { rules: { volunteer: { require: ['identity'] } }, readyColour: '#00aa00' } });
    expect(ok.body.rules).toEqual({ volunteer: { require: ['identity'] } });
    // Inspector ready (the statutory standard) may add checks to a profile type, never leave a statutory one out.
    const inspector = systems.find((s: { key: string }) => s.key === 'inspector_ready');
    const narrowed = await call(env.app, 'PATCH', `/api/record/rating-systems/${inspector.id}`, { headers: h, body: { rules: { teaching: { require: ['identity'] } } } });
    expect([narrowed.status, narrowed.body.error.code, narrowed.body.error.field]).toEqual([400, 'statutory_check_required', 'rules.teaching.require']);
    expect((await call(env.app, 'GET', '/api/record/rating-systems', { headers: h })).body.items.find((s: { key: string }) => s.key === 'inspector_ready').rules).toEqual({});
    const statutoryForVolunteers = (await call(env.app, 'GET', '/api/record/checks', { headers: h })).body.items
      .filter((c: { requirement: string; appliesTo: string[] }) => c.requirement === 'statutory' && (c.appliesTo.length === 0 || c.appliesTo.includes('volunteer')))
      .map((c: { key: string }) => c.key);
    const widened = await call(env.app, 'PATCH', `/api/record/rating-systems/${inspector.id}`, { headers: h, body: { rules: { volunteer: { require: [...statutoryForVolunteers, 'references'] } } } });
    expect(widened.status).toBe(200);
    expect((await call(env.app, 'PATCH', `/api/record/rating-systems/${inspector.id}`, { headers: h, body: { rules: { volunteer: { require: 'all' } } } })).status).toBe(200);
    const fields = await call(env.app, 'GET', '/api/record/fields', { headers: h });
    expect(fields.body.items.map((f: { field: string }) => f.field)).toContain('check.barred_list');
  });
});

describe('record mandatory rating systems', () => {
  it('a mandatory system cannot be switched off; a profile is ready overall when every mandatory system is, and the list filters on it', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const r = await recordTenant(env, t);
    const systems = (await call(env.app, 'GET', '/api/record/rating-systems', { headers: h })).body.items;
    const inspector = systems.find((s: { key: string }) => s.key === 'inspector_ready');
    expect(inspector.mandatory).toBe(true);
    const off = await call(env.app, 'PATCH', `/api/record/rating-systems/${inspector.id}`, { headers: h, body: { enabled: false } });
    expect([off.status, off.body.error.code, off.body.error.field]).toEqual([400, 'mandatory_rating_system', 'enabled']);
    const made = await call(env.app, 'POST', '/api/record/rating-systems', { headers: h, body: { name: 'Off and mandatory', mandatory: true, enabled: false } });
    expect(made.status).toBe(400);
    expect((await call(env.app, 'GET', '/api/record/rating-systems', { headers: h })).body.items.find((s: { key: string }) => s.key === 'inspector_ready').enabled).toBe(true);

    const profile = (body: Record<string, unknown>) =>
      call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: r.org.id, profileTypeId: r.typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace', ...body } });
    const ready = await profile({ lastName: 'Ready', checks: FULL_TEACHER_CHECKS, facts: TEACHER_FACTS });
    const notReady = await profile({ lastName: 'Missing' });
    // Inspector ready (mandatory) met, School ready (not mandatory) not: ready overall.
    expect([ready.body.ready, ready.body.ratings.map((x: { key: string; mandatory: boolean; ready: boolean }) => [x.key, x.mandatory, x.ready])]).toEqual([true, [['inspector_ready', true, true], ['school_ready', false, false]]]);
    expect(notReady.body.ready).toBe(false);
    const names = async (ready: string) => (await call(env.app, 'GET', `/api/record/profiles?ready=${ready}`, { headers: h })).body.items.map((p: { lastName: string; ready: boolean }) => [p.lastName, p.ready]);
    expect(await names('true')).toEqual([['Ready', true]]);
    expect(await names('false')).toEqual([['Missing', false]]);
    // School ready made mandatory too: nobody is ready overall.
    const school = systems.find((s: { key: string }) => s.key === 'school_ready');
    expect((await call(env.app, 'PATCH', `/api/record/rating-systems/${school.id}`, { headers: h, body: { mandatory: true } })).status).toBe(200);
    expect(await names('true')).toEqual([]);
  });
});

describe('record OpenAPI', () => {
  it('documents the record routes, recursive conditions included', async () => {
    const res = await call(env.app, 'GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/record/checks', '/api/record/profiles/{id}', '/api/record/export', '/api/record/import']));
  });
});

describe('record setup: empty changes', () => {
  it('PATCH with {} or only unknown fields is a 400 naming the body, never a 500, on every setup resource', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org, typeId } = await recordTenant(env, t);
    const checkId = (await call(env.app, 'GET', '/api/record/checks', { headers: h })).body.items[0].id;
    const systemId = (await call(env.app, 'GET', '/api/record/rating-systems', { headers: h })).body.items[0].id;
    const urls = [`/api/record/organisations/${org.id}`, `/api/record/profile-types/${typeId('teaching')}`, `/api/record/checks/${checkId}`, `/api/record/rating-systems/${systemId}`];
    for (const url of urls) {
      for (const body of [{}, { nothing: 1 }]) {
        const res = await call(env.app, 'PATCH', url, { headers: h, body });
        expect(res.status, url).toBe(400);
        expect(res.body.error.code, url).toBe('validation_failed');
        expect(res.body.error.field, url).toBe('body');
        expect(res.body.error.message, url).toMatch(/at least one field/);
      }
    }
  });
});
