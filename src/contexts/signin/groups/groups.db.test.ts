import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, scopedUser, setScopes, type AuthHeaders } from '../../../../test/factories.js';
import { recordTenant } from '../../../../test/record-fixtures.js';
import { makeGroup, makeSite } from '../../../../test/signin-factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { groupSecrets } from '../signin.tables.js';

const env = useTestEnv();

describe('groups', () => {
  it('401, 403 for a manager, 404 for another tenant', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const g = await makeGroup(env, t);
    expect((await call(env.app, 'GET', '/api/signin/groups')).status).toBe(401);
    const manager = await t.as('manager');
    expect((await call(env.app, 'POST', '/api/signin/groups', { headers: manager.headers, body: { name: 'x', type: 'repeat' } })).status).toBe(403);
    expect((await call(env.app, 'PATCH', `/api/signin/groups/${g.id}`, { headers: manager.headers, body: { name: 'x' } })).status).toBe(403);
    for (const [method, url, body] of [
      ['GET', `/api/signin/groups/${g.id}`, undefined],
      ['PATCH', `/api/signin/groups/${g.id}`, { name: 'x' }],
      ['POST', `/api/signin/groups/${g.id}/archive`, undefined],
    ] as const) {
      expect((await call(env.app, method, url, { headers: other.owner.headers, body })).status, url).toBe(404);
    }
  });

  it('creates a group with options, a hashed PIN and contacts; the type cannot change', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const r = await call(env.app, 'POST', '/api/signin/groups', {
      headers: t.owner.headers,
      body: {
        name: 'Contractors',
        type: 'repeat',
        colour: '#ff8800',
        isStaffGroup: false,
        pin: '4321',
        contactIds: [admin.id],
        options: {
          safetyCheckMode: 'notify',
          autoSignOut: { mode: 'at_time', time: '18:30' },
          customFields: [{ id: 'unwell', label: 'Are you unwell?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Stay home' } }],
          agreement: { text: 'I will wear my badge.' },
          printBadge: true,
        },
      },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'repeat', hasPin: true, contactIds: [admin.id], options: { safetyCheckMode: 'notify', showOnFireList: true, printBadge: true } });
    expect(r.body.options.agreement.version).toMatch(/^[0-9a-f]{16}$/);
    // The PIN is nowhere in the answer as a value (ids and versions are hex, and may hold the digits "4321").
    expect(JSON.stringify(r.body)).not.toMatch(/(?<![0-9a-f-])4321(?![0-9a-f-])/);
    const [secret] = await env.platform.db.select().from(groupSecrets).where(eq(groupSecrets.groupId, r.body.id));
    expect(secret!.pinHash).toMatch(/^[0-9a-f]{64}$/);
    // Same text → same version; changed text → new version.
    const same = await call(env.app, 'PATCH', `/api/signin/groups/${r.body.id}`, { headers: t.owner.headers, body: { options: { ...r.body.options, agreement: { text: 'I will wear my badge.' } } } });
    expect(same.body.options.agreement.version).toBe(r.body.options.agreement.version);
    const changed = await call(env.app, 'PATCH', `/api/signin/groups/${r.body.id}`, { headers: t.owner.headers, body: { options: { agreement: { text: 'New rules.' } }, pin: null } });
    expect(changed.body.options.agreement.version).not.toBe(r.body.options.agreement.version);
    expect(changed.body.hasPin).toBe(false);
    const typeChange = await call(env.app, 'PATCH', `/api/signin/groups/${r.body.id}`, { headers: t.owner.headers, body: { type: 'standard' } });
    expect(typeChange.status).toBe(200);
    expect(typeChange.body.type).toBe('repeat');
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.targetId, r.body.id)));
    expect(audit.map((a) => a.action)).toContain('group.created');
  });

  it('validates options: bad time, choice without choices, rejectOn not a choice, duplicate ids, staff flag on standard', async () => {
    const t = await createTestTenant(env);
    const post = (body: Record<string, unknown>) => call(env.app, 'POST', '/api/signin/groups', { headers: t.owner.headers, body: { name: 'G', type: 'repeat', ...body } });
    expect((await post({ options: { autoSignOut: { mode: 'at_time', time: '25:00' } } })).status).toBe(400);
    expect((await post({ options: { customFields: [{ id: 'c', label: 'C', type: 'choice' }] } })).status).toBe(400);
    expect((await post({ options: { customFields: [{ id: 'c', label: 'C', type: 'choice', choices: ['a'], rejectOn: { answer: 'b', message: 'm' } }] } })).status).toBe(400);
    expect((await post({ options: { customFields: [{ id: 'c', label: 'C', type: 'text' }, { id: 'c', label: 'D', type: 'text' }] } })).status).toBe(400);
    const staff = await post({ type: 'standard', isStaffGroup: true });
    expect(staff.status).toBe(400);
    expect(staff.body.error.code).toBe('staff_flag_not_allowed');
    const other = await createTestTenant(env);
    const foreignContact = await post({ contactIds: [other.owner.id] });
    expect(foreignContact.body.error.code).toBe('unknown_contact');
  });

  it('shows a site-scoped manager only the groups on their sites', async () => {
    const t = await createTestTenant(env);
    const mine = await makeSite(env, t);
    const onMine = await makeGroup(env, t, { name: 'On mine' }, [mine.id]);
    const elsewhere = await makeGroup(env, t, { name: 'Elsewhere' });
    const manager = await t.as('manager');
    await setScopes(env, t, manager.id, [{ kind: 'site', refId: mine.id }]);
    const list = await call(env.app, 'GET', '/api/signin/groups', { headers: manager.headers });
    expect(list.body.items.map((g: { id: string }) => g.id)).toEqual([onMine.id]);
    expect((await call(env.app, 'GET', `/api/signin/groups/${elsewhere.id}`, { headers: manager.headers })).status).toBe(404);
  });

  it('shows a new group at the sites named (after their groups); an unknown or another tenant’s site is 400 unknown_site, an archived one 409 site_archived, and nothing is made', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const a = await makeSite(env, t, { name: 'A' });
    const b = await makeSite(env, t, { name: 'B' });
    const first = await makeGroup(env, t, { name: 'First' }, [a.id]);
    const theirs = await makeSite(env, other, { name: 'Theirs' });
    const gone = await makeSite(env, t, { name: 'Gone' });
    expect((await call(env.app, 'POST', `/api/signin/sites/${gone.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    const post = (siteIds: string[]) => call(env.app, 'POST', '/api/signin/groups', { headers: t.owner.headers, body: { name: 'New', type: 'repeat', siteIds } });
    const count = async () => (await call(env.app, 'GET', '/api/signin/groups', { headers: t.owner.headers })).body.items.length;
    const before = await count();
    for (const [ids, status, code, field] of [
      [[a.id, theirs.id], 400, 'unknown_site', 'siteIds.1'],
      [['00000000-0000-4000-8000-000000000000'], 400, 'unknown_site', 'siteIds.0'],
      [[gone.id], 409, 'site_archived', 'siteIds.0'],
    ] as const) {
      const r = await post([...ids]);
      expect([r.status, r.body.error?.code, r.body.error?.field]).toEqual([status, code, field]);
    }
    expect(await count()).toBe(before);
    const made = await post([b.id, a.id, a.id]);
    expect(made.status).toBe(201);
    expect([...made.body.siteIds].sort()).toEqual([a.id, b.id].sort());
    const siteA = await call(env.app, 'GET', `/api/signin/sites/${a.id}`, { headers: t.owner.headers });
    expect(siteA.body.groups.map((g: { id: string }) => g.id)).toEqual([first.id, made.body.id]);
  });
});

describe('whom a group’s contacts may be (GET /api/signin/groups/:id/contact-candidates)', () => {
  type Candidate = { id: string; email: string; reaches: boolean; disabled: boolean; contact: boolean };
  const candidatesOf = async (groupId: string, headers: AuthHeaders) => {
    const r = await call(env.app, 'GET', `/api/signin/groups/${groupId}/contact-candidates`, { headers });
    expect(r.status).toBe(200);
    return r.body.items as Candidate[];
  };

  it('401, 403 for a manager, 404 for another tenant’s group', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const url = `/api/signin/groups/${g.id}/contact-candidates`;
    expect((await call(env.app, 'GET', url)).status).toBe(401);
    const manager = await t.as('manager');
    expect([(await call(env.app, 'GET', url, { headers: manager.headers })).status]).toEqual([403]);
    const foreign = await call(env.app, 'GET', url, { headers: other.owner.headers });
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'not_found']);
  });

  it('offers the active users who reach one of the group’s sites, and keeps a contact who no longer does, marked', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { org } = await recordTenant(env, t);
    const elsewhere = await createTestTenant(env);
    await elsewhere.as('admin');
    const [north, south] = [await makeSite(env, t, { name: 'North' }), await makeSite(env, t, { name: 'South' })];
    const group = await makeGroup(env, t, { name: 'Visitors' }, [north.id]);
    const whole = await t.as('admin');
    const northOffice = await scopedUser(env, t, 'manager', [{ kind: 'site', refId: north.id, level: 'edit' }]);
    const southOffice = await scopedUser(env, t, 'manager', [{ kind: 'site', refId: south.id, level: 'edit' }]);
    const recordOnly = await scopedUser(env, t, 'viewer', [{ kind: 'organisation', refId: org.id, level: 'view' }]);
    const gone = await t.as('viewer');
    expect((await call(env.app, 'PATCH', `/api/users/${gone.id}`, { headers: t.owner.headers, body: { disabled: true } })).status).toBe(200);

    const offered = await candidatesOf(group.id, t.owner.headers);
    // The owner, the unscoped admin and North's office: each reaches North. Not South's office, not
    // one who reaches the record alone, not a disabled user, not another tenant's.
    expect(offered.map((u) => u.id).sort()).toEqual([t.owner.id, whole.id, northOffice.id].sort());
    expect(offered.every((u) => u.reaches && !u.disabled && !u.contact)).toBe(true);
    expect(offered.find((u) => u.id === northOffice.id)?.email).toBe(northOffice.email);
    // Each one offered is taken; those left out are the ones the server refuses.
    expect((await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { contactIds: offered.map((u) => u.id) } })).status).toBe(200);
    for (const u of [southOffice, recordOnly]) {
      const r = await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { contactIds: [u.id] } });
      expect([r.status, r.body.error.code]).toEqual([400, 'contact_out_of_reach']);
    }

    // North's office moves to South: still a contact, listed as one who no longer reaches, so the
    // picker shows them to be taken off (the server would refuse the list as it stands).
    await setScopes(env, t, northOffice.id, [{ kind: 'site', refId: south.id, level: 'edit' }]);
    const after = await candidatesOf(group.id, t.owner.headers);
    expect(after.find((u) => u.id === northOffice.id)).toMatchObject({ reaches: false, contact: true, disabled: false });
    expect(after.find((u) => u.id === whole.id)).toMatchObject({ reaches: true, contact: true });
    expect(after.some((u) => u.id === southOffice.id)).toBe(false);
    // Added to South too, the group is offered South's office.
    await call(env.app, 'PUT', `/api/signin/sites/${south.id}/groups`, { headers: t.owner.headers, body: { groupIds: [group.id] } });
    const both = await candidatesOf(group.id, t.owner.headers);
    expect(both.filter((u) => [northOffice.id, southOffice.id].includes(u.id)).map((u) => [u.reaches, u.contact])).toEqual(expect.arrayContaining([[true, true], [true, false]]));
  });

  it('refuses a disabled user as a contact (400 contact_disabled on contactIds.N), on a new group and a changed one; a contact disabled later is listed as such', async () => {
    const t = await createTestTenant(env);
    const north = await makeSite(env, t, { name: 'North' });
    const group = await makeGroup(env, t, { name: 'Visitors' }, [north.id]);
    const whole = await t.as('admin');
    const gone = await t.as('viewer');
    expect((await call(env.app, 'PATCH', `/api/users/${gone.id}`, { headers: t.owner.headers, body: { disabled: true } })).status).toBe(200);
    // They reach North (unscoped), so only being disabled keeps them from being told.
    const patched = await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { contactIds: [whole.id, gone.id] } });
    expect([patched.status, patched.body.error?.code, patched.body.error?.field]).toEqual([400, 'contact_disabled', 'contactIds.1']);
    const created = await call(env.app, 'POST', '/api/signin/groups', { headers: t.owner.headers, body: { name: 'Contractors', type: 'standard', siteIds: [north.id], contactIds: [gone.id] } });
    expect([created.status, created.body.error?.code, created.body.error?.field]).toEqual([400, 'contact_disabled', 'contactIds.0']);
    expect((await call(env.app, 'GET', `/api/signin/groups/${group.id}`, { headers: t.owner.headers })).body.contactIds).toEqual([]);

    // A contact disabled after being chosen: listed, marked, and refused at the next save as it stands.
    expect((await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { contactIds: [whole.id] } })).status).toBe(200);
    expect((await call(env.app, 'PATCH', `/api/users/${whole.id}`, { headers: t.owner.headers, body: { disabled: true } })).status).toBe(200);
    expect((await candidatesOf(group.id, t.owner.headers)).find((u) => u.id === whole.id)).toMatchObject({ disabled: true, contact: true });
    const again = await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { contactIds: [whole.id] } });
    expect([again.status, again.body.error?.code]).toEqual([400, 'contact_disabled']);
    expect((await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { contactIds: [] } })).status).toBe(200);
  });

  it('answers a site-scoped admin for a group they may change: 403 for one shown beyond their sites, 404 for one they do not see', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const [north, south] = [await makeSite(env, t, { name: 'North' }), await makeSite(env, t, { name: 'South' })];
    const ours = await makeGroup(env, t, {}, [north.id]);
    const shared = await makeGroup(env, t, {}, [north.id, south.id]);
    const theirs = await makeGroup(env, t, {}, [south.id]);
    const office = await scopedUser(env, t, 'admin', [{ kind: 'site', refId: north.id }]);
    expect((await candidatesOf(ours.id, office.headers)).map((u) => u.id)).toEqual(expect.arrayContaining([t.owner.id, office.id]));
    const beyond = await call(env.app, 'GET', `/api/signin/groups/${shared.id}/contact-candidates`, { headers: office.headers });
    expect([beyond.status, beyond.body.error.code]).toEqual([403, 'forbidden']);
    const unseen = await call(env.app, 'GET', `/api/signin/groups/${theirs.id}/contact-candidates`, { headers: office.headers });
    expect([unseen.status, unseen.body.error.code]).toEqual([404, 'not_found']);
  });
});
