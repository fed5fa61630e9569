import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { FULL_TEACHER_CHECKS, TEACHER_FACTS, recordTenant } from '../../../../test/record-fixtures.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { recordProfiles } from '../record.tables.js';

const env = useTestEnv();
const audits = async (tenantId: string, action: string) =>
  env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, action)));

async function setup() {
  const t = await createTestTenant(env, { kind: 'trust' });
  const r = await recordTenant(env, t, [{ name: 'Northgate Primary', type: 'maintained' }]);
  const create = (body: Record<string, unknown>, headers = t.owner.headers) =>
    call(env.app, 'POST', '/api/record/profiles', { headers, body: { organisationId: r.org.id, profileTypeId: r.typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace', role: 'Class teacher', ...body } });
  return { t, ...r, h: t.owner.headers, create };
}

const rating = (body: Record<string, any>, key: string) => body.ratings.find((r: { key: string }) => r.key === key);

describe('record profiles', () => {
  it('401 without credentials, 403 for a viewer writing, 404 for another tenant’s profile', async () => {
    const { t, create } = await setup();
    const made = await create({});
    expect(made.status).toBe(201);
    expect((await call(env.app, 'GET', `/api/record/profiles/${made.body.id}`)).status).toBe(401);
    const viewer = await t.as('viewer');
    expect((await create({}, viewer.headers)).status).toBe(403);
    expect((await call(env.app, 'PATCH', `/api/record/profiles/${made.body.id}`, { headers: viewer.headers, body: { version: 1, role: 'x' } })).status).toBe(403);
    expect((await call(env.app, 'GET', `/api/record/profiles/${made.body.id}`, { headers: viewer.headers })).status).toBe(200);
    const other = await createTestTenant(env);
    for (const [m, u] of [['GET', ''], ['GET', '/history'], ['GET', '/export'], ['DELETE', '']] as const) {
      expect((await call(env.app, m, `/api/record/profiles/${made.body.id}${u}`, { headers: other.owner.headers })).status).toBe(404);
    }
  });

  it('records checks until Inspector ready, with who recorded them, the evidence and the history; audited', async () => {
    const { t, h, create } = await setup();
    const made = await create({ checks: { identity: { value: '2024-09-01', evidence: 'Passport and utility bill' } } });
    expect(made.status).toBe(201);
    expect(rating(made.body, 'inspector_ready').ready).toBe(false);
    expect(rating(made.body, 'inspector_ready').problems.map((p: { message: string }) => p.message)).toContain('Enhanced DBS missing');
    const identity = made.body.checks.find((c: { key: string }) => c.key === 'identity');
    expect(identity).toMatchObject({ value: '2024-09-01', evidence: 'Passport and utility bill', recordedBy: t.owner.email, state: 'ok' });

    const done = await call(env.app, 'PATCH', `/api/record/profiles/${made.body.id}`, { headers: h, body: { version: 1, role: 'Head of Year 6', checks: FULL_TEACHER_CHECKS, facts: TEACHER_FACTS } });
    expect(done.status).toBe(200);
    expect(done.body.version).toBe(2);
    expect(rating(done.body, 'inspector_ready')).toMatchObject({ ready: true, problems: [], colour: '#2f9e44' });
    expect(rating(done.body, 'school_ready').ready).toBe(false);

    const hist = await call(env.app, 'GET', `/api/record/profiles/${made.body.id}/history`, { headers: h });
    const rows = hist.body.items.map((x: { field: string; before: string | null; after: string | null; version: number }) => [x.version, x.field, x.before, x.after]);
    expect(rows).toContainEqual([2, 'Role', 'Class teacher', 'Head of Year 6']);
    expect(rows).toContainEqual([2, 'Enhanced DBS', null, '20/08/2024 (Certificate number 001234567890)']);
    expect(rows).toContainEqual([1, 'Identity check', null, '01/09/2024']);
    expect(hist.body.items[0].actor).toBe(t.owner.email);
    expect(await audits(t.tenantId, 'record.profile.updated')).toHaveLength(1);

    const ratings = await call(env.app, 'GET', `/api/record/profiles/${made.body.id}/ratings`, { headers: h });
    expect(ratings.body.items.map((r: { name: string; ready: boolean }) => [r.name, r.ready])).toEqual([['Inspector ready', true], ['School ready', false]]);
    const list = await call(env.app, 'GET', `/api/record/profiles?ratingSystem=inspector_ready&ready=true`, { headers: h });
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([made.body.id]);
  });

  it('bad check values: 400 naming the field and the reason; nothing saved', async () => {
    const { t, create } = await setup();
    const wrongType = await create({ checks: { agency_dbs_provided: { value: 'maybe' } } });
    expect([wrongType.status, wrongType.body.error.field]).toEqual([400, 'checks.agency_dbs_provided']);
    const wrongFact = await create({ facts: { lived_abroad: 'maybe' } });
    expect([wrongFact.status, wrongFact.body.error.field]).toEqual([400, 'facts.lived_abroad']);
    expect(wrongFact.body.error.message).toMatch(/Lived or worked outside the UK is yes or no/);
    const unknownFact = await create({ facts: { shoe_size: true } });
    expect([unknownFact.status, unknownFact.body.error.field]).toEqual([400, 'facts.shoe_size']);
    const future = await create({ checks: { identity: { value: '2999-01-01' } } });
    expect([future.status, future.body.error.field]).toEqual([400, 'checks.identity']);
    expect(future.body.error.message).toMatch(/cannot be in the future/);
    const impossible = await create({ checks: { identity: { value: '2024-02-30' } } });
    expect(impossible.body.error.message).toMatch(/real date/);
    const unknown = await create({ checks: { shoe_size: { value: '9' } } });
    expect([unknown.status, unknown.body.error.field]).toEqual([400, 'checks.shoe_size']);
    const dob = await create({ dateOfBirth: '2999-01-01' });
    expect([dob.status, dob.body.error.field]).toEqual([400, 'dateOfBirth']);
    const rows = await env.platform.db.select().from(recordProfiles).where(eq(recordProfiles.tenantId, t.tenantId));
    expect(rows).toHaveLength(0);
  });

  it('a leaving date before the start date is 400 naming leavingDate, on create and on edit; nothing saved', async () => {
    const { h, create } = await setup();
    const bad = await create({ startDate: '2024-09-01', leavingDate: '2024-08-31' });
    expect([bad.status, bad.body.error.code, bad.body.error.field]).toEqual([400, 'validation_failed', 'leavingDate']);
    expect(JSON.stringify(bad.body.error)).toContain('cannot be before the start date (01/09/2024)');
    const made = await create({ startDate: '2024-09-01' });
    const edit = await call(env.app, 'PATCH', `/api/record/profiles/${made.body.id}`, { headers: h, body: { version: made.body.version, leavingDate: '2024-01-01' } });
    expect(edit.status).toBe(400);
    expect((await call(env.app, 'GET', `/api/record/profiles/${made.body.id}`, { headers: h })).body).toMatchObject({ leavingDate: null, version: made.body.version });
    const archived = await call(env.app, 'POST', `/api/record/profiles/${made.body.id}/archive`, { headers: h, body: { version: made.body.version, leavingDate: '2024-08-01' } });
    expect([archived.status, archived.body.error.field]).toEqual([400, 'leavingDate']);
    const ok = await call(env.app, 'PATCH', `/api/record/profiles/${made.body.id}`, { headers: h, body: { version: made.body.version, leavingDate: '2025-07-18' } });
    expect(ok.status).toBe(200);
  });

  it('refuses a barred list check outside regulated activity, with the legal reason', async () => {
    const { typeId, create } = await setup();
    const supervised = await create({ profileTypeId: typeId('volunteer'), facts: { volunteer_supervised: true, regulated_activity: true }, checks: { barred_list: { value: '2025-01-10' } } });
    expect([supervised.status, supervised.body.error.code, supervised.body.error.field]).toEqual([400, 'check_not_allowed', 'checks.barred_list']);
    expect(supervised.body.error.message).toMatch(/only allowed for someone in regulated activity/);
    const governor = await create({ profileTypeId: typeId('governor'), facts: { regulated_activity: false }, checks: { barred_list: { value: '2025-01-10' } } });
    expect(governor.status).toBe(400);
    const contractor = await create({ profileTypeId: typeId('contractor'), checks: { barred_list: { value: '2025-01-10' } } });
    expect(contractor.status).toBe(400);
    const unsupervised = await create({ profileTypeId: typeId('volunteer'), facts: { volunteer_supervised: false, regulated_activity: true }, checks: { barred_list: { value: '2025-01-10' } } });
    expect(unsupervised.status).toBe(201);
  });

  it('a volunteer whose facts are not answered: the barred list shows as missing, and recording it is refused saying which facts to answer first', async () => {
    const { h, typeId, create } = await setup();
    const made = await create({ profileTypeId: typeId('volunteer') });
    expect(made.status).toBe(201);
    expect(made.body.checks.find((c: { key: string }) => c.key === 'barred_list')).toMatchObject({ applies: true, state: 'missing' });
    const url = `/api/record/profiles/${made.body.id}`;
    const refused = await call(env.app, 'PATCH', url, { headers: h, body: { version: made.body.version, checks: { barred_list: { value: '2025-01-10' } } } });
    expect([refused.status, refused.body.error.code, refused.body.error.field]).toEqual([400, 'check_not_allowed', 'checks.barred_list']);
    expect(refused.body.error.message).toMatch(/^Children's barred list: answer “In regulated activity” and “Supervised” under About the post first\. A children's barred list check is only allowed/);
    // Answered (in regulated activity, not supervised), the same check is recorded.
    const answered = await call(env.app, 'PATCH', url, { headers: h, body: { version: made.body.version, facts: { regulated_activity: true, volunteer_supervised: false }, checks: { barred_list: { value: '2025-01-10' } } } });
    expect(answered.status).toBe(200);
    // A supervised volunteer (answered) is refused with the reason alone: nothing to answer.
    const supervised = await create({ profileTypeId: typeId('volunteer'), facts: { volunteer_supervised: true, regulated_activity: true }, checks: { barred_list: { value: '2025-01-10' } } });
    expect(supervised.body.error.message).toMatch(/^Children's barred list: A children's barred list check is only allowed/);
  });

  it('a barred list check recorded lawfully stays on record when the volunteer later becomes supervised; it no longer applies and cannot be re-recorded', async () => {
    const { h, typeId, create } = await setup();
    const made = await create({ profileTypeId: typeId('volunteer'), facts: { volunteer_supervised: false, regulated_activity: true }, checks: { barred_list: { value: '2025-01-10' } } });
    expect(made.status).toBe(201);
    const url = `/api/record/profiles/${made.body.id}`;
    // The fact changes: recording the truth is never refused.
    const supervised = await call(env.app, 'PATCH', url, { headers: h, body: { version: made.body.version, facts: { volunteer_supervised: true } } });
    expect(supervised.status).toBe(200);
    const barred = supervised.body.checks.find((c: { key: string }) => c.key === 'barred_list');
    expect(barred).toMatchObject({ applies: false, state: null, value: '2025-01-10' });
    // It no longer counts against (or towards) any rating.
    for (const r of supervised.body.ratings) expect(r.problems.map((p: { checkKey: string }) => p.checkKey)).not.toContain('barred_list');
    // A new barred list check for someone now supervised is refused; clearing the old one is allowed.
    const again = await call(env.app, 'PATCH', url, { headers: h, body: { version: supervised.body.version, checks: { barred_list: { value: '2025-02-01' } } } });
    expect([again.status, again.body.error.code]).toEqual([400, 'check_not_allowed']);
    const cleared = await call(env.app, 'PATCH', url, { headers: h, body: { version: supervised.body.version, checks: { barred_list: null } } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.checks.find((c: { key: string }) => c.key === 'barred_list')).toBeUndefined();
    const hist = (await call(env.app, 'GET', `${url}/history`, { headers: h })).body.items;
    expect(hist).toEqual(expect.arrayContaining([expect.objectContaining({ field: "Children's barred list", before: '10/01/2025', after: null })]));
  });

  it('the second of two concurrent edits gets 409 version_conflict with what changed; nothing overwritten', async () => {
    const { t, h, create } = await setup();
    const made = await create({});
    const manager = await t.as('manager');
    const first = await call(env.app, 'PATCH', `/api/record/profiles/${made.body.id}`, { headers: manager.headers, body: { version: 1, role: 'Deputy head' } });
    expect(first.status).toBe(200);
    const second = await call(env.app, 'PATCH', `/api/record/profiles/${made.body.id}`, { headers: h, body: { version: 1, role: 'Cleaner' } });
    expect([second.status, second.body.error.code, second.body.error.currentVersion]).toEqual([409, 'version_conflict', 2]);
    expect(second.body.error.changes).toEqual([expect.objectContaining({ field: 'Role', before: 'Class teacher', after: 'Deputy head', actor: manager.email })]);
    expect(second.body.error.message).toContain(manager.email);
    const now = await call(env.app, 'GET', `/api/record/profiles/${made.body.id}`, { headers: h });
    expect(now.body.role).toBe('Deputy head');
  });

  it('archives leavers; lists due deletions for approval, never silently; exports and erases a person (audited)', async () => {
    const { t, h, create } = await setup();
    const made = await create({ checks: { identity: { value: '2015-09-01' } } });
    const archived = await call(env.app, 'POST', `/api/record/profiles/${made.body.id}/archive`, { headers: h, body: { version: 1, leavingDate: '2018-07-31' } });
    expect([archived.status, archived.body.status]).toEqual([200, 'archived']);
    expect((await call(env.app, 'GET', '/api/record/profiles', { headers: h })).body.total).toBe(0);
    expect((await call(env.app, 'GET', '/api/record/profiles?status=archived', { headers: h })).body.total).toBe(1);
    const due = await call(env.app, 'GET', '/api/record/retention', { headers: h });
    expect(due.body.items).toEqual([expect.objectContaining({ id: made.body.id, dueOn: '2024-07-31', leavingDate: '2018-07-31' })]);
    // Nothing is deleted until approved.
    expect((await call(env.app, 'GET', `/api/record/profiles/${made.body.id}`, { headers: h })).status).toBe(200);
    const fresh = await create({ firstName: 'Fresh' });
    const notDue = await call(env.app, 'POST', `/api/record/retention/${fresh.body.id}/approve`, { headers: h });
    expect([notDue.status, notDue.body.error.code]).toEqual([409, 'retention_not_due']);
    expect((await call(env.app, 'POST', `/api/record/retention/${made.body.id}/approve`, { headers: (await t.as('manager')).headers })).status).toBe(403);
    expect((await call(env.app, 'POST', `/api/record/retention/${made.body.id}/approve`, { headers: h })).status).toBe(204);
    expect(await audits(t.tenantId, 'record.profile.retention_deleted')).toHaveLength(1);

    const exported = await call(env.app, 'GET', `/api/record/profiles/${fresh.body.id}/export`, { headers: h });
    expect(exported.status).toBe(200);
    expect(exported.headers['content-disposition']).toMatch(/attachment; filename="personal-data-Lovelace-Fresh.json"/);
    expect(exported.body.profile.firstName).toBe('Fresh');
    expect(exported.body.history[0].field).toBe('Profile');
    expect(await audits(t.tenantId, 'record.profile.exported')).toHaveLength(1);
    expect((await call(env.app, 'DELETE', `/api/record/profiles/${fresh.body.id}`, { headers: h })).status).toBe(204);
    expect((await call(env.app, 'GET', `/api/record/profiles/${fresh.body.id}`, { headers: h })).status).toBe(404);
    const erased = await audits(t.tenantId, 'record.profile.erased');
    expect(erased).toHaveLength(1);
    expect(JSON.stringify(erased[0])).not.toContain('Fresh');
    // Earlier audit rows about the person keep who did what and when, but not their name.
    const about = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.targetId, fresh.body.id)));
    expect(about.length).toBeGreaterThan(2);
    expect(about.map((a) => a.action)).toEqual(expect.arrayContaining(['record.profile.exported', 'record.profile.erased']));
    expect(JSON.stringify(about)).not.toContain('Fresh');
  });

  it('filters the list by a condition; an unknown field in it is 400 naming it', async () => {
    const { h, create } = await setup();
    await create({ firstName: 'Ann', role: 'Teaching assistant' });
    await create({ firstName: 'Bob', role: 'Head teacher' });
    const cond = (c: unknown) => `/api/record/profiles?condition=${encodeURIComponent(JSON.stringify(c))}`;
    const heads = await call(env.app, 'GET', cond({ op: 'and', conditions: [{ field: 'profile.role', operator: 'starts_with', value: 'head' }] }), { headers: h });
    expect(heads.body.items.map((p: { firstName: string }) => p.firstName)).toEqual(['Bob']);
    const bad = await call(env.app, 'GET', cond({ op: 'and', conditions: [{ field: 'profile.hat', operator: 'is_empty' }] }), { headers: h });
    expect([bad.status, bad.body.error.field]).toEqual([400, 'profile.hat']);
  });

  it('a manager scoped to one organisation at administer level erases there (record.manage by scope), not elsewhere; an unscoped manager cannot', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { orgs, typeId } = await recordTenant(env, t, [{ name: 'A', type: 'maintained' }, { name: 'B', type: 'academy' }]);
    const make = async (org: { id: string }) => (await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { organisationId: org.id, profileTypeId: typeId('support'), firstName: 'Eve', lastName: 'Erased' } })).body.id as string;
    const inA = await make(orgs[0]!);
    const inB = await make(orgs[1]!);
    const scoped = await t.as('manager');
    await env.platform.database.query(`INSERT INTO user_scopes (tenant_id, user_id, kind, ref_id, level) VALUES ($1, $2, 'organisation', $3, 'administer')`, [t.tenantId, scoped.id, orgs[0]!.id]);
    const stranger = (await createTestTenant(env)).owner;
    expect((await call(env.app, 'DELETE', `/api/record/profiles/${inB}`, { headers: scoped.headers })).status).toBe(404);
    expect((await call(env.app, 'DELETE', `/api/record/profiles/${inA}`, { headers: stranger.headers })).status).toBe(404);
    const plain = await createTestTenant(env, { kind: 'trust' });
    const { org: plainOrg, typeId: plainType } = await recordTenant(env, plain);
    const plainProfile = await call(env.app, 'POST', '/api/record/profiles', { headers: plain.owner.headers, body: { organisationId: plainOrg.id, profileTypeId: plainType('support'), firstName: 'Ian', lastName: 'Intact' } });
    expect((await call(env.app, 'DELETE', `/api/record/profiles/${plainProfile.body.id}`, { headers: (await plain.as('manager')).headers })).status).toBe(403);
    expect((await call(env.app, 'DELETE', `/api/record/profiles/${inA}`, { headers: scoped.headers })).status).toBe(204);
  });

  it('a viewer scoped to one organisation at edit level edits there and cannot reach the other', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { orgs, typeId } = await recordTenant(env, t, [{ name: 'A', type: 'maintained' }, { name: 'B', type: 'academy' }]);
    const viewer = await t.as('viewer');
    await env.platform.database.query(`INSERT INTO user_scopes (tenant_id, user_id, kind, ref_id, level) VALUES ($1, $2, 'organisation', $3, 'edit')`, [t.tenantId, viewer.id, orgs[0]!.id]);
    const body = (org: { id: string }) => ({ organisationId: org.id, profileTypeId: typeId('support'), firstName: 'Sam', lastName: 'Scoped' });
    expect((await call(env.app, 'POST', '/api/record/profiles', { headers: viewer.headers, body: body(orgs[0]!) })).status).toBe(201);
    expect((await call(env.app, 'POST', '/api/record/profiles', { headers: viewer.headers, body: body(orgs[1]!) })).status).toBe(404);
    const inB = await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: body(orgs[1]!) });
    expect((await call(env.app, 'GET', `/api/record/profiles/${inB.body.id}`, { headers: viewer.headers })).status).toBe(404);
    expect((await call(env.app, 'GET', '/api/record/profiles', { headers: viewer.headers })).body.total).toBe(1);
    const d = await call(env.app, 'GET', '/api/record/dashboard', { headers: viewer.headers });
    expect(d.body.organisations.map((o: { name: string }) => o.name)).toEqual(['A']);
  });
});
