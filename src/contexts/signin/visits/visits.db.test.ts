import { describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, setScopes } from '../../../../test/factories.js';
import { kioskSetup, makeGroup, makeMember, makeSite, pairKiosk } from '../../../../test/signin-factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { notifications } from '../../../platform/notifications/notifications.tables.js';
import { blockList, members, visits } from '../signin.tables.js';
import { BLOCK_LIST_READ_WHOLE } from './sign-in.reads.js';
import { createSignin, createSigninMembers, type VisitEvent } from '../index.js';
import { createUsersPort } from '../../accounts/index.js';

const events: VisitEvent[] = [];
const env = useTestEnv({
  compose: {
    sinks: [
      async (_tx, e) => {
        events.push(e);
      },
    ],
  },
});

const signIn = (headers: Record<string, string>, body: Record<string, unknown>) => call(env.app, 'POST', '/api/kiosk/sign-in', { headers, body });

describe('kiosk sign-in and sign-out', () => {
  it('401 without a kiosk, 403 for a user, 404 for a group of another site or tenant', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const m = await makeMember(env, t, group.id);
    expect((await signIn({}, { groupId: group.id, memberId: m.id })).status).toBe(401);
    expect((await signIn(t.owner.headers, { groupId: group.id, memberId: m.id })).status).toBe(403);
    expect((await call(env.app, 'POST', '/api/kiosk/sign-out', { body: { memberId: m.id } })).status).toBe(401);
    const notOnSite = await makeGroup(env, t);
    expect((await signIn(kiosk.headers, { groupId: notOnSite.id, memberId: m.id })).status).toBe(404);
    const other = await createTestTenant(env);
    const o = await kioskSetup(env, other);
    expect((await signIn(o.kiosk.headers, { groupId: group.id, memberId: m.id })).status).toBe(404);
    const om = await makeMember(env, other, o.group.id);
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: om.id })).status).toBe(404);
    expect((await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: o.kiosk.headers, body: { memberId: m.id } })).status).toBe(404);
  });

  it('signs a member in and out, once, with events, by id and by QR token', async () => {
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t);
    const m = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    const r = await signIn(kiosk.headers, { groupId: group.id, memberId: m.id });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ outcome: 'signed_in', visit: { memberId: m.id, siteId: site.id, personName: 'Ada Lovelace', safetyStatus: 'passed', signedOutAt: null } });
    expect(r.body.badge).toBeUndefined();
    expect(events.filter((e) => e.visitId === r.body.visit.id).map((e) => e.type)).toEqual(['visit.signed_in']);
    const twice = await signIn(kiosk.headers, { groupId: group.id, memberId: m.id });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_signed_in');
    const out = await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { memberId: m.id } });
    expect(out.status).toBe(200);
    expect(out.body.visit).toMatchObject({ signedOutBy: 'kiosk' });
    expect(events.filter((e) => e.visitId === r.body.visit.id).map((e) => e.type)).toEqual(['visit.signed_in', 'visit.signed_out']);
    const outAgain = await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { memberId: m.id } });
    expect(outAgain.status).toBe(409);
    expect(outAgain.body.error.code).toBe('not_signed_in');
    const [row] = await env.platform.db.select().from(members).where(eq(members.id, m.id));
    const byQr = await signIn(kiosk.headers, { groupId: group.id, qrToken: row!.qrToken });
    expect(byQr.status).toBe(201);
    expect((await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { qrToken: row!.qrToken } })).status).toBe(200);
    expect((await signIn(kiosk.headers, { groupId: group.id, qrToken: 'thr_qr_unknown' })).status).toBe(404);
  });

  it('signing out someone not signed in here never names them; a member of a group this kiosk does not show is a 404', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const here = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    const elsewhereGroup = await makeGroup(env, t, { pin: '2468' }, [(await makeSite(env, t)).id]);
    const elsewhere = await makeMember(env, t, elsewhereGroup.id, { fullName: 'Grace Hopper' });
    const qrOf = async (id: string) => (await env.platform.db.select().from(members).where(eq(members.id, id)))[0]!.qrToken;
    const notIn = await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { qrToken: await qrOf(here.id) } });
    expect([notIn.status, notIn.body.error.code]).toEqual([409, 'not_signed_in']);
    expect(notIn.body.error.message).not.toContain('Ada');
    for (const body of [{ qrToken: await qrOf(elsewhere.id) }, { memberId: elsewhere.id }]) {
      const res = await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body });
      expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
      expect(res.body.error.message).not.toContain('Grace');
    }
    expect((await call(env.app, 'POST', `/api/signin/groups/${group.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    expect((await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { memberId: here.id } })).status).toBe(404);
  });

  it('lets only one of two concurrent kiosks sign the same member in', async () => {
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t);
    const second = await pairKiosk(env, t, site.id);
    const m = await makeMember(env, t, group.id);
    const results = await Promise.all([signIn(kiosk.headers, { groupId: group.id, memberId: m.id }), signIn(second.headers, { groupId: group.id, memberId: m.id })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const open = await env.platform.db.select().from(visits).where(and(eq(visits.memberId, m.id), eq(visits.outcome, 'signed_in')));
    expect(open.filter((v) => v.signedOutAt === null)).toHaveLength(1);
  });

  it('signs visitors of a standard group in without conflicts, notifies contacts about the host, prints a badge', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const site = await makeSite(env, t);
    const staff = await makeGroup(env, t, { name: 'Staff' }, [site.id]);
    const host = await makeMember(env, t, staff.id, { fullName: 'Grace Hopper' });
    const visitors = await makeGroup(env, t, { name: 'Visitors', type: 'standard', contactIds: [admin.id], options: { printBadge: true } }, [site.id]);
    const kiosk = await pairKiosk(env, t, site.id);
    const body = { groupId: visitors.id, visitor: { fullName: '<img src=x onerror=alert(1)>', company: 'ACME', hostMemberId: host.id } };
    const [a, b] = [await signIn(kiosk.headers, body), await signIn(kiosk.headers, body)];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.visit.hostMemberId).toBe(host.id);
    expect(a.body.badge).toMatchObject({ name: '<img src=x onerror=alert(1)>', hostName: 'Grace Hopper', company: 'ACME', groupName: 'Visitors', siteName: site.name });
    const inbox = await env.platform.db.select().from(notifications).where(eq(notifications.userId, admin.id));
    expect(inbox).toHaveLength(2);
    expect(inbox[0]!.title).toContain('is here to see Grace Hopper');
    expect((await signIn(kiosk.headers, { groupId: visitors.id, memberId: host.id })).body.error.code).toBe('visitor_group');
    // Visitors find themselves on the kiosk to sign out, by visit.
    expect((await call(env.app, 'GET', `/api/kiosk/visitors?groupId=${visitors.id}`)).status).toBe(401);
    const here = await call(env.app, 'GET', `/api/kiosk/visitors?groupId=${visitors.id}`, { headers: kiosk.headers });
    expect(here.body.items.map((v: { visitId: string }) => v.visitId).sort()).toEqual([a.body.visit.id, b.body.visit.id].sort());
    const out = await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { visitId: a.body.visit.id } });
    expect(out.body.visit.signedOutBy).toBe('kiosk');
    expect((await call(env.app, 'GET', `/api/kiosk/visitors?groupId=${visitors.id}`, { headers: kiosk.headers })).body.items).toHaveLength(1);
    const other = await createTestTenant(env);
    expect((await call(env.app, 'GET', `/api/kiosk/visitors?groupId=${visitors.id}`, { headers: (await kioskSetup(env, other)).kiosk.headers })).status).toBe(404);
    expect((await signIn(kiosk.headers, { groupId: staff.id, visitor: { fullName: 'X' } })).body.error.code).toBe('member_group');
  });

  it('a visitor visits a member of a live group this site shows: a member elsewhere in the trust, or of an archived group, is not found', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const staff = await makeGroup(env, t, { name: 'Staff' }, [site.id]);
    const here = await makeMember(env, t, staff.id, { fullName: 'Here Host' });
    const elsewhere = await makeMember(env, t, (await makeGroup(env, t, { name: 'Other school staff' }, [(await makeSite(env, t)).id])).id, { fullName: 'Elsewhere Host' });
    const oldStaff = await makeGroup(env, t, { name: 'Old staff' }, [site.id]);
    const archivedHost = await makeMember(env, t, oldStaff.id, { fullName: 'Archived Host' });
    expect((await call(env.app, 'POST', `/api/signin/groups/${oldStaff.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    const visitors = await makeGroup(env, t, { name: 'Visitors', type: 'standard', options: { printBadge: true } }, [site.id]);
    const kiosk = await pairKiosk(env, t, site.id);
    for (const host of [elsewhere, archivedHost]) {
      const refused = await signIn(kiosk.headers, { groupId: visitors.id, visitor: { fullName: 'Val', hostMemberId: host.id } });
      expect([refused.status, refused.body.error.code, refused.body.error.field]).toEqual([400, 'invalid_host', 'visitor.hostMemberId']);
    }
    const ok = await signIn(kiosk.headers, { groupId: visitors.id, visitor: { fullName: 'Val', hostMemberId: here.id } });
    expect([ok.status, ok.body.badge.hostName]).toEqual([201, 'Here Host']);
  });

  it('notifies the member being visited when they have an account (matched on email), once even when also a contact', async () => {
    const t = await createTestTenant(env);
    const teacher = await t.as('viewer');
    const contact = await t.as('admin');
    const site = await makeSite(env, t);
    const staff = await makeGroup(env, t, { name: 'Staff' }, [site.id]);
    const host = await makeMember(env, t, staff.id, { fullName: 'Grace Hopper', email: teacher.email.toUpperCase() });
    const noAccount = await makeMember(env, t, staff.id, { fullName: 'Alan Turing', email: 'alan@example.test' });
    const visitors = await makeGroup(env, t, { name: 'Visitors', type: 'standard', contactIds: [contact.id] }, [site.id]);
    const parents = await makeGroup(env, t, { name: 'Parents', type: 'standard', contactIds: [teacher.id] }, [site.id]);
    const kiosk = await pairKiosk(env, t, site.id);
    expect((await signIn(kiosk.headers, { groupId: visitors.id, visitor: { fullName: 'Ada', hostMemberId: host.id } })).status).toBe(201);
    expect((await signIn(kiosk.headers, { groupId: visitors.id, visitor: { fullName: 'Bob', hostMemberId: noAccount.id } })).status).toBe(201);
    expect((await signIn(kiosk.headers, { groupId: parents.id, visitor: { fullName: 'Cy', hostMemberId: host.id } })).status).toBe(201);
    const inboxOf = async (userId: string) => (await env.platform.db.select().from(notifications).where(eq(notifications.userId, userId))).map((n) => n.title).sort();
    expect(await inboxOf(teacher.id)).toEqual(['Ada is here to see Grace Hopper', 'Cy is here to see Grace Hopper']);
    expect(await inboxOf(contact.id)).toEqual(['Ada is here to see Grace Hopper', 'Bob is here to see Alan Turing']);
  });

  it('needs the PIN of a PIN group on every sign-in', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { pin: '8642' });
    const m = await makeMember(env, t, group.id);
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: m.id })).body.error.code).toBe('pin_required');
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: m.id, pin: '1111' })).status).toBe(403);
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: m.id, pin: '8642' })).status).toBe(201);
  });
});

describe('the safety check at sign-in', () => {
  const unwell = { id: 'unwell', label: 'Are you unwell?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Please do not come in when unwell' } };

  it('rejects with reasons in reject mode and stores the rejected visit', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { type: 'standard', options: { safetyCheckMode: 'reject', customFields: [unwell], agreement: { text: 'Rules' }, showReasonsOnKiosk: true } });
    const missing = await signIn(kiosk.headers, { groupId: group.id, visitor: { fullName: 'Sam' }, answers: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('answers.unwell');
    const r = await signIn(kiosk.headers, { groupId: group.id, visitor: { fullName: 'Sam' }, answers: { unwell: true } });
    expect(r.status).toBe(422);
    expect(r.body.outcome).toBe('rejected');
    expect(r.body.reasons.map((x: { code: string }) => x.code)).toEqual(['custom_field_answer', 'agreement_not_accepted']);
    expect(r.body.reasons[0].reason).toBe('Please do not come in when unwell');
    const [stored] = await env.platform.db.select().from(visits).where(eq(visits.id, r.body.visit.id));
    expect(stored).toMatchObject({ outcome: 'rejected', safetyStatus: 'rejected', answers: { unwell: 'yes' } });
    expect(events.find((e) => e.visitId === r.body.visit.id)?.type).toBe('visit.rejected');
    const ok = await signIn(kiosk.headers, { groupId: group.id, visitor: { fullName: 'Sam' }, answers: { unwell: 'no' }, agreementAccepted: true });
    expect(ok.status).toBe(201);
    expect(ok.body.visit.agreementVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it('signs in and notifies the contacts in notify mode; skips the checks in off mode', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const { group, kiosk } = await kioskSetup(env, t, { type: 'standard', contactIds: [admin.id], options: { safetyCheckMode: 'notify', customFields: [unwell], showReasonsOnKiosk: true } });
    const r = await signIn(kiosk.headers, { groupId: group.id, visitor: { fullName: 'Sam' }, answers: { unwell: 'yes' } });
    expect(r.status).toBe(201);
    expect(r.body.visit).toMatchObject({ safetyStatus: 'notified', reasons: [{ code: 'custom_field_answer' }] });
    const inbox = await env.platform.db.select().from(notifications).where(eq(notifications.userId, admin.id));
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.body).toContain('Please do not come in when unwell');
    await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { options: { safetyCheckMode: 'off', customFields: [unwell] } } });
    const off = await signIn(kiosk.headers, { groupId: group.id, visitor: { fullName: 'Sam' }, answers: { unwell: 'yes' } });
    expect(off.status).toBe(201);
    expect(off.body.visit).toMatchObject({ safetyStatus: 'skipped', reasons: [] });
  });

  it("tells a refusal only to the group's contacts whose reach takes in the kiosk's site; a contact who reaches none of the group's sites is refused (400 contact_out_of_reach)", async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const [whole, manager, viewer] = [await t.as('admin'), await t.as('manager'), await t.as('viewer')];
    const { site, group, kiosk } = await kioskSetup(env, t, { options: { safetyCheckMode: 'reject', customFields: [unwell] } });
    const other = await makeSite(env, t);
    await setScopes(env, t, manager.id, [{ kind: 'site', refId: site.id, level: 'edit' }]);
    await setScopes(env, t, viewer.id, [{ kind: 'site', refId: other.id }]);
    // The viewer reaches only the other school: they could never be told, so they are not taken.
    const refused = await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { contactIds: [whole.id, viewer.id] } });
    expect([refused.status, refused.body.error.code, refused.body.error.field]).toEqual([400, 'contact_out_of_reach', 'contactIds.1']);
    expect((await call(env.app, 'GET', `/api/signin/groups/${group.id}`, { headers: t.owner.headers })).body.contactIds).toEqual([]);
    const set = await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { contactIds: [whole.id, manager.id] } });
    expect(set.status).toBe(200);
    // Later the manager moves to the other school: they no longer hear of refusals at this one.
    await setScopes(env, t, manager.id, [{ kind: 'site', refId: other.id, level: 'edit' }]);
    const m = await makeMember(env, t, group.id, { fullName: 'Rae Reach' });
    const r = await signIn(kiosk.headers, { groupId: group.id, memberId: m.id, answers: { unwell: 'yes' } });
    expect(r.status).toBe(422);
    const inboxOf = async (userId: string) => (await env.platform.db.select().from(notifications).where(eq(notifications.userId, userId))).map((n) => n.title);
    expect(await inboxOf(whole.id)).toEqual([expect.stringContaining('Rae Reach could not sign in')]);
    expect(await inboxOf(manager.id)).toEqual([]);
    // Back at this school, they hear of the next one.
    await setScopes(env, t, manager.id, [{ kind: 'site', refId: site.id, level: 'edit' }]);
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: m.id, answers: { unwell: 'yes' } })).status).toBe(422);
    expect(await inboxOf(manager.id)).toEqual([expect.stringContaining('Rae Reach could not sign in')]);
  });

  it("keeps the reasons off the lobby screen by default: the kiosk is told to see reception, the group's contacts and the history get them", async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const { group, kiosk } = await kioskSetup(env, t, { contactIds: [admin.id], options: { safetyCheckMode: 'reject', customFields: [unwell] } });
    const m = await makeMember(env, t, group.id, { fullName: 'Rae Privacy' });
    const groupView = await call(env.app, 'GET', `/api/signin/groups/${group.id}`, { headers: t.owner.headers });
    expect(groupView.body.options.showReasonsOnKiosk).toBe(false);
    const r = await signIn(kiosk.headers, { groupId: group.id, memberId: m.id, answers: { unwell: 'yes' } });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ outcome: 'rejected', reasons: [], message: 'Please see reception.', visit: { reasons: [] } });
    expect(JSON.stringify(r.body)).not.toContain('Please do not come in when unwell');
    // The history keeps them, and the contacts are told.
    const [stored] = await env.platform.db.select().from(visits).where(eq(visits.id, r.body.visit.id));
    expect(stored!.reasons.map((x) => x.reason)).toEqual(['Please do not come in when unwell']);
    const history = await call(env.app, 'GET', `/api/signin/visits?memberId=${m.id}`, { headers: t.owner.headers });
    expect(history.body.items[0].reasons[0].reason).toBe('Please do not come in when unwell');
    const inbox = await env.platform.db.select().from(notifications).where(eq(notifications.userId, admin.id));
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!).toMatchObject({ title: 'Rae Privacy could not sign in at ' + (await call(env.app, 'GET', `/api/signin/sites`, { headers: t.owner.headers })).body.items[0].name });
    expect(inbox[0]!.body).toContain('Please do not come in when unwell');
    // The group may choose to show them.
    await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { options: { safetyCheckMode: 'reject', customFields: [unwell], showReasonsOnKiosk: true } } });
    const shown = await signIn(kiosk.headers, { groupId: group.id, memberId: m.id, answers: { unwell: 'yes' } });
    expect(shown.body).toMatchObject({ message: 'Please see reception.', reasons: [{ reason: 'Please do not come in when unwell' }] });
  });

  it('asks a member for the agreement again only when its text changes', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { options: { agreement: { text: 'Version one' }, showReasonsOnKiosk: true } });
    const m = await makeMember(env, t, group.id, { fullName: 'Alan Turing' });
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: m.id })).status).toBe(422);
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: m.id, agreementAccepted: true })).status).toBe(201);
    await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { memberId: m.id } });
    const search = await call(env.app, 'GET', `/api/kiosk/search?groupId=${group.id}&q=alan`, { headers: kiosk.headers });
    expect(search.body.items[0].agreementDue).toBe(false);
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: m.id })).status).toBe(201);
    await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { memberId: m.id } });
    await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { options: { agreement: { text: 'Version two' }, showReasonsOnKiosk: true } } });
    // The search says so before the member picks their name.
    const again = await call(env.app, 'GET', `/api/kiosk/search?groupId=${group.id}&q=alan`, { headers: kiosk.headers });
    expect(again.body.items[0]).toMatchObject({ name: 'Alan Turing', onSite: false, agreementDue: true });
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: m.id })).body.reasons[0].code).toBe('agreement_not_accepted');
  });

  it('matches the block list on whole names and structured fields, never substrings', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { type: 'standard' });
    for (const body of [{ fullName: 'Yes' }, { fullName: 'John Smith', dateOfBirth: '1980-01-01' }, { fullName: 'Anyone', email: 'banned@example.org' }]) {
      expect((await call(env.app, 'POST', '/api/signin/block-list', { headers: t.owner.headers, body })).status).toBe(201);
    }
    const attempt = async (visitor: Record<string, unknown>) => (await signIn(kiosk.headers, { groupId: group.id, visitor })).status;
    expect(await attempt({ fullName: 'Maria Reyes' })).toBe(201);
    expect(await attempt({ fullName: 'yes' })).toBe(422);
    expect(await attempt({ fullName: '  JOHN   smith ' })).toBe(422);
    expect(await attempt({ fullName: 'John Smith', dateOfBirth: '1990-05-05' })).toBe(201);
    expect(await attempt({ fullName: 'John Smithson' })).toBe(201);
    expect(await attempt({ fullName: 'Someone Else', email: 'BANNED@example.org' })).toBe(422);
    // A list too long to read whole with the sign-in's first read (the check reads the entries
    // that could match instead) answers the same.
    await env.platform.db.insert(blockList).values(Array.from({ length: BLOCK_LIST_READ_WHOLE }, (_, i) => ({ tenantId: t.tenantId, fullName: `Filler ${i}`, normalisedName: `filler ${i}` })));
    expect(await attempt({ fullName: 'Maria Reyes' })).toBe(201);
    expect(await attempt({ fullName: 'yes' })).toBe(422);
    expect(await attempt({ fullName: 'John Smith', dateOfBirth: '1990-05-05' })).toBe(201);
    expect(await attempt({ fullName: '  JOHN   smith ' })).toBe(422);
    expect(await attempt({ fullName: 'Someone Else', email: 'BANNED@example.org' })).toBe(422);
    expect(await attempt({ fullName: 'filler 7' })).toBe(422);
    await env.platform.db.delete(blockList).where(and(eq(blockList.tenantId, t.tenantId), like(blockList.normalisedName, 'filler %')));
    const other = await createTestTenant(env);
    expect((await call(env.app, 'GET', '/api/signin/block-list', { headers: other.owner.headers })).body.items).toEqual([]);
    expect((await call(env.app, 'GET', '/api/signin/block-list', { headers: (await t.as('manager')).headers })).status).toBe(403);
    expect((await call(env.app, 'GET', '/api/signin/block-list')).status).toBe(401);
    const entry = (await call(env.app, 'GET', '/api/signin/block-list', { headers: t.owner.headers })).body.items[0];
    expect((await call(env.app, 'DELETE', `/api/signin/block-list/${entry.id}`, { headers: other.owner.headers })).status).toBe(404);
    expect((await call(env.app, 'DELETE', `/api/signin/block-list/${entry.id}`, { headers: t.owner.headers })).status).toBe(204);
  });

  it('rejects archived members and members outside their dates; an extra check plugs in', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { options: { showReasonsOnKiosk: true } });
    const archived = await makeMember(env, t, group.id);
    await call(env.app, 'POST', `/api/signin/members/${archived.id}/archive`, { headers: t.owner.headers });
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: archived.id })).body.reasons[0].code).toBe('member_archived');
    // Even a group that checks nothing keeps an archived member out (a leaver, a SCIM active=false).
    await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { options: { safetyCheckMode: 'off', showReasonsOnKiosk: true } } });
    const off = await signIn(kiosk.headers, { groupId: group.id, memberId: archived.id });
    expect(off.status).toBe(422);
    expect(off.body.reasons.map((r: { code: string }) => r.code)).toEqual(['member_archived']);
    await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { options: { safetyCheckMode: 'reject', showReasonsOnKiosk: true } } });
    const future = await makeMember(env, t, group.id, { startDate: '2999-01-01' });
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: future.id })).body.reasons[0].code).toBe('before_start_date');
    const services = createSignin(env.platform, createSigninMembers(env.platform, { users: createUsersPort() }), { safetyChecks: [{ name: 'central_record', run: async (c) => (c.member?.fullName === 'Non Compliant' ? { allow: false, code: 'record_incomplete', reason: 'Missing DBS check' } : { allow: true }) }] });
    const nc = await makeMember(env, t, group.id, { fullName: 'Non Compliant' });
    const principal = (await services.kiosk.principalFromToken(kiosk.token))!;
    const r = await services.visits.signIn(principal as Parameters<typeof services.visits.signIn>[0], { groupId: group.id, memberId: nc.id, answers: {}, agreementAccepted: false });
    expect(r.outcome).toBe('rejected');
    expect(r.reasons).toEqual([{ check: 'central_record', code: 'record_incomplete', reason: 'Missing DBS check' }]);
  });
});

describe('history, export and retention', () => {
  it('401, 403 and scoping', async () => {
    const t = await createTestTenant(env);
    const { site } = await kioskSetup(env, t);
    expect((await call(env.app, 'GET', '/api/signin/visits')).status).toBe(401);
    expect((await call(env.app, 'GET', '/api/signin/visits/export.csv')).status).toBe(401);
    expect((await call(env.app, 'PUT', '/api/signin/settings', { headers: (await t.as('manager')).headers, body: { retentionDays: 30 } })).status).toBe(403);
    const other = await createTestTenant(env);
    expect((await call(env.app, 'GET', `/api/signin/visits?siteId=${site.id}`, { headers: other.owner.headers })).status).toBe(404);
  });

  it('filters and keyset-pages visits; exports neutralised CSV', async () => {
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t, { type: 'standard' });
    for (const name of ['=cmd|calc', 'Bob <b>Bold</b>', 'Carol', 'Dan', 'Eve']) {
      expect((await signIn(kiosk.headers, { groupId: group.id, visitor: { fullName: name } })).status).toBe(201);
      env.clock.advance(1000);
    }
    env.clock.reset();
    const p1 = await call(env.app, 'GET', '/api/signin/visits?limit=2', { headers: t.owner.headers });
    expect(p1.body.items.map((v: { personName: string }) => v.personName)).toEqual(['Eve', 'Dan']);
    const p2 = await call(env.app, 'GET', `/api/signin/visits?limit=2&cursor=${p1.body.nextCursor}`, { headers: t.owner.headers });
    expect(p2.body.items.map((v: { personName: string }) => v.personName)).toEqual(['Carol', 'Bob <b>Bold</b>']);
    const p3 = await call(env.app, 'GET', `/api/signin/visits?limit=2&cursor=${p2.body.nextCursor}`, { headers: t.owner.headers });
    expect(p3.body.nextCursor).toBeNull();
    expect((await call(env.app, 'GET', `/api/signin/visits?person=bold&siteId=${site.id}&groupId=${group.id}&outcome=signed_in`, { headers: t.owner.headers })).body.items).toHaveLength(1);
    expect((await call(env.app, 'GET', '/api/signin/visits?outcome=rejected', { headers: t.owner.headers })).body.items).toHaveLength(0);
    expect((await call(env.app, 'GET', '/api/signin/visits?from=2999-01-01', { headers: t.owner.headers })).body.items).toHaveLength(0);
    const csv = await env.app.inject({ method: 'GET', url: '/api/signin/visits/export.csv', headers: t.owner.headers });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toContain("'=cmd|calc");
    expect(csv.body).toContain('Bob <b>Bold</b>');
    expect(csv.body.split('\r\n')[0]).toMatch(/^Signed in,Signed out/);
  });

  it("filters by days of each visit's site and exports the site's clock times with its zone (UTC at the end)", async () => {
    const t = await createTestTenant(env);
    const london = await kioskSetup(env, t);
    const ny = await makeSite(env, t, { timezone: 'America/New_York' });
    const nyGroup = await makeGroup(env, t, {}, [ny.id]);
    const nyKiosk = await pairKiosk(env, t, ny.id);
    const lateLondon = await makeMember(env, t, london.group.id, { fullName: 'Late London' });
    const lateNy = await makeMember(env, t, nyGroup.id, { fullName: 'Late New York' });
    const noonLondon = await makeMember(env, t, london.group.id, { fullName: 'Noon London' });
    // The kiosks' sign-ins at given moments, half a second in so the clock's drift stays in that second (the portal session is not used meanwhile: it would have expired).
    const at = async (iso: string, headers: Record<string, string>, groupId: string, memberId: string) => {
      env.clock.reset();
      env.clock.advance(Date.parse(iso) - Date.now());
      expect((await signIn(headers, { groupId, memberId })).status).toBe(201);
    };
    try {
      // 00:30 on 11 June in London (BST) is 23:30 UTC on the 10th; 23:30 on 10 June in New York (EDT) is 03:30 UTC on the 11th.
      await at('2027-06-10T23:30:00.500Z', london.kiosk.headers, london.group.id, lateLondon.id);
      await at('2027-06-11T03:30:00.500Z', nyKiosk.headers, nyGroup.id, lateNy.id);
      await at('2027-06-10T12:00:00.500Z', london.kiosk.headers, london.group.id, noonLondon.id);
    } finally {
      env.clock.reset();
    }
    const names = async (q: string) => ((await call(env.app, 'GET', `/api/signin/visits?${q}`, { headers: t.owner.headers })).body.items as Array<{ personName: string }>).map((v) => v.personName).sort();
    expect(await names('from=2027-06-10&to=2027-06-10')).toEqual(['Late New York', 'Noon London']);
    expect(await names('from=2027-06-11&to=2027-06-11')).toEqual(['Late London']);
    expect(await names(`from=2027-06-11&siteId=${ny.id}`)).toEqual([]);
    expect(await names('from=2027-06-09&to=2027-06-11')).toEqual(['Late London', 'Late New York', 'Noon London']);

    const csv = await env.app.inject({ method: 'GET', url: '/api/signin/visits/export.csv?from=2027-06-10&to=2027-06-11', headers: t.owner.headers });
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('Signed in,Signed out,Time zone,Signed out by,Name,Company,Group,Site,Outcome,Safety check,Reasons,Answers,Visit id,Signed in (UTC),Signed out (UTC)');
    const row = (name: string) => lines.find((l) => l.includes(`,${name},`))!.split(',');
    expect(row('Late London').slice(0, 3)).toEqual(['2027-06-11 00:30:00', '', 'Europe/London']);
    expect(row('Late London').at(-2)).toMatch(/^2027-06-10T23:30:00\.\d{3}Z$/);
    expect(row('Late New York').slice(0, 3)).toEqual(['2027-06-10 23:30:00', '', 'America/New_York']);
    expect(row('Noon London').slice(0, 3)).toEqual(['2027-06-10 13:00:00', '', 'Europe/London']);
  });

  it('a day is the visit’s site’s day (its time zone); a range that ends before it starts is a 400; another tenant’s group or member is a 404', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { type: 'standard' });
    const site = (await call(env.app, 'GET', '/api/signin/sites', { headers: t.owner.headers })).body.items[0] as { id: string };
    expect((await call(env.app, 'PATCH', `/api/signin/sites/${site.id}`, { headers: t.owner.headers, body: { timezone: 'America/New_York' } })).status).toBe(200);
    // 02:00 UTC on 10 March 2026 is 22:00 on the 9th in New York (EDT, UTC-4).
    env.clock.advance(Date.parse('2026-03-10T02:00:00Z') - Date.now());
    try {
      expect((await signIn(kiosk.headers, { groupId: group.id, visitor: { fullName: 'Late Visitor' } })).status).toBe(201);
    } finally {
      env.clock.reset();
    }
    const names = async (qs: string) => {
      const res = await call(env.app, 'GET', `/api/signin/visits?${qs}`, { headers: t.owner.headers });
      expect(res.status).toBe(200);
      return res.body.items.map((v: { personName: string }) => v.personName);
    };
    expect(await names('from=2026-03-09&to=2026-03-09')).toEqual(['Late Visitor']);
    expect(await names('from=2026-03-10&to=2026-03-10')).toEqual([]);
    expect(await names('to=2026-03-09')).toEqual(['Late Visitor']);
    expect(await names('from=2026-03-10')).toEqual([]);
    const csv = await env.app.inject({ method: 'GET', url: '/api/signin/visits/export.csv?from=2026-03-09&to=2026-03-09', headers: t.owner.headers });
    expect(csv.body).toContain('Late Visitor');

    for (const url of ['/api/signin/visits?from=2026-03-10&to=2026-03-09', '/api/signin/visits/export.csv?from=2026-03-10&to=2026-03-09']) {
      const res = await call(env.app, 'GET', url, { headers: t.owner.headers });
      expect([res.status, res.body.error.code, res.body.error.field]).toEqual([400, 'invalid_range', 'to']);
    }
    const other = await createTestTenant(env);
    const theirs = await kioskSetup(env, other);
    const theirMember = await makeMember(env, other, theirs.group.id);
    for (const qs of [`groupId=${theirs.group.id}`, `memberId=${theirMember.id}`]) {
      for (const path of ['/api/signin/visits', '/api/signin/visits/export.csv']) {
        expect((await call(env.app, 'GET', `${path}?${qs}`, { headers: t.owner.headers })).status).toBe(404);
      }
    }
  });

  it('exports every visit, streamed page after page, newest first across the pages\' seams (2,500 here; there is no cap on the count)', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const m = await makeMember(env, t, group.id);
    expect((await signIn(kiosk.headers, { groupId: group.id, memberId: m.id })).status).toBe(201);
    expect((await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { memberId: m.id } })).status).toBe(200);
    const [first] = await env.platform.db.select().from(visits).where(eq(visits.tenantId, t.tenantId));
    // 2,499 more closed visits of the same member, a minute apart, written as the test's own set-up.
    const copies = Array.from({ length: 2499 }, (_, i) => ({ ...first!, id: crypto.randomUUID(), personName: `Copy ${i}`, signedInAt: new Date(first!.signedInAt.getTime() - (i + 1) * 60_000), signedOutAt: new Date(first!.signedInAt.getTime() - (i + 1) * 60_000 + 30_000) }));
    for (let i = 0; i < copies.length; i += 500) await env.platform.db.insert(visits).values(copies.slice(i, i + 500));
    const csv = await env.app.inject({ method: 'GET', url: '/api/signin/visits/export.csv', headers: t.owner.headers });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split('\r\n');
    expect(lines).toHaveLength(1 + 2500);
    const ids = new Set(lines.slice(1).map((l) => l.split(',')[12]));
    expect(ids.size).toBe(2500);
    expect(ids.has(first!.id)).toBe(true);
    // Newest first, across the pages' seams.
    const times = lines.slice(1).map((l) => l.split(',')[13]!);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('deletes old visits except protected and open ones when the retention job runs', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const a = await makeMember(env, t, group.id);
    const b = await makeMember(env, t, group.id);
    const c = await makeMember(env, t, group.id);
    const va = (await signIn(kiosk.headers, { groupId: group.id, memberId: a.id })).body.visit.id;
    const vb = (await signIn(kiosk.headers, { groupId: group.id, memberId: b.id })).body.visit.id;
    const vc = (await signIn(kiosk.headers, { groupId: group.id, memberId: c.id })).body.visit.id;
    await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { memberId: a.id } });
    await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { memberId: b.id } });
    expect((await call(env.app, 'PUT', `/api/signin/visits/${vb}/protected`, { headers: t.owner.headers, body: { protected: true } })).status).toBe(200);
    expect((await call(env.app, 'PUT', '/api/signin/settings', { headers: t.owner.headers, body: { retentionDays: 30 } })).body).toEqual({ retentionDays: 30 });
    const services = env.contexts.signin;
    env.clock.advance(31 * 86_400_000);
    try {
      expect(await services.visits.applyRetention()).toBeGreaterThanOrEqual(1);
    } finally {
      env.clock.reset();
    }
    const left = await env.platform.db.select({ id: visits.id }).from(visits).where(eq(visits.tenantId, t.tenantId));
    expect(left.map((v) => v.id).sort()).toEqual([vb, vc].sort());
    expect(left.map((v) => v.id)).not.toContain(va);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'visits.retention_deleted')));
    expect(audit).toHaveLength(1);
  });

  it('signs out manually from the portal, with an audit row', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const m = await makeMember(env, t, group.id);
    const v = (await signIn(kiosk.headers, { groupId: group.id, memberId: m.id })).body.visit.id;
    expect((await call(env.app, 'POST', `/api/signin/visits/${v}/sign-out`, { headers: (await t.as('viewer')).headers })).status).toBe(403);
    const other = await createTestTenant(env);
    expect((await call(env.app, 'POST', `/api/signin/visits/${v}/sign-out`, { headers: other.owner.headers })).status).toBe(404);
    const out = await call(env.app, 'POST', `/api/signin/visits/${v}/sign-out`, { headers: t.owner.headers });
    expect(out.body.signedOutBy).toBe('manual');
    expect((await call(env.app, 'POST', `/api/signin/visits/${v}/sign-out`, { headers: t.owner.headers })).status).toBe(409);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.targetId, v)));
    expect(audit.map((a) => a.action)).toEqual(['visit.signed_out']);
  });
});
