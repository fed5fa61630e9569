import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call } from '../../../../test/factories.js';
import { recordProfiles } from '../../record/record.tables.js';
import { integrationJobRuns, integrationPersonLinks } from '../integration.tables.js';
import { integrationTenant } from '../test/integration.testkit.js';

const env = useTestEnv();
const actor = { kind: 'system' as const, id: null, label: 'test' };

type X = Awaited<ReturnType<typeof integrationTenant>>;

async function pushGroup(x: X) {
  const g = await x.group({ name: 'Pushed', type: 'repeat' });
  await x.link(g.id);
  return g;
}
const membersOf = async (x: X, groupId: string) => x.members.listWithGroups(env.platform.db, x.t.tenantId, [groupId]);
const linksOf = async (x: X, groupId: string) => env.platform.db.select().from(integrationPersonLinks).where(and(eq(integrationPersonLinks.tenantId, x.t.tenantId), eq(integrationPersonLinks.groupId, groupId)));
const profile = async (x: X, id: string) => (await call(env.app, 'GET', `/api/record/profiles/${id}`, { headers: x.h })).body;

describe('set-wise push and two-way sync (one batch, a few statements)', () => {
  it("each member gets its own profile's values, new, matched by email and linked ones alike; the sync moves each person's own change", async () => {
    const x = await integrationTenant(env);
    const g = await pushGroup(x);
    const ann = await x.profile({ firstName: 'Ann', lastName: 'Alpha', email: 'ann@school.test', role: 'Teacher' });
    const ben = await x.profile({ firstName: 'Ben', lastName: 'Beta', email: 'ben@school.test', role: 'Cook' });
    const cat = await x.profile({ firstName: 'Cat', lastName: 'Gamma', email: 'cat@school.test', role: 'Caretaker' });
    // Cat is already in the group (not linked): the push takes that member over instead of adding one.
    const existing = await x.member(g.id, { fullName: 'C Gamma', email: 'CAT@school.test', role: '' });

    const first = await x.run('/api/integration/push', { groupId: g.id });
    expect(first).toMatchObject({ status: 'done', total: 3, created: 2, updated: 1 });
    const byEmail = async () => new Map((await membersOf(x, g.id)).map((m) => [m.email, m]));
    let m = await byEmail();
    expect(m.size).toBe(3);
    expect(m.get('ann@school.test')).toMatchObject({ fullName: 'Ann Alpha', role: 'Teacher' });
    expect(m.get('ben@school.test')).toMatchObject({ fullName: 'Ben Beta', role: 'Cook' });
    expect(m.get('cat@school.test')).toMatchObject({ id: existing.id, fullName: 'Cat Gamma', role: 'Caretaker' });
    const links = await linksOf(x, g.id);
    expect(links.map((l) => [l.profileId, l.memberId]).sort()).toEqual(
      [
        [ann.id, m.get('ann@school.test')!.id],
        [ben.id, m.get('ben@school.test')!.id],
        [cat.id, existing.id],
      ].sort(),
    );
    for (const l of links) expect(l.memberVersion).toBe([...m.values()].find((x) => x.id === l.memberId)!.version);

    // Two profiles changed to different values: a second push updates each linked member with its own.
    for (const [p, role] of [[ann, 'Head'], [ben, 'Chef']] as const) {
      const r = await call(env.app, 'PATCH', `/api/record/profiles/${p.id}`, { headers: x.h, body: { version: (await profile(x, p.id)).version, role } });
      expect(r.status).toBe(200);
    }
    expect(await x.run('/api/integration/push', { groupId: g.id })).toMatchObject({ status: 'done', total: 3, created: 0, updated: 3 });
    m = await byEmail();
    expect([...m.values()].map((x) => [x.email, x.role]).sort()).toEqual([
      ['ann@school.test', 'Head'],
      ['ben@school.test', 'Chef'],
      ['cat@school.test', 'Caretaker'],
    ]);
    expect(await x.run('/api/integration/sync', {})).toMatchObject({ updated: 0 }); // nothing echoes

    // Members changed on the sign-in side (different values): the sync gives each profile its own.
    await x.members.update(env.platform.db, x.t.tenantId, m.get('ann@school.test')!.id, { phone: '0700 111' }, actor, 'portal');
    await x.members.update(env.platform.db, x.t.tenantId, m.get('ben@school.test')!.id, { phone: '0700 222', role: 'Head Chef' }, actor, 'portal');
    // And profiles changed on the record side: the sync gives each member its own.
    const catNow = await profile(x, cat.id);
    expect((await call(env.app, 'PATCH', `/api/record/profiles/${cat.id}`, { headers: x.h, body: { version: catNow.version, lastName: 'Delta' } })).status).toBe(200);
    expect(await x.run('/api/integration/sync', {})).toMatchObject({ status: 'done', total: 3, updated: 3 });
    expect(await profile(x, ann.id)).toMatchObject({ phone: '0700 111', role: 'Head' });
    expect(await profile(x, ben.id)).toMatchObject({ phone: '0700 222', role: 'Head Chef' });
    expect((await x.members.get(env.platform.db, x.t.tenantId, existing.id))!.fullName).toBe('Cat Delta');
    const history = (await call(env.app, 'GET', `/api/record/profiles/${ben.id}/history`, { headers: x.h })).body;
    expect(JSON.stringify(history)).toContain('0700 222');
    expect(JSON.stringify(history)).not.toContain('0700 111');
    expect(await x.run('/api/integration/sync', {})).toMatchObject({ updated: 0 });
  });

  it('a batch with one profile the member side refuses fails as a whole (as one by one did); a resumed run creates nobody twice', async () => {
    const x = await integrationTenant(env);
    const g = await pushGroup(x);
    await x.profile({ firstName: 'Ok', lastName: 'One', email: 'ok1@school.test' });
    await x.profile({ firstName: 'Ok', lastName: 'Two', email: 'ok2@school.test' });
    const bad = await x.profile({ firstName: 'Bad', lastName: 'Dates', email: 'bad@school.test' });
    // Left before starting (written straight to the table: the record's own routes refuse it).
    await env.platform.db.update(recordProfiles).set({ startDate: '2025-09-01', leavingDate: '2024-07-31' }).where(eq(recordProfiles.id, bad.id));

    const started = await call(env.app, 'POST', '/api/integration/push', { headers: x.h, body: { groupId: g.id } });
    expect(started.status).toBe(202);
    const runId = started.body.id as string;
    await expect(x.integration.runs.execute(runId)).rejects.toMatchObject({ status: 400, code: 'invalid_dates', details: { field: 'endDate' } });
    const failed = (await call(env.app, 'GET', `/api/integration/runs/${runId}`, { headers: x.h })).body;
    expect(failed).toMatchObject({ status: 'failed', done: 0, created: 0 });
    expect(failed.error).toMatch(/end date is before the start date/);
    // Nothing of the batch was written: not the good ones either.
    expect(await membersOf(x, g.id)).toHaveLength(0);
    expect(await linksOf(x, g.id)).toHaveLength(0);

    // Fixed, the same run is worked again: everyone once.
    await env.platform.db.update(recordProfiles).set({ leavingDate: null }).where(eq(recordProfiles.id, bad.id));
    expect(await x.integration.runs.execute(runId)).toMatchObject({ status: 'done', total: 3, done: 3, created: 3 });
    expect(await membersOf(x, g.id)).toHaveLength(3);

    // The worker dies after its last batch committed, before the run was marked done: resumed, it writes nothing again.
    await env.platform.db
      .update(integrationJobRuns)
      .set({ status: 'running', finishedAt: null, heldBy: 'a-worker-that-was-killed', heartbeatAt: sql`now() - interval '5 minutes'` })
      .where(eq(integrationJobRuns.id, runId));
    expect(await x.integration.runs.execute(runId)).toMatchObject({ status: 'done', total: 3, done: 3, created: 3, updated: 0 });
    const after = await membersOf(x, g.id);
    expect(after).toHaveLength(3);
    expect(after.every((m) => m.version === 1)).toBe(true);
    expect(await linksOf(x, g.id)).toHaveLength(3);
  });
});
