import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { visits } from '../signin.tables.js';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { makeGroup, makeMember, makeSite, makeVisit } from '../../../../test/signin-live-fixtures.js';

const env = useTestEnv();
const minute = 60_000;

/** Ticks made on a marshal's phone while offline, sent later with the time they were made. */
describe('roll call ticks sent later (offline marshals)', () => {
  it('merge: two marshals ticking the same person is safe once; a later change by another marshal is not undone; a tick keeps its time', async () => {
    const t = await createTestTenant(env);
    const marshal = await t.as('manager');
    const site = await makeSite(env, t.tenantId, 'North');
    const staff = await makeGroup(env, t.tenantId, site.id, { name: 'Staff' });
    for (const name of ['Ada Lovelace', 'Alan Turing', 'Grace Hopper']) {
      const m = await makeMember(env, t.tenantId, staff.id, name);
      await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: staff.id, memberId: m.id, personName: name });
    }
    const rc = (await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: t.owner.headers, body: {} })).body;
    const entry = (name: string) => rc.entries.find((e: { personName: string }) => e.personName === name)!;
    const tick = (headers: Record<string, string>, name: string, status: string, at?: Date) =>
      call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${entry(name).id}`, { headers, body: { status, ...(at ? { at: at.toISOString() } : {}) } });
    const now = env.platform.now().getTime();

    // Ada: ticked online by the owner and offline (earlier) by the marshal: safe, once, the first time kept.
    expect((await tick(t.owner.headers, 'Ada Lovelace', 'safe')).status).toBe(200);
    const late = await tick(marshal.headers, 'Ada Lovelace', 'safe', new Date(now - 5 * minute));
    expect(late.status).toBe(200);
    expect(late.body.entry).toMatchObject({ status: 'safe' });
    // Alan: ticked safe offline 5 minutes ago, then (online, just now) set back to unaccounted by the owner: the later change stands.
    expect((await tick(t.owner.headers, 'Alan Turing', 'unaccounted')).status).toBe(200);
    expect((await tick(marshal.headers, 'Alan Turing', 'safe', new Date(now - 5 * minute))).body.entry.status).toBe('unaccounted');
    // Grace: ticked offline only: safe, marked at the tick's time (a future time is taken as now).
    const g = await tick(marshal.headers, 'Grace Hopper', 'safe', new Date(now - 3 * minute));
    expect(g.body.entry).toMatchObject({ status: 'safe', markedAt: new Date(now - 3 * minute).toISOString() });

    const view = (await call(env.app, 'GET', `/api/signin/roll-calls/${rc.rollCall.id}`, { headers: t.owner.headers })).body;
    expect(view.rollCall).toMatchObject({ safe: 2, unaccounted: 1 });
    const bad = await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${entry('Grace Hopper').id}`, { headers: marshal.headers, body: { status: 'safe', at: 'yesterday' } });
    expect(bad.status).toBe(400);
  });
});

/** A roll call started on a phone with no connection, sent on reconnect with its start time and ticks. */
describe('roll call started offline (POST /api/signin/sites/:siteId/roll-calls/offline)', () => {
  async function setup() {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t.tenantId, 'North');
    const staff = await makeGroup(env, t.tenantId, site.id, { name: 'Staff' });
    const now = env.platform.now().getTime();
    const visit: Record<string, string> = {};
    for (const name of ['Ada Lovelace', 'Alan Turing', 'Grace Hopper']) {
      const m = await makeMember(env, t.tenantId, staff.id, name);
      visit[name] = (await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: staff.id, memberId: m.id, personName: name, signedInAt: new Date(now - 60 * minute) })).id;
    }
    const url = `/api/signin/sites/${site.id}/roll-calls/offline`;
    return { t, site, staff, now, visit, url };
  }

  it('refuses a stranger (401), a read-only role (403), another tenant’s site (404) and a bad body (400 with the field)', async () => {
    const { t, url } = await setup();
    const other = await createTestTenant(env);
    const body = { startedAt: new Date().toISOString() };
    expect((await call(env.app, 'POST', url, { body })).status).toBe(401);
    const viewer = await t.as('viewer');
    expect((await call(env.app, 'POST', url, { headers: viewer.headers, body })).status).toBe(403);
    expect((await call(env.app, 'POST', url, { headers: other.owner.headers, body })).status).toBe(404);
    const bad = await call(env.app, 'POST', url, { headers: t.owner.headers, body: { startedAt: 'during the drill' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('startedAt');
  });

  it('creates the roll call with the phone’s start time and ticks; who left after the start is still listed; sending it again changes nothing', async () => {
    const { t, site, staff, now, visit, url } = await setup();
    // Grace signed out 2 minutes after the alarm (she is still on the list, as gone); Linus arrived later.
    await env.platform.db.update(visits).set({ signedOutAt: new Date(now - 8 * minute) }).where(eq(visits.id, visit['Grace Hopper']!));
    const linus = await makeMember(env, t.tenantId, staff.id, 'Linus Torvalds');
    const late = await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: staff.id, memberId: linus.id, personName: 'Linus Torvalds', signedInAt: new Date(now - 5 * minute) });
    const startedAt = new Date(now - 10 * minute).toISOString();
    const body = {
      startedAt,
      ticks: [
        { visitId: visit['Ada Lovelace'], status: 'safe', at: new Date(now - 9 * minute).toISOString() },
        { visitId: visit['Alan Turing'], status: 'safe', at: new Date(now - 9 * minute).toISOString() },
        { visitId: visit['Alan Turing'], status: 'unaccounted', at: new Date(now - 8 * minute).toISOString() },
        { visitId: '00000000-0000-4000-8000-000000000000', status: 'safe', at: new Date(now - 8 * minute).toISOString() },
      ],
    };
    const res = await call(env.app, 'POST', url, { headers: t.owner.headers, body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ merged: false, ticks: { applied: 3, unchanged: 0, unmatched: 1 } });
    expect(res.body.rollCall).toMatchObject({ status: 'open', startedAt, total: 4, safe: 1 });
    const byName = (n: string) => res.body.entries.find((e: { personName: string }) => e.personName === n);
    expect(byName('Ada Lovelace')).toMatchObject({ status: 'safe', markedAt: new Date(now - 9 * minute).toISOString() });
    expect(byName('Alan Turing').status).toBe('unaccounted');
    expect(byName('Grace Hopper').signedOutAt).not.toBeNull();
    expect(byName('Linus Torvalds')).toMatchObject({ visitId: late.id, joinedDuring: true });

    const again = await call(env.app, 'POST', url, { headers: t.owner.headers, body });
    expect(again.body).toMatchObject({ merged: true, ticks: { applied: 0, unchanged: 3, unmatched: 1 } });
    expect(again.body.rollCall.id).toBe(res.body.rollCall.id);
    const list = (await call(env.app, 'GET', '/api/signin/roll-calls', { headers: t.owner.headers })).body.items;
    expect(list).toHaveLength(1);
    const started = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'roll_call.started')));
    expect(started).toHaveLength(1);
    expect(started[0]!.data).toMatchObject({ offline: true, startedAt });
  });

  it('merges into the roll call someone started online meanwhile: one roll call, its start time kept, every tick from both', async () => {
    const { t, site, now, visit, url } = await setup();
    const online = (await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: t.owner.headers, body: {} })).body;
    const grace = online.entries.find((e: { personName: string }) => e.personName === 'Grace Hopper');
    expect((await call(env.app, 'POST', `/api/signin/roll-calls/${online.rollCall.id}/entries/${grace.id}`, { headers: t.owner.headers, body: { status: 'safe' } })).status).toBe(200);
    const marshal = await t.as('manager');
    const res = await call(env.app, 'POST', url, {
      headers: marshal.headers,
      body: {
        startedAt: new Date(now - 3 * minute).toISOString(),
        ticks: [
          { visitId: visit['Ada Lovelace'], status: 'safe', at: new Date(now - 2 * minute).toISOString() },
          { visitId: visit['Grace Hopper'], status: 'safe', at: new Date(now - 2 * minute).toISOString() },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ merged: true, ticks: { applied: 1, unchanged: 1, unmatched: 0 } });
    expect(res.body.rollCall).toMatchObject({ id: online.rollCall.id, startedAt: online.rollCall.startedAt, safe: 2, unaccounted: 1 });
    expect((await call(env.app, 'GET', '/api/signin/roll-calls', { headers: t.owner.headers })).body.items).toHaveLength(1);
    const merged = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'roll_call.offline_merged')));
    expect(merged).toHaveLength(1);
  });

  it('ticks a person signed in offline on the phone itself (a paired kiosk) by member, and a visitor by name; a tick naming no one is refused (400), one naming no entry is unmatched', async () => {
    const { t, site, staff, now, url } = await setup();
    const members = (await call(env.app, 'GET', `/api/signin/groups/${staff.id}/members`, { headers: t.owner.headers })).body.items as Array<{ id: string; fullName: string }>;
    const ada = members.find((m) => m.fullName === 'Ada Lovelace')!;
    // The kiosk's queue was replayed first: the visits exist, the phone knows no visit id for them.
    await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: staff.id, personName: 'Vera Visitor', signedInAt: new Date(now - 20 * minute) });
    const at = new Date(now - 2 * minute).toISOString();
    const noOne = await call(env.app, 'POST', url, { headers: t.owner.headers, body: { startedAt: new Date(now - 10 * minute).toISOString(), ticks: [{ status: 'safe', at }] } });
    expect(noOne.status).toBe(400);
    expect(JSON.stringify(noOne.body)).toContain('ticks.0.visitId');
    const r = await call(env.app, 'POST', url, {
      headers: t.owner.headers,
      body: {
        startedAt: new Date(now - 10 * minute).toISOString(),
        ticks: [
          { memberId: ada.id, status: 'safe', at },
          { personName: ' vera visitor ', status: 'safe', at },
          { memberId: '00000000-0000-4000-8000-000000000000', status: 'safe', at },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.ticks).toEqual({ applied: 2, unchanged: 0, unmatched: 1 });
    const status = Object.fromEntries((r.body.entries as Array<{ personName: string; status: string }>).map((e) => [e.personName, e.status]));
    expect(status).toEqual({ 'Ada Lovelace': 'safe', 'Alan Turing': 'unaccounted', 'Grace Hopper': 'unaccounted', 'Vera Visitor': 'safe' });
  });
});
