import { and, eq } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it, vi } from 'vitest';
import { useTestEnv, withoutBackgroundWrites } from '../../../test/harness.js';
import { call, createTestTenant } from '../../../test/factories.js';
import { makeSite, pairKiosk } from '../../../test/signin-factories.js';
import { auditLog } from '../../platform/audit/audit.tables.js';
import { notifications } from '../../platform/notifications/notifications.tables.js';
import { createRecordPort } from '../record/index.js';
import { readGroupOptions as readOptions } from '../signin/index.js';
import { createRecordReadiness, createRecordSafetyCheck, type RecordReadinessOf } from './safety/record-check.js';
import { integrationTenant } from './test/integration.testkit.js';

const statements: string[] = [];
const env = useTestEnv({ onStatement: (text) => statements.push(text) });
/** The record check's readiness as the composition root builds it (the port and its reads prepared on this database). */
let built: RecordReadinessOf | undefined;
const recordReadiness: RecordReadinessOf = (...args) => (built ??= createRecordReadiness(createRecordPort({ db: env.platform.db }), env.platform.db))(...args);

async function auditActions(tenantId: string, action: string) {
  return env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, action)));
}

describe('link groups to organisations', () => {
  it('401 without credentials, 403 for a viewer, 404 for another tenant’s group', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    const url = `/api/integration/groups/${staff.id}/link`;
    expect((await call(env.app, 'PUT', url, { body: { organisationId: x.rec.org.id } })).status).toBe(401);
    const viewer = await x.t.as('viewer');
    expect((await call(env.app, 'PUT', url, { headers: viewer.headers, body: { organisationId: x.rec.org.id } })).status).toBe(403);
    const other = await createTestTenant(env);
    expect((await call(env.app, 'PUT', url, { headers: other.owner.headers, body: { organisationId: x.rec.org.id } })).status).toBe(404);
    expect((await call(env.app, 'GET', url, { headers: other.owner.headers })).status).toBe(404);
  });

  it('links a repeat group (audited, owner notified); a standard group is refused with the reason', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    const visitors = await x.group({ name: 'Visitors', type: 'standard' });
    const admin = await x.t.as('admin');
    const ok = await call(env.app, 'PUT', `/api/integration/groups/${staff.id}/link`, { headers: admin.headers, body: { organisationId: x.rec.org.id } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ groupId: staff.id, organisationId: x.rec.org.id, ratingMode: 'all', organisationName: x.rec.org.name });
    expect(await auditActions(x.t.tenantId, 'integration.group_linked')).toHaveLength(1);
    const inbox = await env.platform.db.select().from(notifications).where(eq(notifications.userId, x.t.owner.id));
    expect(inbox.some((n) => n.title.includes('linked'))).toBe(true);

    const refused = await call(env.app, 'PUT', `/api/integration/groups/${visitors.id}/link`, { headers: admin.headers, body: { organisationId: x.rec.org.id } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('standard_group');
    expect(refused.body.error.message).toMatch(/Standard groups cannot be linked/);
    const tab = await call(env.app, 'GET', `/api/integration/groups/${visitors.id}/link`, { headers: admin.headers });
    expect(tab.body.group).toMatchObject({ linkable: false });
    expect(tab.body.group.reason).toMatch(/Standard groups/);

    const other = await createTestTenant(env);
    const foreignOrg = await call(env.app, 'PUT', `/api/integration/groups/${staff.id}/link`, { headers: admin.headers, body: { organisationId: other.tenantId } });
    expect(foreignOrg.status).toBe(404);

    const unlinked = await call(env.app, 'DELETE', `/api/integration/groups/${staff.id}/link`, { headers: admin.headers });
    expect(unlinked.status).toBe(204);
    expect(await auditActions(x.t.tenantId, 'integration.group_unlinked')).toHaveLength(1);
  });

  it('selected rating systems must exist and be at least one', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat' });
    const bad = await call(env.app, 'PUT', `/api/integration/groups/${staff.id}/link`, { headers: x.h, body: { organisationId: x.rec.org.id, ratingMode: 'selected', ratingSystemIds: [] } });
    expect(bad.status).toBe(400);
    const systems = (await call(env.app, 'GET', '/api/record/rating-systems', { headers: x.h })).body.items as Array<{ id: string; key: string }>;
    const good = await x.link(staff.id, { ratingMode: 'selected', ratingSystemIds: [systems[0]!.id] });
    expect(good.ratingSystemIds).toEqual([systems[0]!.id]);
  });
});

describe('profile type map', () => {
  it('rejects an unknown field (400) and previews first-match counts with the staff default and the unmapped', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    const contractors = await x.group({ name: 'Contractors', type: 'repeat' });
    const visitorsRepeat = await x.group({ name: 'Parents', type: 'repeat' });
    await x.link(staff.id);
    await x.link(contractors.id);
    await x.link(visitorsRepeat.id);
    await x.member(staff.id, { fullName: 'Tina Teacher', role: 'Class Teacher' });
    await x.member(staff.id, { fullName: 'Sam Support', role: 'Teaching Assistant' });
    await x.member(staff.id, { fullName: 'Ola Office', role: 'Office Manager' });
    await x.member(contractors.id, { fullName: 'Carl Contractor', role: 'Electrician' });
    await x.member(visitorsRepeat.id, { fullName: 'Pat Parent', role: '' });

    const unknown = await call(env.app, 'PUT', '/api/integration/type-map', {
      headers: x.h,
      body: { rules: [{ profileTypeId: x.rec.typeId('support'), condition: { op: 'and', conditions: [{ field: 'member.shoe_size', operator: 'equals', value: '9' }] } }] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/Unknown field "member.shoe_size"/);

    const rules = [
      // Support Staff: group is Staff AND role does not contain "teacher" (the seed's example).
      { profileTypeId: x.rec.typeId('support'), condition: { op: 'and', conditions: [{ field: 'member.group', operator: 'equals', value: 'Staff' }, { field: 'member.role', operator: 'not_contains', value: 'teacher' }] } },
      { profileTypeId: x.rec.typeId('contractor'), condition: { op: 'and', conditions: [{ field: 'member.group', operator: 'equals', value: contractors.id }] } },
    ];
    const viewer = await x.t.as('viewer');
    expect((await call(env.app, 'PUT', '/api/integration/type-map', { headers: viewer.headers, body: { rules } })).status).toBe(403);
    const saved = await call(env.app, 'PUT', '/api/integration/type-map', { headers: x.h, body: { rules } });
    expect(saved.status).toBe(200);
    expect(saved.body.rules.map((r: { profileTypeId: string }) => r.profileTypeId)).toEqual([x.rec.typeId('support'), x.rec.typeId('contractor')]);
    expect(await auditActions(x.t.tenantId, 'integration.type_map_saved')).toHaveLength(1);

    const preview = await call(env.app, 'POST', '/api/integration/type-map/preview', { headers: x.h, body: {} });
    expect(preview.status).toBe(200);
    expect(preview.body.members).toBe(5);
    expect(preview.body.rules.map((r: { count: number }) => r.count)).toEqual([2, 1]); // Sam and Ola are support; Carl a contractor
    expect(preview.body.teachingStaffDefault).toBe(1); // Tina
    expect(preview.body.unmapped.map((u: { fullName: string }) => u.fullName)).toEqual(['Pat Parent']);
  });

  it('refuses a group condition naming an unknown group id (400 with the field), on save and on a draft preview; a name is still matched as text', async () => {
    const x = await integrationTenant(env);
    const y = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    const theirs = await y.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    const rule = (value: string) => ({
      profileTypeId: x.rec.typeId('support'),
      condition: { op: 'and', conditions: [{ field: 'member.role', operator: 'is_not_empty' }, { op: 'or', conditions: [{ field: 'member.group', operator: 'equals', value }] }] },
    });
    const field = 'rules.1.condition.conditions.1.conditions.0.value';
    for (const value of ['00000000-0000-4000-8000-000000000000', theirs.id]) {
      const saved = await call(env.app, 'PUT', '/api/integration/type-map', { headers: x.h, body: { rules: [rule(staff.id), { ...rule(value), profileTypeId: x.rec.typeId('contractor') }] } });
      expect([saved.status, saved.body.error?.code, saved.body.error?.field]).toEqual([400, 'unknown_group', field]);
      const preview = await call(env.app, 'POST', '/api/integration/type-map/preview', { headers: x.h, body: { rules: [rule(staff.id), { ...rule(value), profileTypeId: x.rec.typeId('contractor') }] } });
      expect([preview.status, preview.body.error?.code, preview.body.error?.field]).toEqual([400, 'unknown_group', field]);
    }
    expect(await auditActions(x.t.tenantId, 'integration.type_map_saved')).toHaveLength(0);
    const ok = await call(env.app, 'PUT', '/api/integration/type-map', { headers: x.h, body: { rules: [rule(staff.id.toUpperCase()), { ...rule('Staff'), profileTypeId: x.rec.typeId('contractor') }] } });
    expect(ok.status).toBe(200);
  });

  it('maps members of a SCIM group by IdP department', async () => {
    const x = await integrationTenant(env);
    const scim = await x.group({ name: 'Entra staff', type: 'scim' });
    await x.link(scim.id);
    await x.member(scim.id, { fullName: 'Gina Governor', email: 'gina@x.test' }, 'scim', { department: 'Governance' });
    const draft = [{ profileTypeId: x.rec.typeId('governor'), condition: { op: 'and', conditions: [{ field: 'scim.department', operator: 'equals', value: 'governance' }] } }];
    const preview = await call(env.app, 'POST', '/api/integration/type-map/preview', { headers: x.h, body: { rules: draft } });
    expect(preview.body.rules[0].count).toBe(1);
  });
});

describe('another tenant’s ids in bodies', () => {
  it('are named (404 with the field), not silently skipped: type-map preview, push profiles and profile types', async () => {
    const x = await integrationTenant(env);
    const y = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const mine = await x.profile({ firstName: 'Amy', lastName: 'Able' });
    const theirs = await y.profile({ firstName: 'Yan', lastName: 'Other' });
    const cond = { op: 'and', conditions: [{ field: 'member.role', operator: 'equals', value: 'x' }] };
    const preview = await call(env.app, 'POST', '/api/integration/type-map/preview', { headers: x.h, body: { rules: [{ profileTypeId: x.rec.typeId('support'), condition: cond }, { profileTypeId: y.rec.typeId('support'), condition: cond }] } });
    expect([preview.status, preview.body.error?.field]).toEqual([404, 'rules.1.profileTypeId']);
    const push = await call(env.app, 'POST', '/api/integration/push', { headers: x.h, body: { groupId: staff.id, profileIds: [mine.id, theirs.id] } });
    expect([push.status, push.body.error?.field]).toEqual([404, 'profileIds.1']);
    const types = await call(env.app, 'POST', '/api/integration/push', { headers: x.h, body: { groupId: staff.id, profileTypeIds: [y.rec.typeId('teaching')] } });
    expect([types.status, types.body.error?.field]).toEqual([404, 'profileTypeIds.0']);
    expect(await x.run('/api/integration/push', { groupId: staff.id, profileIds: [mine.id] })).toMatchObject({ status: 'done', total: 1 });
  });
});

describe('import, merge, undo', () => {
  it('imports linked members as profiles, queues probable duplicates with the reason, and a rerun creates nothing twice', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const existing = await x.profile({ firstName: 'Dana', lastName: 'Dupe', email: 'dana@school.test' });
    const existingDob = await x.profile({ firstName: 'Nora', lastName: 'Name', dateOfBirth: '1980-01-02', email: 'other@school.test' });
    await x.member(staff.id, { fullName: 'Dana Dupe', email: 'DANA@school.test', role: 'Teacher' });
    await x.member(staff.id, { fullName: 'Nora Name', role: 'Teacher', customFields: { dateOfBirth: '1980-01-02' } });
    await x.member(staff.id, { fullName: 'Fresh Face', email: 'fresh@school.test', role: 'Teacher' });

    const other = await createTestTenant(env);
    expect((await call(env.app, 'POST', '/api/integration/import', { headers: other.owner.headers, body: { groupIds: [staff.id] } })).status).toBe(404);
    expect((await call(env.app, 'POST', '/api/integration/import', { body: {} })).status).toBe(401);

    const run = await x.run('/api/integration/import', {});
    expect(run).toMatchObject({ kind: 'import', status: 'done', total: 3, done: 3, created: 3, queued: 2, percent: 100 });
    const queue = await call(env.app, 'GET', '/api/integration/merge-queue', { headers: x.h });
    const reasons = queue.body.items.map((q: { reason: string }) => q.reason).sort();
    expect(reasons).toEqual(['same_email', 'same_name_dob']);
    const emailPair = queue.body.items.find((q: { reason: string }) => q.reason === 'same_email');
    expect([emailPair.a.id, emailPair.b.id]).toContain(existing.id);
    expect(queue.body.items.some((q: { a: { id: string }; b: { id: string } }) => [q.a.id, q.b.id].includes(existingDob.id))).toBe(true);

    const again = await x.run('/api/integration/import', {});
    expect(again).toMatchObject({ status: 'done', created: 0, skipped: 3 });
    const profiles = (await call(env.app, 'GET', `/api/record/profiles?organisationId=${x.rec.org.id}`, { headers: x.h })).body;
    expect(profiles.total ?? profiles.items.length).toBe(5);
  });

  it('counts an import’s skips per reason: already linked, excluded, no profile type matched (the runs list as before)', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    const contractors = await x.group({ name: 'Contractors', type: 'repeat' });
    await x.link(staff.id);
    await x.link(contractors.id);
    await x.member(staff.id, { fullName: 'Ex Cluded', role: 'Teacher' });
    await x.member(staff.id, { fullName: 'Al Ready', role: 'Teacher' });
    await x.member(staff.id, { fullName: 'Al So', role: 'Teacher' });
    await x.member(contractors.id, { fullName: 'Leo Fraser', role: 'Electrician' });

    const first = await x.run('/api/integration/import', {});
    expect(first).toMatchObject({ created: 3, skipped: 1, skippedBy: { already_linked: 0, excluded: 0, group_archived: 0, no_profile_type: 1 } });
    const profiles = (await call(env.app, 'GET', `/api/record/profiles?organisationId=${x.rec.org.id}`, { headers: x.h })).body.items as Array<{ id: string; firstName: string }>;
    const excluded = profiles.find((p) => p.firstName === 'Ex')!;
    expect((await call(env.app, 'DELETE', `/api/integration/profiles/${excluded.id}`, { headers: x.h })).status).toBe(200);

    const again = await x.run('/api/integration/import', {});
    expect(again).toMatchObject({ created: 0, skipped: 4, skippedBy: { already_linked: 2, excluded: 1, group_archived: 0, no_profile_type: 1 } });
    // The list of runs is as it was (its shape unchanged; the reasons are on the run itself).
    const list = (await call(env.app, 'GET', '/api/integration/runs', { headers: x.h })).body.items as Array<Record<string, unknown>>;
    expect(list.find((r) => r.id === again.id)).toMatchObject({ skipped: 4 });
    expect(list.find((r) => r.id === again.id)).not.toHaveProperty('skippedBy');
  });

  it('merges a pair keeping the link and every check, records history, and undo restores both while keeping later edits', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const old = await x.profile({ firstName: 'Dana', lastName: 'Dupe', email: 'dana@school.test', checks: { enhanced_dbs: { value: '2024-08-20', reference: '0012' } } });
    const member = await x.member(staff.id, { fullName: 'Dana Dupe', email: 'dana@school.test', role: 'Head of Year', phone: '0123' });
    await x.run('/api/integration/import', {});
    const q = (await call(env.app, 'GET', '/api/integration/merge-queue', { headers: x.h })).body.items[0];
    expect(q.reason).toBe('same_email');
    const side = await call(env.app, 'GET', `/api/integration/merge-queue/${q.id}`, { headers: x.h });
    expect(side.status).toBe(200);
    expect(side.body.kept.id).toBe(old.id); // it has the checks
    expect(side.body.defaults.role).toBe('merged'); // the kept one has no role: the more complete value wins
    const imported = side.body.merged.id as string;

    expect((await call(env.app, 'POST', '/api/integration/merges', { headers: x.h, body: { keptProfileId: old.id, mergedProfileId: old.id } })).status).toBe(400);
    const other = await integrationTenant(env);
    const foreign = await other.profile({ firstName: 'F', lastName: 'G' });
    expect((await call(env.app, 'POST', '/api/integration/merges', { headers: x.h, body: { keptProfileId: old.id, mergedProfileId: foreign.id } })).status).toBe(404);

    const merged = await call(env.app, 'POST', '/api/integration/merges', { headers: x.h, body: { keptProfileId: old.id, mergedProfileId: imported, queueId: q.id, choices: { phone: 'kept' } } });
    expect(merged.status).toBe(201);
    expect(await auditActions(x.t.tenantId, 'integration.profiles_merged')).toHaveLength(1);
    const keptNow = (await call(env.app, 'GET', `/api/record/profiles/${old.id}`, { headers: x.h })).body;
    expect(keptNow.role).toBe('Head of Year');
    expect(keptNow.phone ?? '').toBe('');
    const hist = (await call(env.app, 'GET', `/api/record/profiles/${old.id}/history`, { headers: x.h })).body;
    expect(JSON.stringify(hist)).toMatch(/Merged with/);
    const readiness = await recordReadiness(env.platform.db, x.t.tenantId, staff.id, member.id, '2025-01-01');
    expect(readiness).toMatchObject({ applies: false }); // the tenant setting is off
    await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    const linkedNow = await recordReadiness(env.platform.db, x.t.tenantId, staff.id, member.id, '2025-01-01');
    expect(linkedNow).toMatchObject({ applies: true, profileId: old.id }); // the link moved to the kept profile

    // An edit after the merge, then undo.
    await call(env.app, 'PATCH', `/api/record/profiles/${old.id}`, { headers: x.h, body: { version: keptNow.version, lastName: 'Dupe-Smith' } });
    const undo = await call(env.app, 'POST', `/api/integration/merges/${merged.body.id}/undo`, { headers: x.h });
    expect(undo.status).toBe(200);
    expect(undo.body.editsSince.some((e: { field: string }) => e.field === 'lastName')).toBe(true);
    const keptAfter = (await call(env.app, 'GET', `/api/record/profiles/${old.id}`, { headers: x.h })).body;
    expect(keptAfter.role ?? '').toBe(''); // the merge's value is gone
    expect(keptAfter.lastName).toBe('Dupe-Smith'); // the later edit stays
    const restored = (await call(env.app, 'GET', `/api/record/profiles/${imported}`, { headers: x.h })).body;
    expect(restored.status).toBe('live');
    const back = await recordReadiness(env.platform.db, x.t.tenantId, staff.id, member.id, '2025-01-01');
    expect(back).toMatchObject({ profileId: imported }); // the link went back
    expect((await call(env.app, 'POST', `/api/integration/merges/${merged.body.id}/undo`, { headers: x.h })).status).toBe(409);
    const queueAgain = (await call(env.app, 'GET', '/api/integration/merge-queue', { headers: x.h })).body.items;
    expect(queueAgain).toHaveLength(1);
  });

  it('merge all merges every suggested pair as a job and is idempotent when run again', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    for (let i = 0; i < 3; i++) {
      await x.profile({ firstName: `P${i}`, lastName: 'Same', email: `p${i}@school.test` });
      await x.member(staff.id, { fullName: `P${i} Same`, email: `p${i}@school.test`, role: 'Teacher' });
    }
    await x.run('/api/integration/import', {});
    const run = await x.run('/api/integration/merges/all', {});
    expect(run).toMatchObject({ kind: 'merge_all', status: 'done', total: 3, updated: 3 });
    expect((await call(env.app, 'GET', '/api/integration/merge-queue', { headers: x.h })).body.items).toHaveLength(0);
    const rerun = await x.integration.runs.execute(run.id);
    expect(rerun.status).toBe('done');
    expect((await call(env.app, 'GET', '/api/integration/merges', { headers: x.h })).body.items).toHaveLength(3);
  });
});

describe('push, exclusions, decouple', () => {
  it('refuses SCIM and standard groups (409 with the reason) and pushes into a linked repeat group without duplicating', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    const scim = await x.group({ name: 'Entra', type: 'scim' });
    const standard = await x.group({ name: 'Visitors', type: 'standard' });
    await x.link(staff.id);
    await x.link(scim.id);
    const scimPush = await call(env.app, 'POST', '/api/integration/push', { headers: x.h, body: { groupId: scim.id } });
    expect(scimPush.status).toBe(409);
    expect(scimPush.body.error.message).toMatch(/identity provider/);
    expect((await call(env.app, 'POST', '/api/integration/push', { headers: x.h, body: { groupId: standard.id } })).status).toBe(409);

    const a = await x.profile({ firstName: 'Amy', lastName: 'Able', email: 'amy@school.test', role: 'Teacher' });
    await x.profile({ firstName: 'Vic', lastName: 'Vol', typeKey: 'volunteer' });
    const already = await x.member(staff.id, { fullName: 'Amy A', email: 'amy@school.test' });
    const first = await x.run('/api/integration/push', { groupId: staff.id, profileTypeIds: [x.rec.typeId('teaching')] });
    expect(first).toMatchObject({ status: 'done', total: 1, updated: 1, created: 0 }); // linked to the existing member by email
    const updatedMember = await x.members.get(env.platform.db, x.t.tenantId, already.id);
    expect(updatedMember!.fullName).toBe('Amy Able');
    const all = await x.run('/api/integration/push', { groupId: staff.id });
    expect(all).toMatchObject({ total: 2, created: 1, updated: 1 });
    const again = await x.run('/api/integration/push', { groupId: staff.id });
    expect(again).toMatchObject({ total: 2, created: 0, updated: 2 });
    expect((await recordReadiness(env.platform.db, x.t.tenantId, staff.id, already.id, '2025-01-01')).applies).toBe(false);
    await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    expect(await recordReadiness(env.platform.db, x.t.tenantId, staff.id, already.id, '2025-01-01')).toMatchObject({ profileId: a.id });
  });

  it('deleting a linked profile excludes the member from the next import; the exclusion can be undone; decouple removes the link', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const m1 = await x.member(staff.id, { fullName: 'Ex Cluded', role: 'Teacher' });
    const m2 = await x.member(staff.id, { fullName: 'De Coupled', role: 'Teacher' });
    await x.run('/api/integration/import', {});
    await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    const r1 = await recordReadiness(env.platform.db, x.t.tenantId, staff.id, m1.id, '2025-01-01');
    if (!r1.applies) throw new Error('expected the record check to apply');
    const del = await call(env.app, 'DELETE', `/api/integration/profiles/${r1.profileId}`, { headers: x.h });
    expect(del.status).toBe(200);
    expect(del.body.excludedMemberIds).toEqual([m1.id]);
    const excl = (await call(env.app, 'GET', '/api/integration/exclusions', { headers: x.h })).body.items;
    expect(excl).toHaveLength(1);
    const rerun = await x.run('/api/integration/import', {});
    expect(rerun).toMatchObject({ created: 0, skipped: 2 });
    expect((await call(env.app, 'DELETE', `/api/integration/exclusions/${excl[0].id}`, { headers: x.h })).status).toBe(204);
    const third = await x.run('/api/integration/import', {});
    expect(third).toMatchObject({ created: 1 });

    expect((await call(env.app, 'POST', `/api/integration/members/${m2.id}/decouple`, { headers: x.h })).status).toBe(204);
    const r2 = await recordReadiness(env.platform.db, x.t.tenantId, staff.id, m2.id, '2025-01-01');
    expect(r2).toMatchObject({ applies: true, ready: false, profileId: null });
    expect((await call(env.app, 'POST', `/api/integration/members/${m2.id}/decouple`, { headers: x.h })).status).toBe(404);
  });

  it('erasing a linked profile in the Central Record excludes its member too, keeping none of its data', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const m = await x.member(staff.id, { fullName: 'Eras Ed', role: 'Teacher' });
    await x.run('/api/integration/import', {});
    await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    const r = await recordReadiness(env.platform.db, x.t.tenantId, staff.id, m.id, '2025-01-01');
    if (!r.applies || !r.profileId) throw new Error('expected a linked profile');
    expect((await call(env.app, 'DELETE', `/api/record/profiles/${r.profileId}`, { headers: x.h })).status).toBe(204);
    const excl = (await call(env.app, 'GET', '/api/integration/exclusions', { headers: x.h })).body.items;
    expect(excl).toHaveLength(1);
    expect(excl[0].memberId).toBe(m.id);
    expect(JSON.stringify(excl[0])).not.toContain('Eras');
    expect(await x.run('/api/integration/import', {})).toMatchObject({ created: 0 });
  });
});

describe('the record in the safety check', () => {
  it('names what is missing under the group’s rating systems; none checks nothing; a ready profile passes', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const missing = await x.member(staff.id, { fullName: 'Miss Ing', role: 'Teacher' });
    const ready = await x.member(staff.id, { fullName: 'Rea Dy', role: 'Teacher' });
    await x.run('/api/integration/import', {});
    await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    const today = env.platform.now().toISOString().slice(0, 10);
    const r = await call(env.app, 'GET', `/api/integration/members/${missing.id}/readiness`, { headers: x.h });
    expect(r.status).toBe(200);
    expect(r.body.ready).toBe(false);
    expect(r.body.reasons).toContain('Enhanced DBS missing');

    const readyLink = await recordReadiness(env.platform.db, x.t.tenantId, staff.id, ready.id, today);
    if (!readyLink.applies) throw new Error('expected the record check to apply');
    const p = (await call(env.app, 'GET', `/api/record/profiles/${readyLink.profileId}`, { headers: x.h })).body;
    const patch = await call(env.app, 'PATCH', `/api/record/profiles/${readyLink.profileId}`, { headers: x.h, body: { version: p.version, checks: x.FULL_TEACHER_CHECKS, facts: x.TEACHER_FACTS } });
    expect(patch.status).toBe(200);
    const systems = (await call(env.app, 'GET', '/api/record/rating-systems', { headers: x.h })).body.items as Array<{ id: string; key: string }>;
    await x.link(staff.id, { ratingMode: 'selected', ratingSystemIds: [systems.find((s) => s.key === 'inspector_ready')!.id] });
    expect(await recordReadiness(env.platform.db, x.t.tenantId, staff.id, ready.id, today)).toMatchObject({ applies: true, ready: true, reasons: [] });
    await x.link(staff.id, { ratingMode: 'none' });
    expect(await recordReadiness(env.platform.db, x.t.tenantId, staff.id, missing.id, today)).toEqual({ applies: false });
  });

  it('reads two statements for a sign-in once the record’s rules are kept: the links, then the profile with its values', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const m = await x.member(staff.id, { fullName: 'Miss Ing', role: 'Teacher' });
    const unlinked = await x.member(staff.id, { fullName: 'Not Linked', role: 'Teacher' });
    await x.run('/api/integration/import', {});
    const check = createRecordSafetyCheck(createRecordPort({ db: env.platform.db }), env.platform.db);
    const site = { id: staff.id, name: 'London site', timezone: 'Europe/London' };
    const run = async (member: typeof m) => {
      const from = statements.length;
      const out = await check.run({ tx: env.platform.db, tenantId: x.t.tenantId, site, group: { ...staff, options: readOptions(staff.options) }, member, visitor: null, person: { fullName: member.fullName, email: null, dateOfBirth: null }, answers: {}, agreementAccepted: false, previouslyAcceptedAgreement: false, now: env.platform.now() });
      // (Writes behind earlier requests, such as the API's rate counters, and the members' totals'
      // NOTIFY a second after a write, decision 034, may land meanwhile.)
      const sent = withoutBackgroundWrites(statements.slice(from));
      return { reasons: (Array.isArray(out) ? out : [out]).flatMap((r) => (r.allow ? [] : [r.reason])), sent };
    };
    // The tenant setting off: one statement, nothing applies.
    expect(await run(m)).toEqual({ reasons: [], sent: [expect.stringMatching(/integration_settings/)] });
    await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    await run(m); // the rules loaded once
    const warm = await run(m);
    expect(warm.reasons).toContain('Enhanced DBS missing');
    expect(warm.sent).toHaveLength(2);
    expect(warm.sent[0]).toMatch(/integration_settings.*integration_group_links.*integration_person_links/s);
    expect(warm.sent[1]).toMatch(/from "record_profiles"/);
    expect(warm.sent[1]).toMatch(/record_check_values/);
    // Both are built once and prepared (decision 038): a warm check builds no statement.
    const building = vi.spyOn(PgDialect.prototype, 'sqlToQuery');
    try {
      expect((await run(m)).sent).toHaveLength(2);
      // (Writes behind earlier requests, built by drizzle on a timer, may be built meanwhile: only reads count.)
      const built = building.mock.results.map((r) => (r.value as { sql: string }).sql);
      expect(withoutBackgroundWrites(built)).toEqual([]);
    } finally {
      building.mockRestore();
    }
    // A member with no linked profile: one statement, and refused for it.
    expect((await call(env.app, 'POST', `/api/integration/members/${unlinked.id}/decouple`, { headers: x.h })).status).toBe(204);
    expect(await run(unlinked)).toEqual({ reasons: ['No Central Record profile is linked to this person'], sent: [expect.stringMatching(/integration_person_links/)] });
  });

  it('a kiosk sign-in sends the links read before its own reads, not after (decision 049), and drops it for a sign-in it refuses', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    const other = await x.group({ name: 'Other', type: 'repeat' });
    await x.link(staff.id);
    const m = await x.member(staff.id, { fullName: 'Miss Ing', role: 'Teacher' });
    const outsider = await x.member(other.id, { fullName: 'Out Sider', role: 'Teacher' });
    await x.run('/api/integration/import', {});
    await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    const site = await makeSite(env, x.t);
    expect((await call(env.app, 'PUT', `/api/signin/sites/${site.id}/groups`, { headers: x.h, body: { groupIds: [staff.id, other.id] } })).status).toBe(200);
    const kiosk = await pairKiosk(env, x.t, site.id);
    const signIn = async (groupId: string, memberId: string) => {
      const from = statements.length;
      const res = await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId, memberId, answers: {}, agreementAccepted: false } });
      return { status: res.status, sent: withoutBackgroundWrites(statements.slice(from)) };
    };
    const links = (s: string) => /integration_settings.*integration_group_links.*integration_person_links/s.test(s);
    const ownReads = (s: string) => /group_contacts/.test(s);
    const profileRead = (s: string) => /from "record_profiles"/.test(s);

    await signIn(staff.id, m.id); // statements prepared, rules loaded
    const refused = await signIn(staff.id, m.id);
    // Still refused for what the record lacks (a refused visit does not keep a person signed in)…
    expect(refused.status).toBe(422);
    const visits = (await call(env.app, 'GET', '/api/signin/visits', { headers: x.h })).body.items as Array<{ memberId: string; reasons: Array<{ check: string; reason: string }> }>;
    const missingDbs = expect.arrayContaining([expect.objectContaining({ check: 'central_record', reason: 'Enhanced DBS missing' })]) as unknown;
    expect(visits.filter((v) => v.memberId === m.id).map((v) => v.reasons)).toEqual([missingDbs, missingDbs]);
    // …with the links sent once, first where the pool can run two reads at once (PostgreSQL; PGlite
    // has one connection, so they follow as before), and the profile read after the sign-in's own.
    const pool = env.platform.database.kind === 'postgres';
    expect(refused.sent.filter(links)).toHaveLength(1);
    if (pool) expect(refused.sent.findIndex(links)).toBeLessThan(refused.sent.findIndex(ownReads));
    else expect(refused.sent.findIndex(ownReads)).toBeLessThan(refused.sent.findIndex(links));
    expect(refused.sent.findIndex(ownReads)).toBeLessThan(refused.sent.findIndex(profileRead));
    // The member's id in upper case (the schema takes it) is the same member: the early read is used, not sent twice.
    const upper = await signIn(staff.id, m.id.toUpperCase());
    expect(upper.status).toBe(422);
    expect(upper.sent.filter(links)).toHaveLength(1);

    // A member of another group named with this one: 404 as ever; the early read was sent and is dropped, nothing after it.
    const notHere = await signIn(staff.id, outsider.id);
    expect(notHere.status).toBe(404);
    expect(notHere.sent.filter(links)).toHaveLength(pool ? 1 : 0);
    expect(notHere.sent.filter(profileRead)).toEqual([]);
    // The outsider's own group is not linked: the early read finds nothing that applies, and the sign-in goes through.
    expect((await signIn(other.id, outsider.id)).status).toBe(201);
  });

  it('decides on today at the site: just after midnight there (UTC still the day before), a check expiring that day has expired', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const m = await x.member(staff.id, { fullName: 'Mid Night', role: 'Teacher' });
    await x.run('/api/integration/import', {});
    await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    // The organisation keeps another calendar (New York's), so only the site's can make the day the 16th.
    expect((await call(env.app, 'PATCH', `/api/record/organisations/${x.rec.org.id}`, { headers: x.h, body: { timeZone: 'America/New_York' } })).status).toBe(200);
    const linked = await recordReadiness(env.platform.db, x.t.tenantId, staff.id, m.id, '2025-06-01');
    if (!linked.applies || !linked.profileId) throw new Error('expected a linked profile');
    const p = (await call(env.app, 'GET', `/api/record/profiles/${linked.profileId}`, { headers: x.h })).body;
    // Safeguarding training done on 16 June 2024 lasts 12 months: expired from 16 June 2025.
    const checks = { ...x.FULL_TEACHER_CHECKS, safeguarding_training: { value: '2024-06-16' }, references: { value: '2024-08-01' }, medical_fitness: { value: '2024-08-01' } };
    expect((await call(env.app, 'PATCH', `/api/record/profiles/${linked.profileId}`, { headers: x.h, body: { version: p.version, checks, facts: x.TEACHER_FACTS } })).status).toBe(200);

    const check = createRecordSafetyCheck(createRecordPort({ db: env.platform.db }), env.platform.db);
    const reasonsAt = async (instant: string) => {
      const person = { fullName: m.fullName, email: m.email, dateOfBirth: null };
      const site = { id: staff.id, name: 'London site', timezone: 'Europe/London' };
      const out = await check.run({ tx: env.platform.db, tenantId: x.t.tenantId, site, group: { ...staff, options: readOptions(staff.options) }, member: m, visitor: null, person, answers: {}, agreementAccepted: false, previouslyAcceptedAgreement: false, now: new Date(instant) });
      return (Array.isArray(out) ? out : [out]).flatMap((r) => (r.allow ? [] : [r.reason]));
    };
    // 23:30 on the 15th in London: still valid.
    expect(await reasonsAt('2025-06-15T22:30:00Z')).toEqual([]);
    // 00:30 on the 16th in London (UTC and New York: still the 15th): expired.
    expect(await reasonsAt('2025-06-15T23:30:00Z')).toEqual([expect.stringMatching(/^Safeguarding training expired/)]);
  });

  it('the bulk form (a replayed chunk) answers each sign-in as the check does alone: linked or not, ready or not, on different days', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const missing = await x.member(staff.id, { fullName: 'Miss Ing', role: 'Teacher' });
    const ready = await x.member(staff.id, { fullName: 'Rea Dy', role: 'Teacher' });
    await x.run('/api/integration/import', {});
    const late = await x.member(staff.id, { fullName: 'Late Comer', role: 'Teacher' }); // joined after the import: no profile linked
    const today = env.platform.now().toISOString().slice(0, 10);
    const check = createRecordSafetyCheck(createRecordPort({ db: env.platform.db }), env.platform.db);
    const site = { id: staff.id, name: 'London site', timezone: 'Europe/London' };
    const ctxOf = (m: typeof missing | null, instant: string) => ({
      tx: env.platform.db,
      tenantId: x.t.tenantId,
      site,
      group: { ...staff, options: readOptions(staff.options) },
      member: m,
      visitor: m ? null : { fullName: 'Val Visitor' },
      person: { fullName: m?.fullName ?? 'Val Visitor', email: m?.email ?? null, dateOfBirth: null },
      answers: {},
      agreementAccepted: false,
      previouslyAcceptedAgreement: false,
      now: new Date(instant),
    });
    const ctxs = [ctxOf(missing, `${today}T12:00:00Z`), ctxOf(ready, `${today}T12:00:00Z`), ctxOf(late, `${today}T12:00:00Z`), ctxOf(null, `${today}T12:00:00Z`), ctxOf(ready, '2025-06-15T23:30:00Z'), ctxOf(missing, '2025-06-15T22:30:00Z')];
    const alone = async () => {
      const out = [];
      for (const c of ctxs) out.push(await check.run(c));
      return out;
    };
    // The tenant setting off: nothing applies.
    expect(await check.runMany!(ctxs)).toEqual(await alone());
    await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    const readyLink = await recordReadiness(env.platform.db, x.t.tenantId, staff.id, ready.id, today);
    if (!readyLink.applies) throw new Error('expected the record check to apply');
    const p = (await call(env.app, 'GET', `/api/record/profiles/${readyLink.profileId}`, { headers: x.h })).body;
    const checks = { ...x.FULL_TEACHER_CHECKS, safeguarding_training: { value: '2024-06-16' }, references: { value: '2024-08-01' }, medical_fitness: { value: '2024-08-01' } };
    expect((await call(env.app, 'PATCH', `/api/record/profiles/${readyLink.profileId}`, { headers: x.h, body: { version: p.version, checks, facts: x.TEACHER_FACTS } })).status).toBe(200);
    const bulk = await check.runMany!(ctxs);
    expect(bulk).toEqual(await alone());
    const reasons = bulk.map((r) => (Array.isArray(r) ? r : [r]).flatMap((x) => (x.allow ? [] : [x.reason])));
    expect(reasons[0]).toContain('Enhanced DBS missing');
    expect(reasons[2]).toEqual(['No Central Record profile is linked to this person']);
    expect(reasons[3]).toEqual([]);
    // The same profile on another day: the safeguarding training expired on the 16th at the site.
    expect(reasons[4]).toEqual([expect.stringMatching(/^Safeguarding training expired/)]);
  });
});
