import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, scopedUser } from '../../../../test/factories.js';
import { kioskSetup, makeGroup, makeMember, makeSite, pairKiosk } from '../../../../test/signin-factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { notifications } from '../../../platform/notifications/notifications.tables.js';
import { members, visits } from '../signin.tables.js';
import { REPLAY_CHUNK } from './visits.replay.js';

const env = useTestEnv();
const key = () => `k-${randomUUID()}`;
const iso = (ms: number) => new Date(env.clock.now.getTime() + ms).toISOString();

async function replay(headers: Record<string, string>, events: unknown[], sentAt = iso(0)) {
  return call(env.app, 'POST', '/api/kiosk/replay', { headers, body: { sentAt, events } });
}
async function visitsOf(tenantId: string) {
  return env.platform.db.select().from(visits).where(eq(visits.tenantId, tenantId)).orderBy(visits.signedInAt);
}

describe('POST /api/kiosk/replay', () => {
  it('401 without a kiosk token, 401 for a revoked kiosk, 403 for a portal user', async () => {
    const t = await createTestTenant(env);
    const { kiosk } = await kioskSetup(env, t);
    expect((await replay({}, [])).status).toBe(401);
    expect((await replay(t.owner.headers, [])).status).toBe(403);
    await call(env.app, 'POST', `/api/signin/kiosks/${kiosk.deviceId}/revoke`, { headers: t.owner.headers });
    const r = await replay(kiosk.headers, []);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_kiosk_token');
  });

  it('accepts each event once, at its original time, marked recorded offline, in order (sign in then out)', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    const events = [
      { key: key(), kind: 'sign_in', at: iso(-3_600_000), groupId: group.id, memberId: ada.id, admitted: true },
      { key: key(), kind: 'sign_out', at: iso(-1_800_000), memberId: ada.id },
    ];
    const r = await replay(kiosk.headers, events);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['accepted', 'accepted']);
    const again = await replay(kiosk.headers, events);
    expect(again.body.results.map((x: { status: string }) => x.status)).toEqual(['duplicate', 'duplicate']);
    const rows = await visitsOf(t.tenantId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ memberId: ada.id, recordedOffline: true, outcome: 'signed_in', signedOutBy: 'kiosk' });
    expect(rows[0]!.signedInAt.toISOString()).toBe(events[0]!.at);
    expect(rows[0]!.signedOutAt!.toISOString()).toBe(events[1]!.at);
    expect(rows[0]!.reasons.map((x) => x.code)).toEqual(['decided_offline']);
    // The portal shows it as recorded offline.
    const history = await call(env.app, 'GET', '/api/signin/visits', { headers: t.owner.headers });
    expect(history.body.items[0]).toMatchObject({ recordedOffline: true, signedInAt: events[0]!.at });
  });

  it('refuses a tampered member id, a future time and malformed entries, and never lets them block the events behind', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const { group: otherGroup } = await kioskSetup(env, other);
    const foreign = await makeMember(env, other, otherGroup.id);
    const ada = await makeMember(env, t, group.id);
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_in', at: iso(-60_000), groupId: group.id, memberId: foreign.id, admitted: true },
      { key: key(), kind: 'sign_in', at: iso(-60_000), groupId: group.id, memberId: randomUUID(), admitted: true },
      { key: key(), kind: 'sign_in', at: iso(3_600_000), groupId: group.id, memberId: ada.id, admitted: true },
      { key: 'short', kind: 'sign_in' },
      'not an object',
      { key: key(), kind: 'dance', at: iso(0) },
      { key: key(), kind: 'sign_in', at: iso(-30_000), groupId: group.id, memberId: ada.id, admitted: true },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { status: string; code: string }) => `${x.status}:${x.code}`)).toEqual([
      'refused:unknown_member',
      'refused:unknown_member',
      'refused:future_time',
      'refused:malformed_event',
      'refused:malformed_event',
      'refused:malformed_event',
      'accepted:null',
    ]);
    expect(r.body.results[3].key).toBe('short');
    expect(r.body.results[0].reason).toBeTruthy();
    const rows = await visitsOf(t.tenantId);
    expect(rows.map((v) => v.memberId)).toEqual([ada.id]);
    expect(await visitsOf(other.tenantId)).toHaveLength(0);
    // The refusals are audited and in the kiosk's sync log.
    const log = await call(env.app, 'GET', '/api/kiosk/sync-log', { headers: kiosk.headers });
    expect(log.body.items.map((x: { code: string }) => x.code).sort()).toEqual(['future_time', 'unknown_member', 'unknown_member']);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'kiosk.replay_refused')));
    expect(audit).toHaveLength(3);
  });

  it('event times no visit can hold are refused one by one, never a 500 that would leave the queue stuck', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id);
    const bo = await makeMember(env, t, group.id);
    const signIn = (at: string, memberId = ada.id) => ({ key: key(), kind: 'sign_in', at, groupId: group.id, memberId, admitted: true });
    // Year 0 (PostgreSQL has none), year 1 (read back as 2001), and, with a kiosk clock in year
    // 9999, an event corrected to 7,000 years BC (before any timestamp PostgreSQL holds): each its
    // own refusal, and the event behind them accepted.
    const far = await replay(kiosk.headers, [signIn('0000-01-01T00:00:00Z'), signIn('0001-01-01T00:00:00Z'), { key: key(), kind: 'sign_out', at: '1950-06-01T00:00:00Z', memberId: ada.id }, signIn('1990-01-01T00:00:00Z'), signIn('9999-12-31T23:50:00Z', bo.id)], '9999-12-31T23:59:59Z');
    expect(far.status, JSON.stringify(far.body)).toBe(200);
    expect(far.body.results.map((x: { status: string; code: string }) => `${x.status}:${x.code}`)).toEqual(['refused:malformed_event', 'refused:malformed_event', 'refused:past_time', 'refused:past_time', 'conflict:clock_corrected']);
    expect(far.body.results[0].reason).toMatch(/^at: /);
    // A kiosk clock in step and an event of year 1: refused too, nothing written.
    const old = await replay(kiosk.headers, [signIn('0001-01-01T00:00:00Z')]);
    expect(old.body.results.map((x: { status: string; code: string }) => `${x.status}:${x.code}`)).toEqual(['refused:malformed_event']);
    expect((await visitsOf(t.tenantId)).map((v) => v.memberId)).toEqual([bo.id]);
  });

  it('text no database can store (NUL, an unpaired surrogate) refuses its own event only, not the batch (a 400 kept the whole queue waiting)', async () => {
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t);
    const visitors = await makeGroup(env, t, { type: 'standard' }, [site.id]);
    const ada = await makeMember(env, t, group.id);
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_in', at: iso(-60_000), groupId: visitors.id, visitor: { fullName: 'Val\u0000' }, admitted: true },
      { key: `k-\ud800-${randomUUID()}`, kind: 'sign_out', at: iso(-50_000), memberId: ada.id },
      { key: key(), kind: 'sign_in', at: iso(-40_000), groupId: group.id, memberId: ada.id, answers: { ['x\udc00']: 'y' }, admitted: true },
      { key: key(), kind: 'sign_in', at: iso(-30_000), groupId: group.id, memberId: ada.id, admitted: true },
    ]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.results.map((x: { status: string; code: string }) => `${x.status}:${x.code}`)).toEqual(['refused:malformed_event', 'refused:malformed_event', 'refused:malformed_event', 'accepted:null']);
    expect(r.body.results[0].reason).toMatch(/^event\.visitor\.fullName: /);
    expect((await visitsOf(t.tenantId)).map((v) => v.memberId)).toEqual([ada.id]);
    // The rest of the body is still checked as every request's is.
    const bad = await call(env.app, 'POST', '/api/kiosk/replay', { headers: kiosk.headers, body: { sentAt: iso(0), events: [], ['x\u0000']: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_text');
  });

  it('a visitor visits a member of a live group this site shows, not one elsewhere in the trust', async () => {
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t);
    const visitors = await makeGroup(env, t, { type: 'standard' }, [site.id]);
    const here = await makeMember(env, t, group.id, { fullName: 'Here Host' });
    const elsewhereGroup = await makeGroup(env, t, { name: 'Other school staff' }, [(await makeSite(env, t)).id]);
    const elsewhere = await makeMember(env, t, elsewhereGroup.id, { fullName: 'Elsewhere Host' });
    const archivedGroup = await makeGroup(env, t, { name: 'Old staff' }, [site.id]);
    const archivedHost = await makeMember(env, t, archivedGroup.id, { fullName: 'Archived Host' });
    expect((await call(env.app, 'POST', `/api/signin/groups/${archivedGroup.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    const visit = (hostMemberId: string, ms: number) => ({ key: key(), kind: 'sign_in', at: iso(ms), groupId: visitors.id, visitor: { fullName: 'Val Visitor', hostMemberId }, admitted: true });
    const r = await replay(kiosk.headers, [visit(elsewhere.id, -60_000), visit(archivedHost.id, -50_000), visit(here.id, -40_000)]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.results.map((x: { status: string; code: string }) => `${x.status}:${x.code}`)).toEqual(['refused:invalid_host', 'refused:invalid_host', 'accepted:null']);
    expect((await visitsOf(t.tenantId)).map((v) => v.hostMemberId)).toEqual([here.id]);
  });

  it('a kiosk clock far off: the server clock wins and the times move by the difference', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id);
    const hour = 3_600_000;
    // The kiosk's clock is an hour slow: it sent at "now - 1 h" an event at "now - 1.5 h".
    const before = Date.now();
    const r = await replay(kiosk.headers, [{ key: key(), kind: 'sign_in', at: iso(-1.5 * hour), groupId: group.id, memberId: ada.id, admitted: true }], iso(-hour));
    const after = Date.now();
    expect(r.body.results[0]).toMatchObject({ status: 'conflict', code: 'clock_corrected' });
    const [v] = await visitsOf(t.tenantId);
    // Half an hour ago by the server's clock (give or take the request's own duration).
    expect(v!.signedInAt.getTime()).toBeGreaterThanOrEqual(before - 0.5 * hour - 1000);
    expect(v!.signedInAt.getTime()).toBeLessThanOrEqual(after - 0.5 * hour + 1000);
  });

  it('signed out offline after the automatic sign-out: the kiosk time replaces it; after a manual one: ignored', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id);
    const bo = await makeMember(env, t, group.id);
    for (const m of [ada, bo]) expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: m.id } })).status).toBe(201);
    const [va, vb] = [(await visitsOf(t.tenantId)).find((v) => v.memberId === ada.id)!, (await visitsOf(t.tenantId)).find((v) => v.memberId === bo.id)!];
    // Both signed in 3 h ago; Ada was signed out automatically 10 minutes ago.
    for (const v of [va, vb]) await env.platform.db.update(visits).set({ signedInAt: new Date(iso(-3 * 3_600_000)) }).where(eq(visits.id, v.id));
    await env.platform.db.update(visits).set({ signedOutAt: new Date(iso(-600_000)), signedOutBy: 'auto' }).where(eq(visits.id, va.id));
    expect((await call(env.app, 'POST', `/api/signin/visits/${vb.id}/sign-out`, { headers: t.owner.headers })).status).toBe(200);
    const outAt = iso(-3_600_000);
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_out', at: outAt, memberId: ada.id },
      { key: key(), kind: 'sign_out', at: outAt, memberId: bo.id },
    ]);
    expect(r.body.results.map((x: { status: string; code: string }) => `${x.status}:${x.code}`)).toEqual(['conflict:auto_sign_out_replaced', 'conflict:already_signed_out']);
    const after = await visitsOf(t.tenantId);
    expect(after.find((v) => v.id === va.id)).toMatchObject({ signedOutBy: 'kiosk', signedOutAt: new Date(outAt) });
    expect(after.find((v) => v.id === vb.id)).toMatchObject({ signedOutBy: 'manual' });
  });

  it('a member removed meanwhile is recorded (they walked in) and flagged; one signed in online meanwhile is not signed in twice', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const gone = await makeMember(env, t, group.id);
    const here = await makeMember(env, t, group.id);
    // Removed (as a SCIM DELETE does) after the kiosk's last copy.
    await env.platform.db.update(members).set({ deletedAt: env.clock.now }).where(eq(members.id, gone.id));
    expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: here.id } })).status).toBe(201);
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_in', at: iso(-60_000), groupId: group.id, memberId: gone.id, admitted: true },
      { key: key(), kind: 'sign_in', at: iso(-60_000), groupId: group.id, memberId: here.id, admitted: true },
    ]);
    expect(r.body.results.map((x: { status: string; code: string }) => `${x.status}:${x.code}`)).toEqual(['conflict:member_removed_meanwhile', 'conflict:already_signed_in']);
    const rows = await visitsOf(t.tenantId);
    expect(rows.filter((v) => v.memberId === here.id)).toHaveLength(1);
    expect(rows.find((v) => v.memberId === gone.id)).toMatchObject({ outcome: 'signed_in', safetyStatus: 'notified', recordedOffline: true });
  });

  it('a sign-in the server committed while the proxy answered 504: the kiosk queued it offline too, and the replay keeps one visit (tap before or after the commit)', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const early = await makeMember(env, t, group.id);
    const late = await makeMember(env, t, group.id);
    // The online sign-ins commit (the proxy gave up on them and answered 504 to the kiosk).
    for (const m of [early, late]) expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: m.id } })).status).toBe(201);
    // The kiosk, seeing 504 as "unreachable", queued each sign-in: one stamped with the tap before the
    // request (30 s before the commit, a slow proxy), one stamped after it (a kiosk clock a little ahead).
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_in', at: iso(-30_000), groupId: group.id, memberId: early.id, admitted: true },
      { key: key(), kind: 'sign_in', at: iso(2_000), groupId: group.id, memberId: late.id, admitted: true },
    ], iso(3_000));
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { code: string }) => x.code)).toEqual(['already_signed_in', 'already_signed_in']);
    const rows = await visitsOf(t.tenantId);
    expect(rows.map((v) => `${v.memberId === early.id ? 'early' : 'late'}:${v.recordedOffline}`).sort()).toEqual(['early:false', 'late:false']);
  });

  it('a stale outcome allowed offline is flagged; one turned away offline is a rejected visit; visitors sign out by their offline sign-in key', async () => {
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t);
    const visitors = await makeGroup(env, t, { name: 'Visitors', type: 'standard' }, [site.id]);
    const a = await makeMember(env, t, group.id);
    const b = await makeMember(env, t, group.id);
    const visitorKey = key();
    const outAt = iso(-40_000);
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_in', at: iso(-60_000), groupId: group.id, memberId: a.id, admitted: true, stale: true },
      { key: key(), kind: 'sign_in', at: iso(-60_000), groupId: group.id, memberId: b.id, admitted: false },
      { key: visitorKey, kind: 'sign_in', at: iso(-50_000), groupId: visitors.id, visitor: { fullName: 'Val Visitor' }, admitted: true },
      { key: key(), kind: 'sign_out', at: outAt, signInKey: visitorKey },
    ]);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const rows = await visitsOf(t.tenantId);
    expect(rows.find((v) => v.memberId === a.id)).toMatchObject({ outcome: 'signed_in', safetyStatus: 'notified' });
    expect(rows.find((v) => v.memberId === a.id)!.reasons.map((x) => x.code)).toEqual(['stale_safety_check', 'decided_offline']);
    expect(rows.find((v) => v.memberId === b.id)).toMatchObject({ outcome: 'rejected' });
    expect(rows.find((v) => v.personName === 'Val Visitor')).toMatchObject({ outcome: 'signed_in', signedOutBy: 'kiosk', signedOutAt: new Date(outAt) });
  });

  it("a refusal decided offline is told to the group's contacts who reach the kiosk's site, not to one who reaches only another of the group's sites (as at a live sign-in)", async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const [north, south] = [await makeSite(env, t, { name: 'North' }), await makeSite(env, t, { name: 'South' })];
    // One group shown at both schools, so each school's office may be its contact.
    const group = await makeGroup(env, t, { name: 'Supply staff' }, [north.id, south.id]);
    const whole = await t.as('admin');
    const northOffice = await scopedUser(env, t, 'manager', [{ kind: 'site', refId: north.id, level: 'edit' }]);
    const southOffice = await scopedUser(env, t, 'manager', [{ kind: 'site', refId: south.id, level: 'edit' }]);
    const set = await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { contactIds: [whole.id, northOffice.id, southOffice.id] } });
    expect(set.status).toBe(200);
    const kiosk = await pairKiosk(env, t, north.id);
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Offline' });
    const r = await replay(kiosk.headers, [{ key: key(), kind: 'sign_in', at: iso(-60_000), groupId: group.id, memberId: ada.id, admitted: false }]);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['accepted']);
    expect((await visitsOf(t.tenantId)).map((v) => [v.outcome, v.recordedOffline])).toEqual([['rejected', true]]);
    const inboxOf = async (userId: string) => (await env.platform.db.select().from(notifications).where(eq(notifications.userId, userId))).map((n) => n.title);
    expect(await inboxOf(northOffice.id)).toEqual([expect.stringContaining('Ada Offline could not sign in')]);
    expect(await inboxOf(whole.id)).toEqual([expect.stringContaining('Ada Offline could not sign in')]);
    expect(await inboxOf(southOffice.id)).toEqual([]);
  });

  it('a kiosk cannot replay into another site, and its keys are its own', async () => {
    const t = await createTestTenant(env);
    const { group } = await kioskSetup(env, t);
    const { site: site2 } = await kioskSetup(env, t);
    const k2 = await pairKiosk(env, t, site2.id);
    const ada = await makeMember(env, t, group.id);
    const r = await replay(k2.headers, [{ key: key(), kind: 'sign_in', at: iso(-60_000), groupId: group.id, memberId: ada.id, admitted: true }]);
    expect(r.body.results[0]).toMatchObject({ status: 'refused', code: 'unknown_group' });
  });
  it('a queue longer than a chunk: answers per event in order, a key repeated in or across chunks is one visit, a refusal is its own', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    const alan = await makeMember(env, t, group.id, { fullName: 'Alan Turing' });
    const adaIn = { key: key(), kind: 'sign_in', at: iso(-3_600_000), groupId: group.id, memberId: ada.id, admitted: true };
    const alanIn = { key: key(), kind: 'sign_in', at: iso(-3_500_000), groupId: group.id, memberId: alan.id, admitted: true };
    const outAt = iso(-1_800_000);
    const filler = Array.from({ length: REPLAY_CHUNK - 3 }, (_, i) => ({ key: `malformed-${i}`, kind: 'sign_in' }));
    const events = [
      adaIn,
      alanIn,
      adaIn, // the same key again in the same chunk
      ...filler,
      { key: key(), kind: 'sign_out', at: outAt, memberId: ada.id }, // the next chunk: closes the visit of the first
      alanIn, // a key from the chunk before
      { key: key(), kind: 'sign_in', at: iso(-1_000_000), groupId: group.id, memberId: randomUUID(), admitted: true },
    ];
    const r = await replay(kiosk.headers, events);
    expect(r.status).toBe(200);
    const st = r.body.results.map((x: { status: string; code: string | null }) => x.code ?? x.status);
    expect(st.slice(0, 3)).toEqual(['accepted', 'accepted', 'duplicate']);
    expect(r.body.results[2]).toMatchObject({ status: 'duplicate', visitId: r.body.results[0].visitId });
    expect(new Set(st.slice(3, REPLAY_CHUNK))).toEqual(new Set(['malformed_event']));
    expect(r.body.results[REPLAY_CHUNK + 1]).toMatchObject({ status: 'duplicate', visitId: r.body.results[1].visitId });
    expect(st.slice(REPLAY_CHUNK)).toEqual(['accepted', 'duplicate', 'unknown_member']);
    expect(r.body.results[REPLAY_CHUNK]).toMatchObject({ status: 'accepted', visitId: r.body.results[0].visitId });
    const rows = await visitsOf(t.tenantId);
    expect(rows.map((v) => [v.memberId, v.signedOutAt?.toISOString() ?? null])).toEqual([
      [ada.id, outAt],
      [alan.id, null],
    ]);
    const refused = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'kiosk.replay_refused')));
    expect(refused).toHaveLength(1);
    // Sent again (the answer was lost): nothing changes.
    const again = await replay(kiosk.headers, [adaIn, alanIn]);
    expect(again.body.results.map((x: { status: string }) => x.status)).toEqual(['duplicate', 'duplicate']);
    expect(await visitsOf(t.tenantId)).toHaveLength(2);
  });
});

describe('GET /api/kiosk/offline', () => {
  it('gives the minimum: names, roles, QR hashes, on-site, safety with the date it changes; no emails or tokens', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace', email: 'ada@example.test', endDate: '2099-12-31' });
    await makeMember(env, t, group.id, { fullName: 'Early Bird', startDate: '2099-01-01' });
    expect((await call(env.app, 'GET', '/api/kiosk/offline')).status).toBe(401);
    const r = await call(env.app, 'GET', '/api/kiosk/offline', { headers: kiosk.headers });
    expect(r.status).toBe(200);
    const g = r.body.groups.find((x: { id: string }) => x.id === group.id);
    expect(g.offline).toEqual({ maxSafetyAgeHours: 24, whenStale: 'reject', photos: true });
    const a = g.members.find((m: { id: string }) => m.id === ada.id);
    expect(a).toMatchObject({ name: 'Ada Lovelace', onSite: false, safety: { ok: true, validUntil: '2100-01-01' } });
    expect(a.qrHash).toMatch(/^[0-9a-f]{64}$/);
    const early = g.members.find((m: { name: string }) => m.name === 'Early Bird');
    expect(early.safety).toMatchObject({ ok: false, validUntil: '2099-01-01' });
    // Like the online answer, the lobby screen gets no reasons unless the group allows them.
    expect(early.safety.reasons).toEqual(['Please see reception.']);
    const patched = await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { options: { showReasonsOnKiosk: true } } });
    expect(patched.status).toBe(200);
    const shown = await call(env.app, 'GET', '/api/kiosk/offline', { headers: kiosk.headers });
    const early2 = shown.body.groups.find((x: { id: string }) => x.id === group.id).members.find((m: { name: string }) => m.name === 'Early Bird');
    expect(early2.safety.reasons).toEqual(['Not expected before 2099-01-01']);
    expect(JSON.stringify(r.body)).not.toContain('ada@example.test');
    expect(JSON.stringify(r.body)).not.toContain('thr_qr_');
    expect(r.body.maxOfflineHours).toBe(72);
  });
});
