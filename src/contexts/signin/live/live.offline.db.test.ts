import { describe, expect, it } from 'vitest';
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
