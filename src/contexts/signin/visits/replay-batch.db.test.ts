import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { kioskSetup, makeMember } from '../../../../test/signin-factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import type { SafetyCheck } from '../safety/safety.types.js';
import { rollCallEntries, webhookDeliveries } from '../live.tables.js';
import { members, visits } from '../signin.tables.js';
import { REPLAY_CHUNK } from './visits.replay.js';

// What deciding a chunk set-wise could break (replay-batch.ts): every case below is one chunk
// (or two), and its answers are those of the events replayed one at a time.

/** Stands for a kiosk online signing a member in while a chunk is being decided (the check has no bulk form, so it runs per sign-in). */
const interloper: { memberId: string | null } = { memberId: null };
const onlineSignIn: SafetyCheck = {
  name: 'online_meanwhile',
  async run(ctx) {
    if (ctx.member && ctx.member.id === interloper.memberId) {
      await ctx.tx.insert(visits).values({ tenantId: ctx.tenantId, siteId: ctx.site.id, groupId: ctx.group.id, memberId: ctx.member.id, personName: ctx.member.fullName, signedInAt: ctx.now, outcome: 'signed_in', safetyStatus: 'passed' }).onConflictDoNothing();
    }
    return { allow: true };
  },
};

const env = useTestEnv({ compose: { safetyChecks: [onlineSignIn] } });
const key = () => `k-${randomUUID()}`;
const iso = (ms: number) => new Date(env.clock.now.getTime() + ms).toISOString();
const min = 60_000;

async function replay(headers: Record<string, string>, events: unknown[]) {
  const r = await call(env.app, 'POST', '/api/kiosk/replay', { headers, body: { sentAt: iso(0), events } });
  expect(r.status).toBe(200);
  return r.body.results as Array<{ key: string | null; status: string; code: string | null; visitId: string | null; recordedAt: string | null }>;
}
const codes = (rs: Array<{ status: string; code: string | null }>) => rs.map((x) => `${x.status}:${x.code}`);
async function visitsOf(tenantId: string) {
  return env.platform.db.select().from(visits).where(eq(visits.tenantId, tenantId)).orderBy(visits.signedInAt);
}

describe('replaying a chunk set-wise', () => {
  it('the same member in, out, in, out, in within one chunk: three visits, each closed by the sign-out after it, as one event at a time', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id);
    const e = (kind: 'sign_in' | 'sign_out', at: number) =>
      kind === 'sign_in' ? { key: key(), kind, at: iso(at), groupId: group.id, memberId: ada.id, admitted: true } : { key: key(), kind, at: iso(at), memberId: ada.id };
    const events = [
      e('sign_out', -100 * min), // before any sign-in: refused
      e('sign_in', -90 * min),
      e('sign_in', -85 * min), // still in: a second open visit is refused as a conflict
      e('sign_out', -80 * min),
      e('sign_out', -75 * min), // already out (by the kiosk): ignored
      e('sign_in', -70 * min),
      e('sign_out', -60 * min),
      e('sign_in', -50 * min),
    ];
    const r = await replay(kiosk.headers, events);
    expect(codes(r)).toEqual([
      'refused:not_signed_in',
      'accepted:null',
      'conflict:already_signed_in',
      'accepted:null',
      'conflict:already_signed_out',
      'accepted:null',
      'accepted:null',
      'accepted:null',
    ]);
    // Each sign-out names the visit it closed; the ignored one the visit that was already closed.
    expect(r[3]!.visitId).toBe(r[1]!.visitId);
    expect(r[4]!.visitId).toBe(r[1]!.visitId);
    expect(r[6]!.visitId).toBe(r[5]!.visitId);
    const rows = await visitsOf(t.tenantId);
    expect(rows.map((v) => [v.id, v.signedInAt.toISOString(), v.signedOutAt?.toISOString() ?? null, v.signedOutBy, v.recordedOffline])).toEqual([
      [r[1]!.visitId, events[1]!.at, events[3]!.at, 'kiosk', true],
      [r[5]!.visitId, events[5]!.at, events[6]!.at, 'kiosk', true],
      [r[7]!.visitId, events[7]!.at, null, null, true],
    ]);
    // The person is on site now (the last visit is open): an online sign-out closes it.
    const out = await call(env.app, 'POST', '/api/kiosk/sign-out', { headers: kiosk.headers, body: { memberId: ada.id } });
    expect(out.status).toBe(200);
    expect(out.body.visit.id).toBe(r[7]!.visitId);
  });

  it('a sign-out in one chunk closes a visit signed in by an earlier chunk, and a visit from before the replay', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id);
    const bo = await makeMember(env, t, group.id);
    expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: bo.id } })).status).toBe(201);
    const filler = Array.from({ length: REPLAY_CHUNK - 1 }, (_, i) => ({ key: `malformed-${i}-${randomUUID()}`, kind: 'sign_in' }));
    const outAt = iso(-10 * min);
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_in', at: iso(-30 * min), groupId: group.id, memberId: ada.id, admitted: true },
      ...filler,
      { key: key(), kind: 'sign_out', at: outAt, memberId: ada.id },
      { key: key(), kind: 'sign_out', at: iso(1000), memberId: bo.id },
    ]);
    expect(codes(r.slice(REPLAY_CHUNK))).toEqual(['accepted:null', 'accepted:null']);
    const rows = await visitsOf(t.tenantId);
    expect(rows.find((v) => v.memberId === ada.id)).toMatchObject({ signedOutBy: 'kiosk', signedOutAt: new Date(outAt) });
    expect(rows.find((v) => v.memberId === bo.id)).toMatchObject({ signedOutBy: 'kiosk', recordedOffline: false });
  });

  it('a duplicate key inside one chunk and across chunks: one visit, the first answer repeated, nothing done twice', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id);
    const signIn = { key: key(), kind: 'sign_in', at: iso(-30 * min), groupId: group.id, memberId: ada.id, admitted: true };
    const signOut = { key: key(), kind: 'sign_out', at: iso(-20 * min), memberId: ada.id };
    const signInAgain = { key: key(), kind: 'sign_in', at: iso(-10 * min), groupId: group.id, memberId: ada.id, admitted: true };
    // In one chunk: the sign-out's key repeated after a later sign-in would close that one if it were worked twice.
    const r = await replay(kiosk.headers, [signIn, signIn, signOut, signInAgain, signOut]);
    expect(r.map((x) => x.status)).toEqual(['accepted', 'duplicate', 'accepted', 'accepted', 'duplicate']);
    expect(r[1]!.visitId).toBe(r[0]!.visitId);
    expect(r[4]).toMatchObject({ visitId: r[0]!.visitId, recordedAt: signOut.at });
    // Across chunks (and batches): the same keys again, beside a new sign-out that does close the open visit.
    const close = { key: key(), kind: 'sign_out', at: iso(-5 * min), memberId: ada.id };
    const again = await replay(kiosk.headers, [signOut, signInAgain, close, signIn]);
    expect(again.map((x) => x.status)).toEqual(['duplicate', 'duplicate', 'accepted', 'duplicate']);
    expect(again[2]!.visitId).toBe(r[3]!.visitId);
    const rows = await visitsOf(t.tenantId);
    expect(rows.map((v) => [v.signedInAt.toISOString(), v.signedOutAt?.toISOString() ?? null])).toEqual([
      [signIn.at, signOut.at],
      [signInAgain.at, close.at],
    ]);
  });

  it('a member removed meanwhile in the middle of a chunk is recorded and flagged; the events around are untouched', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const [a, gone, b] = [await makeMember(env, t, group.id), await makeMember(env, t, group.id), await makeMember(env, t, group.id)];
    await env.platform.db.update(members).set({ deletedAt: env.clock.now }).where(eq(members.id, gone.id));
    const r = await replay(
      kiosk.headers,
      [a, gone, b].flatMap((m, i) => [
        { key: key(), kind: 'sign_in', at: iso(-60 * min + i * min), groupId: group.id, memberId: m.id, admitted: true },
        { key: key(), kind: 'sign_out', at: iso(-30 * min + i * min), memberId: m.id },
      ]),
    );
    expect(codes(r)).toEqual(['accepted:null', 'accepted:null', 'conflict:member_removed_meanwhile', 'accepted:null', 'accepted:null', 'accepted:null']);
    const rows = await visitsOf(t.tenantId);
    expect(rows.map((v) => [v.memberId, v.safetyStatus, v.signedOutBy])).toEqual([
      [a.id, 'passed', 'kiosk'],
      [gone.id, 'notified', 'kiosk'],
      [b.id, 'passed', 'kiosk'],
    ]);
    expect(rows[1]!.reasons.map((x) => x.code)).toEqual(['member_removed_meanwhile', 'decided_offline']);
    const conflicts = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'kiosk.replay_conflict')));
    expect(conflicts.map((x) => x.targetId)).toEqual([rows[1]!.id]);
  });

  it('a malformed entry, an unknown member and bad answers in the middle never block the events behind them', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { options: { customFields: [{ id: 'car', label: 'Car', type: 'yesno', required: false }] } });
    const ada = await makeMember(env, t, group.id);
    const outAt = iso(-10 * min);
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_in', at: iso(-30 * min), groupId: group.id, memberId: ada.id, admitted: true, answers: { car: 'maybe' } },
      { key: key(), kind: 'sign_in', at: iso(-29 * min), groupId: group.id, memberId: ada.id, admitted: true, answers: { car: 'yes' } },
      { key: key(), kind: 'sign_out', at: 'yesterday', memberId: ada.id },
      { key: key(), kind: 'sign_out', at: iso(-20 * min), memberId: randomUUID() },
      { key: key(), kind: 'sign_out', at: outAt, memberId: ada.id },
    ]);
    expect(codes(r)).toEqual(['refused:invalid_answers', 'accepted:null', 'refused:malformed_event', 'refused:unknown_member', 'accepted:null']);
    const rows = await visitsOf(t.tenantId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ answers: { car: 'yes' }, signedOutAt: new Date(outAt) });
  });

  it('an agreement accepted at the first sign-in of a chunk counts for the later ones; the block list is checked for each person', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { options: { safetyCheckMode: 'reject', agreement: { text: 'Wear your badge' } } });
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    const eve = await makeMember(env, t, group.id, { fullName: 'Eve Blocked' });
    expect((await call(env.app, 'POST', '/api/signin/block-list', { headers: t.owner.headers, body: { fullName: 'Eve Blocked', reason: 'test' } })).status).toBe(201);
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_in', at: iso(-30 * min), groupId: group.id, memberId: ada.id, admitted: true, agreementAccepted: true },
      { key: key(), kind: 'sign_out', at: iso(-25 * min), memberId: ada.id },
      { key: key(), kind: 'sign_in', at: iso(-20 * min), groupId: group.id, memberId: ada.id, admitted: true },
      { key: key(), kind: 'sign_in', at: iso(-15 * min), groupId: group.id, memberId: eve.id, admitted: true, agreementAccepted: true },
    ]);
    expect(r.map((x) => x.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const rows = await visitsOf(t.tenantId);
    const version = rows[0]!.agreementVersion;
    expect(version).toBeTruthy();
    // The second visit was let in on the agreement the first accepted: passed, the same version kept.
    expect(rows.map((v) => [v.memberId, v.safetyStatus, v.agreementVersion])).toEqual([
      [ada.id, 'passed', version],
      [ada.id, 'passed', version],
      [eve.id, 'notified', version],
    ]);
    expect(rows[2]!.reasons.map((x) => x.code)).toEqual(['blocked', 'decided_offline']);
  });

  it('when a write finds the database changed since the chunk was read (a member signed in meanwhile), the chunk is worked one event at a time instead', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id);
    const bo = await makeMember(env, t, group.id);
    interloper.memberId = ada.id;
    try {
      const r = await replay(kiosk.headers, [
        { key: key(), kind: 'sign_in', at: iso(-30 * min), groupId: group.id, memberId: bo.id, admitted: true },
        { key: key(), kind: 'sign_in', at: iso(-20 * min), groupId: group.id, memberId: ada.id, admitted: true },
        { key: key(), kind: 'sign_out', at: iso(-10 * min), memberId: bo.id },
      ]);
      expect(codes(r)).toEqual(['accepted:null', 'conflict:already_signed_in', 'accepted:null']);
    } finally {
      interloper.memberId = null;
    }
    const rows = await visitsOf(t.tenantId);
    // One event at a time, Ada's sign-in met the other open visit and was undone with it (its own savepoint).
    expect(rows.map((v) => [v.memberId, v.recordedOffline, v.signedOutBy])).toEqual([[bo.id, true, 'kiosk']]);
  });

  it('the visit events reach the webhooks and an open roll call, each with the visit as it was then', async () => {
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id);
    const bo = await makeMember(env, t, group.id);
    const hook = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: 'https://receiver.invalid/hook', events: ['visit.signed_in', 'visit.signed_out'] } });
    expect(hook.status).toBe(201);
    expect((await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: t.owner.headers, body: {} })).status).toBe(201);
    const r = await replay(kiosk.headers, [
      { key: key(), kind: 'sign_in', at: iso(-30 * min), groupId: group.id, memberId: ada.id, admitted: true },
      { key: key(), kind: 'sign_in', at: iso(-25 * min), groupId: group.id, memberId: bo.id, admitted: true },
      { key: key(), kind: 'sign_out', at: iso(-20 * min), memberId: ada.id },
    ]);
    expect(r.map((x) => x.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const deliveries = await env.platform.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, t.tenantId));
    const bodies = deliveries.map((d) => JSON.parse(d.body) as { type: string; data: { visit: { id: string; signedOutAt: string | null } } });
    // (One transaction: the deliveries share a creation time, so they are compared as a set.)
    expect(bodies.map((b) => JSON.stringify([b.type, b.data.visit.id, b.data.visit.signedOutAt])).sort()).toEqual(
      [
        ['visit.signed_in', r[0]!.visitId, null],
        ['visit.signed_in', r[1]!.visitId, null],
        ['visit.signed_out', r[0]!.visitId, r[2]!.recordedAt],
      ]
        .map((x) => JSON.stringify(x))
        .sort(),
    );
    const entries = await env.platform.db.select().from(rollCallEntries).where(eq(rollCallEntries.tenantId, t.tenantId));
    expect(entries.map((e) => [e.visitId, e.signedOutAt?.toISOString() ?? null]).sort()).toEqual(
      [
        [r[0]!.visitId, r[2]!.recordedAt],
        [r[1]!.visitId, null],
      ].sort(),
    );
  });
});
