import { describe, expect, it, vi } from 'vitest';
import { isBackgroundWrite, useTestEnv } from '../../../../test/harness.js';
import { call } from '../../../../test/factories.js';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { integrationTenant, setTimeZone, zoneWhereDateDiffers } from '../test/integration.testkit.js';
import { todayIn } from '../../record/index.js';
import { recordProfiles } from '../../record/record.tables.js';
import { syncRepo } from './sync.repo.js';
import { integrationRepo } from '../integration.repo.js';

const statements: string[] = [];
const env = useTestEnv({ onStatement: (text) => statements.push(text) });
const actor = { kind: 'system' as const, id: null, label: 'test' };

describe('two-way sync of linked people', () => {
  it('401/403 on the sync route, then member → profile, profile → member, and no echo', async () => {
    const x = await integrationTenant(env);
    expect((await call(env.app, 'POST', '/api/integration/sync')).status).toBe(401);
    const viewer = await x.t.as('viewer');
    expect((await call(env.app, 'POST', '/api/integration/sync', { headers: viewer.headers })).status).toBe(403);

    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const m = await x.member(staff.id, { fullName: 'Sue Sync', email: 'sue@school.test', role: 'Teacher' });
    await x.run('/api/integration/import', {});
    const first = await x.run('/api/integration/sync', {});
    expect(first).toMatchObject({ status: 'done', total: 1, updated: 0 });

    await x.members.update(env.platform.db, x.t.tenantId, m.id, { role: 'Deputy Head', phone: '0700' }, actor, 'portal');
    const second = await x.run('/api/integration/sync', {});
    expect(second).toMatchObject({ updated: 1 });
    const log = (await call(env.app, 'GET', `/api/integration/sync-log?memberId=${m.id}`, { headers: x.h })).body.items;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ direction: 'member_to_profile', status: 'applied' });
    expect(log[0].fields.sort()).toEqual(['phone', 'role']);
    const profileId = log[0].profileId as string;
    const profile = (await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: x.h })).body;
    expect(profile.role).toBe('Deputy Head');

    // The sync's own write does not echo back.
    expect(await x.run('/api/integration/sync', {})).toMatchObject({ updated: 0 });

    const patched = await call(env.app, 'PATCH', `/api/record/profiles/${profileId}`, { headers: x.h, body: { version: profile.version, lastName: 'Synced', email: 'sue.synced@school.test' } });
    expect(patched.status).toBe(200);
    expect(await x.run('/api/integration/sync', {})).toMatchObject({ updated: 1 });
    const member = await x.members.get(env.platform.db, x.t.tenantId, m.id);
    expect(member).toMatchObject({ fullName: 'Sue Synced', email: 'sue.synced@school.test' });
    expect(await x.run('/api/integration/sync', {})).toMatchObject({ updated: 0 });
    const runLog = (await call(env.app, 'GET', `/api/integration/sync-log?profileId=${profileId}`, { headers: x.h })).body.items;
    expect(runLog.map((l: { direction: string }) => l.direction)).toEqual(['member_to_profile', 'profile_to_member']);
    // Each entry names the person (the profile's current name), not only their ids.
    expect(runLog.map((l: { personName: string | null }) => l.personName)).toEqual(['Sue Synced', 'Sue Synced']);
  });

  it('SCIM groups: the identity provider is the source; a record edit of its fields is refused with the reason; archive marks leaving', async () => {
    const x = await integrationTenant(env);
    const scim = await x.group({ name: 'Entra staff', type: 'scim', isStaffGroup: true });
    await x.link(scim.id);
    const m = await x.member(scim.id, { fullName: 'Ida Idp', email: 'ida@school.test', role: 'Teacher' }, 'scim');
    await x.run('/api/integration/import', {});
    await x.run('/api/integration/sync', {});
    const links = await x.integration.sync.logOf(x.t.tenantId, { memberId: m.id });
    expect(links).toHaveLength(0);
    const readiness = await call(env.app, 'PUT', '/api/integration/settings', { headers: x.h, body: { includeRecordInSafetyCheck: true } });
    expect(readiness.status).toBe(200);
    const r = (await call(env.app, 'GET', `/api/integration/members/${m.id}/readiness`, { headers: x.h })).body;
    const profileId = r.profileId as string;
    const reason = await x.integration.sync.idpOwnedReason(env.platform.db, x.t.tenantId, profileId, ['role']);
    expect(reason).toMatch(/identity provider/);

    // The record's own update route refuses the edit up front, naming the field; nothing is written.
    const p = (await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: x.h })).body;
    const refused = await call(env.app, 'PATCH', `/api/record/profiles/${profileId}`, { headers: x.h, body: { version: p.version, role: 'Caretaker' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'idp_owned_field', field: 'role' });
    expect(refused.body.error.message).toMatch(/^role come from the identity provider for members of Entra staff/);
    const unchanged = (await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: x.h })).body;
    expect(unchanged).toMatchObject({ role: 'Teacher', version: p.version });
    // Fields the identity provider does not own can still be edited in the record.
    const dob = await call(env.app, 'PATCH', `/api/record/profiles/${profileId}`, { headers: x.h, body: { version: p.version, dateOfBirth: '1980-02-03' } });
    expect(dob.status).toBe(200);

    // An edit that got into the record some other way is still undone by the sync, with the reason.
    const current = (await x.integration.sync.logOf(x.t.tenantId, { profileId })).length;
    await env.platform.db.update(recordProfiles).set({ role: 'Caretaker', version: dob.body.version + 1 }).where(eq(recordProfiles.id, profileId));
    await x.run('/api/integration/sync', {});
    const after = (await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: x.h })).body;
    expect(after.role).toBe('Teacher');
    const log = (await call(env.app, 'GET', `/api/integration/sync-log?profileId=${profileId}`, { headers: x.h })).body.items;
    expect(log).toHaveLength(current + 1);
    expect(log.at(-1)).toMatchObject({ status: 'refused' });
    expect(log.at(-1).message).toMatch(/identity provider owns role/);

    await x.members.archive(env.platform.db, x.t.tenantId, m.id, actor, 'scim');
    await x.run('/api/integration/sync', {});
    const leaving = (await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: x.h })).body;
    expect(leaving.leavingDate).toBe(todayIn(env.platform.now(), 'Europe/London'));
    expect(leaving.status).toBe('live');
  });

  it("a member the identity provider deactivates leaves on the organisation's today (its time zone), not the UTC date", async () => {
    const x = await integrationTenant(env);
    const zone = zoneWhereDateDiffers(env.platform.now());
    await setTimeZone(env, x.h, x.rec.org.id, zone);
    const scim = await x.group({ name: 'Entra staff', type: 'scim', isStaffGroup: true });
    await x.link(scim.id);
    const m = await x.member(scim.id, { fullName: 'Zia Zone', email: 'zia@school.test', role: 'Teacher' }, 'scim');
    await x.run('/api/integration/import', {});
    await x.members.archive(env.platform.db, x.t.tenantId, m.id, actor, 'scim');
    expect(await x.run('/api/integration/sync', {})).toMatchObject({ updated: 1 });
    const [entry] = await x.integration.sync.logOf(x.t.tenantId, { memberId: m.id });
    const leaving = (await call(env.app, 'GET', `/api/record/profiles/${entry!.profileId}`, { headers: x.h })).body;
    expect(leaving.leavingDate).toBe(todayIn(env.platform.now(), zone));
    expect(leaving.leavingDate).not.toBe(env.platform.now().toISOString().slice(0, 10));
  });

  it('the log names each entry by its profile, or by its member (removed ones too) when it has no profile', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    const [a, b] = [await x.member(staff.id, { fullName: 'Meg Member' }), await x.member(staff.id, { fullName: 'Rem Removed' })];
    await x.members.remove(env.platform.db, x.t.tenantId, b.id, actor, 'portal');
    const p = await x.profile({ firstName: 'Pam', lastName: 'Profile' });
    const at = env.platform.now();
    const row = { tenantId: x.t.tenantId, runId: null, direction: 'member_to_profile' as const, status: 'applied' as const, fields: ['role'], message: '' };
    await syncRepo.logMany(env.platform.db, [
      { ...row, memberId: a.id, profileId: null, at: new Date(at.getTime() - 3000) },
      { ...row, memberId: b.id, profileId: null, at: new Date(at.getTime() - 2000) },
      { ...row, memberId: a.id, profileId: p.id, at: new Date(at.getTime() - 1000) },
      { ...row, memberId: null, profileId: null, at },
    ]);
    expect((await x.integration.sync.logOf(x.t.tenantId, {})).map((l) => l.personName)).toEqual(['Meg Member', 'Rem Removed', 'Pam Profile', null]);
  });

  /** `n` linked people whose member changed (role), as jobs of the per-person sync. */
  async function changedPeople(n: number) {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const members = [];
    for (let i = 0; i < n; i++) members.push(await x.member(staff.id, { fullName: `Per${i} Son`, email: `per${i}@school.test`, role: 'Teacher', startDate: '2024-09-01' }));
    await x.run('/api/integration/import', {});
    for (const m of members) await x.members.update(env.platform.db, x.t.tenantId, m.id, { role: 'Head of Year' }, actor, 'portal');
    const links = await integrationRepo.linksOfMembers(env.platform.db, x.t.tenantId, members.map((m) => m.id));
    const jobs = links.map((l) => ({ id: randomUUID(), data: { tenantId: x.t.tenantId, linkId: l.id } }));
    return { x, links, jobs };
  }
  const roleOf = async (x: Awaited<ReturnType<typeof integrationTenant>>, profileId: string) => (await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: x.h })).body.role as string;

  it('the per-person jobs of many people sync set-wise: the same statements for 2 people as for 8', async () => {
    const counted = async (n: number) => {
      const p = await changedPeople(n);
      const from = statements.length;
      expect(await p.x.integration.sync.syncPeople(p.jobs)).toEqual([]);
      const sent = statements.slice(from).filter((q) => !isBackgroundWrite(q));
      for (const l of p.links) expect(await roleOf(p.x, l.profileId)).toBe('Head of Year');
      return sent.length;
    };
    const two = await counted(2);
    expect(await counted(8)).toBe(two);
    expect(two).toBeLessThanOrEqual(15);
  });

  it('a person whose sync is refused fails alone: the others of the batch are synced, and only that job is answered as failed', async () => {
    const { x, links, jobs } = await changedPeople(3);
    // The second person's profile leaves before the member started: the member side refuses that end date.
    const bad = links[1]!;
    await env.platform.db
      .update(recordProfiles)
      .set({ leavingDate: '2020-01-01', version: sql`${recordProfiles.version} + 1`, updatedAt: new Date(Date.now() + 60_000) })
      .where(eq(recordProfiles.id, bad.profileId));
    const warn = vi.spyOn(env.platform.log, 'warn');
    let said: unknown[][] = [];
    const failed = await x.integration.sync.syncPeople(jobs).finally(() => {
      said = warn.mock.calls.filter((c) => String(c[1]).startsWith('sync: a batch'));
      warn.mockRestore();
    });
    expect(failed.map((f) => f.id)).toEqual([jobs[1]!.id]);
    // The batch's failure is said once, before the one-by-one retry.
    expect(said).toEqual([[expect.objectContaining({ people: 3 }), expect.any(String)]]);
    expect(failed[0]!.error).toMatchObject({ code: 'invalid_dates' });
    expect(await roleOf(x, links[0]!.profileId)).toBe('Head of Year');
    expect(await roleOf(x, links[2]!.profileId)).toBe('Head of Year');
    expect(await roleOf(x, bad.profileId)).toBe('Teacher');
  });
});

