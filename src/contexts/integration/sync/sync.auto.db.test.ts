import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call } from '../../../../test/factories.js';
import { waitFor } from '../../../../test/wait.js';
import { JOB_SCHEMA } from '../../../platform/jobs/pgboss.js';
import { integrationTenant } from '../test/integration.testkit.js';
import { IMPORT_NEW_MEMBERS_JOB, SYNC_PERSON_BATCH, SYNC_PERSON_JOB } from '../index.js';
import { INTEGRATION_RUN_JOB } from '../runs/runs.js';
import { integrationRepo } from '../integration.repo.js';

/**
 * Automatic two-way sync: a change on either side queues a per-person sync job in the change's
 * own transaction; the sync's own writes queue nothing (no echo); a sweep catches what was missed.
 * A real worker works the per-person job in this file.
 */
const env = useTestEnv({ configOverrides: { jobPollSeconds: 0.5 } });
const actor = { kind: 'system' as const, id: null, label: 'test' };

beforeAll(async () => {
  const { integration } = env.contexts;
  // As registerIntegrationJobs does: the per-person jobs of a fetch synced together.
  await env.platform.jobs.workMany<{ tenantId: string; linkId: string }>(SYNC_PERSON_JOB, (jobs) => integration.sync.syncPeople(jobs), { batchSize: SYNC_PERSON_BATCH });
  await env.platform.jobs.work<{ tenantId: string; memberIds: string[] }>(IMPORT_NEW_MEMBERS_JOB, async (job) => {
    await integration.people.importNewMembers(job.data.tenantId, job.data.memberIds);
  });
  await env.platform.jobs.work<{ runId: string }>(INTEGRATION_RUN_JOB, async (job) => {
    await integration.runs.execute(job.data.runId);
  });
  await env.platform.jobs.start();
});
afterAll(() => env.platform.jobs.stop());

async function jobsFor(linkId: string) {
  const { rows } = await env.platform.database.query<{ state: string }>(`SELECT state FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data->>'linkId' = $2`, [SYNC_PERSON_JOB, linkId]);
  return rows;
}

async function linkedPerson(x: Awaited<ReturnType<typeof integrationTenant>>, type: 'repeat' | 'scim', input = { fullName: 'Sam Auto', email: `sam.${type}@school.test`, role: 'Teacher' }) {
  const g = await x.group({ name: type === 'scim' ? 'Entra staff' : 'Staff', type, isStaffGroup: true });
  await x.link(g.id);
  const m = await x.member(g.id, input, type === 'scim' ? 'scim' : 'portal');
  // A new member of a linked group is imported by a job (see below).
  const link = await waitFor(async () => (await integrationRepo.linksOfMembers(env.platform.db, x.t.tenantId, [m.id]))[0], { what: 'the new member imported' });
  return { g, m, link };
}

describe('automatic two-way sync', { timeout: 30_000 }, () => {
  it('a portal member change and a record edit each queue one sync; the sync echoes nothing', async () => {
    const x = await integrationTenant(env);
    const { m, link } = await linkedPerson(x, 'repeat');
    expect(await jobsFor(link.id)).toHaveLength(0);

    const member = (await call(env.app, 'GET', `/api/signin/members/${m.id}`, { headers: x.h })).body;
    const patched = await call(env.app, 'PATCH', `/api/signin/members/${m.id}`, { headers: x.h, body: { version: member.version, role: 'Deputy Head', phone: '0700 1' } });
    expect(patched.status).toBe(200);
    const profile = await waitFor(async () => {
      const p = (await call(env.app, 'GET', `/api/record/profiles/${link.profileId}`, { headers: x.h })).body;
      return p.role === 'Deputy Head' ? p : undefined;
    }, { what: 'the profile to follow the member' });
    expect(profile.phone).toBe('0700 1');
    const log = await x.integration.sync.logOf(x.t.tenantId, { memberId: m.id });
    expect(log).toMatchObject([{ direction: 'member_to_profile', status: 'applied', runId: null }]);

    const edit = await call(env.app, 'PATCH', `/api/record/profiles/${link.profileId}`, { headers: x.h, body: { version: profile.version, lastName: 'Automatic' } });
    expect(edit.status).toBe(200);
    await waitFor(async () => (await x.members.get(env.platform.db, x.t.tenantId, m.id))?.fullName === 'Sam Automatic', { what: 'the member to follow the profile' });
    await waitFor(async () => (await jobsFor(link.id)).every((j) => j.state === 'completed'), { what: 'jobs completed' });
    // One job per change made by a person; the sync's own writes (member_to_profile, profile_to_member) queued none.
    expect(await jobsFor(link.id)).toHaveLength(2);
    expect((await x.integration.sync.logOf(x.t.tenantId, { memberId: m.id })).map((l) => l.direction)).toEqual(['member_to_profile', 'profile_to_member']);
  });

  it('SCIM archive queues a sync that marks the profile leaving; the sweep catches a change that queued nothing', async () => {
    const x = await integrationTenant(env);
    const { m, link } = await linkedPerson(x, 'scim');
    await x.members.archive(env.platform.db, x.t.tenantId, m.id, actor, 'scim');
    await waitFor(async () => {
      const p = (await call(env.app, 'GET', `/api/record/profiles/${link.profileId}`, { headers: x.h })).body;
      return p.leavingDate === env.platform.now().toISOString().slice(0, 10);
    }, { what: 'leaving date from the identity provider' });

    const r = await linkedPerson(x, 'repeat');
    // A change marked as the sync's own queues nothing…
    await x.members.update(env.platform.db, x.t.tenantId, r.m.id, { role: 'Caretaker' }, actor, 'sync');
    expect(await jobsFor(r.link.id)).toHaveLength(0);
    // …but the sweep finds the link out of date and queues it (one link a page: it pages through them all).
    expect(await x.integration.sync.sweep(5000, 1)).toBeGreaterThanOrEqual(1);
    expect((await jobsFor(r.link.id)).length).toBe(1);
    await waitFor(async () => (await call(env.app, 'GET', `/api/record/profiles/${r.link.profileId}`, { headers: x.h })).body.role === 'Caretaker', { what: 'swept sync' });
  });

  it('a new member of a linked group gets a profile at once (a job, not the next import); a member of an unlinked group does not', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const other = await x.group({ name: 'Volunteers', type: 'repeat' });
    const created = await call(env.app, 'POST', `/api/signin/groups/${staff.id}/members`, { headers: x.h, body: { fullName: 'Nina New', email: 'nina@school.test', role: 'Teacher' } });
    expect(created.status).toBe(201);
    const loner = await x.member(other.id, { fullName: 'Len Unlinked' });
    const link = await waitFor(async () => (await integrationRepo.linksOfMembers(env.platform.db, x.t.tenantId, [created.body.id]))[0], { what: 'a profile linked to the new member' });
    const profile = (await call(env.app, 'GET', `/api/record/profiles/${link.profileId}`, { headers: x.h })).body;
    expect(profile).toMatchObject({ firstName: 'Nina', lastName: 'New', email: 'nina@school.test', role: 'Teacher', organisationId: x.rec.org.id });
    // The link commits with its batch; the run is marked done just after: wait for that too.
    const runs = await waitFor(async () => {
      const items = (await call(env.app, 'GET', '/api/integration/runs', { headers: x.h })).body.items;
      return items.every((r: { status: string }) => r.status === 'done') && items;
    }, { what: 'the import run to finish' });
    expect(runs).toMatchObject([{ kind: 'import', status: 'done', created: 1, createdBy: 'new member of a linked group' }]);
    expect(await integrationRepo.linksOfMembers(env.platform.db, x.t.tenantId, [loner.id])).toEqual([]);
  });

  it('merged values reach the linked sign-in member by a job queued with the merge', async () => {
    const x = await integrationTenant(env);
    const rec = await x.profile({ firstName: 'Mo', lastName: 'Merge', email: 'mo@school.test', role: 'Head of Science' });
    const { m } = await linkedPerson(x, 'repeat', { fullName: 'Mo Merge', email: 'mo@school.test', role: 'Teacher' });
    const q = (await call(env.app, 'GET', '/api/integration/merge-queue', { headers: x.h })).body.items[0];
    const pair = (await call(env.app, 'GET', `/api/integration/merge-queue/${q.id}`, { headers: x.h })).body;
    const recordSide = pair.kept.id === rec.id ? 'kept' : 'merged';
    const merged = await call(env.app, 'POST', '/api/integration/merges', { headers: x.h, body: { keptProfileId: pair.kept.id, mergedProfileId: pair.merged.id, queueId: q.id, choices: { role: recordSide } } });
    expect(merged.status).toBe(201);
    await waitFor(async () => (await x.members.get(env.platform.db, x.t.tenantId, m.id))?.role === 'Head of Science', { what: "the member to take the merge's role" });
    expect((await x.integration.sync.logOf(x.t.tenantId, { memberId: m.id })).at(-1)).toMatchObject({ direction: 'profile_to_member', fields: ['role'] });
  });
});
