import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call } from '../../../../test/factories.js';
import { heldTransaction, untilWaitingForLock } from '../../../../test/held.js';
import { systemActor } from '../../../platform/audit/audit.js';
import { createGroupsPort } from '../../signin/index.js';
import { integrationPersonLinks } from '../integration.tables.js';
import { integrationTenant } from '../test/integration.testkit.js';

const env = useTestEnv();
type X = Awaited<ReturnType<typeof integrationTenant>>;

const runsOf = async (x: X) => (await call(env.app, 'GET', '/api/integration/runs', { headers: x.h })).body.items as unknown[];
const membersOf = (x: X, groupId: string) => x.members.listWithGroups(env.platform.db, x.t.tenantId, [groupId]);
const linksOf = (x: X, groupId: string) => env.platform.db.select().from(integrationPersonLinks).where(and(eq(integrationPersonLinks.tenantId, x.t.tenantId), eq(integrationPersonLinks.groupId, groupId)));
const archive = async (x: X, groupId: string) => expect((await call(env.app, 'POST', `/api/signin/groups/${groupId}/archive`, { headers: x.h })).status).toBe(200);
/** Sign-in's own archive of the group, in a transaction held open until `commit()`. */
const heldArchive = (x: X, groupId: string) => heldTransaction(env, (tx) => env.contexts.signin.groups.archive(x.t.tenantId, null, groupId, systemActor, new Date(), tx));

describe("the integration's writes into an archived group: 409 group_archived, nothing written", () => {
  it('a push, an import naming the group, or a link refuses it; an import of every linked group leaves it out', async () => {
    const x = await integrationTenant(env);
    const g = await x.group({ name: 'Gone', type: 'repeat' });
    const live = await x.group({ name: 'Live', type: 'repeat' });
    await x.link(g.id);
    await x.link(live.id);
    await x.member(g.id, { fullName: 'Ann Lee' });
    await x.profile({ firstName: 'Bo', lastName: 'Ray' });
    await archive(x, g.id);
    const push = await call(env.app, 'POST', '/api/integration/push', { headers: x.h, body: { groupId: g.id } });
    expect([push.status, push.body.error.code]).toEqual([409, 'group_archived']);
    const named = await call(env.app, 'POST', '/api/integration/import', { headers: x.h, body: { groupIds: [live.id, g.id] } });
    expect([named.status, named.body.error.code, named.body.error.field]).toEqual([409, 'group_archived', 'groupIds.1']);
    const relink = await call(env.app, 'PUT', `/api/integration/groups/${g.id}/link`, { headers: x.h, body: { organisationId: x.rec.org.id } });
    expect([relink.status, relink.body.error.code]).toEqual([409, 'group_archived']);
    expect(await runsOf(x)).toEqual([]);
    const all = await call(env.app, 'POST', '/api/integration/import', { headers: x.h, body: {} });
    expect(all.status).toBe(202);
    expect(all.body.params.groupIds).toEqual([live.id]);
  });

  it('a push or an import started before the archive pushes or imports nothing more once it is archived: the rest is skipped', async () => {
    const x = await integrationTenant(env);
    const g = await x.group({ name: 'Soon gone', type: 'repeat' });
    await x.link(g.id);
    await x.member(g.id, { fullName: 'Ann Lee' });
    await x.profile({ firstName: 'Bo', lastName: 'Ray', email: 'bo@school.test' });
    const before = await membersOf(x, g.id);
    const push = await call(env.app, 'POST', '/api/integration/push', { headers: x.h, body: { groupId: g.id } });
    const imp = await call(env.app, 'POST', '/api/integration/import', { headers: x.h, body: { groupIds: [g.id] } });
    expect([push.status, imp.status]).toEqual([202, 202]);
    await archive(x, g.id);
    for (const run of [push, imp]) {
      await x.integration.runs.execute(run.body.id as string);
      expect((await call(env.app, 'GET', `/api/integration/runs/${run.body.id}`, { headers: x.h })).body).toMatchObject({ status: 'done', total: 1, created: 0, updated: 0, skipped: 1 });
    }
    // The import says why: its group was archived.
    expect((await call(env.app, 'GET', `/api/integration/runs/${imp.body.id}`, { headers: x.h })).body.skippedBy).toEqual({ group_archived: 1, already_linked: 0, excluded: 0, no_profile_type: 0 });
    expect(await membersOf(x, g.id)).toEqual(before);
    expect(await linksOf(x, g.id)).toEqual([]);
  });
});

// Two connections ordered by hand: PostgreSQL only (PGlite has one connection, so nothing overlaps).
// Registered on PostgreSQL only (not skipped: the PGlite run has the file's other tests).
if (process.env.TEST_DB === 'postgres') describe('a group archived while the integration writes into it (the check holds the group, in the write)', () => {
  it('archive first: the push, the import and the link wait for it, then answer 409 group_archived and queue nothing', async () => {
    const x = await integrationTenant(env);
    const linkedGroup = async () => {
      const g = await x.group({ name: 'Linked', type: 'repeat' });
      await x.link(g.id);
      return g.id;
    };
    const starts: Array<[string, (g: string) => string, (g: string) => unknown, () => Promise<string>]> = [
      ['POST', () => '/api/integration/push', (g) => ({ groupId: g }), linkedGroup],
      ['POST', () => '/api/integration/import', (g) => ({ groupIds: [g] }), linkedGroup],
      ['PUT', (g) => `/api/integration/groups/${g}/link`, () => ({ organisationId: x.rec.org.id }), async () => (await x.group({ name: 'Unlinked', type: 'repeat' })).id],
    ];
    // Each on a group of its own: the archive held open, the start seen waiting for the group's row.
    for (const [method, urlOf, bodyOf, groupOf] of starts) {
      const g = await groupOf();
      const archive = await heldArchive(x, g);
      const start = call(env.app, method as 'POST', urlOf(g), { headers: x.h, body: bodyOf(g) });
      await untilWaitingForLock(env);
      await archive.commit();
      const res = await start;
      expect([res.status, res.body.error?.code], urlOf(g)).toEqual([409, 'group_archived']);
    }
    expect(await runsOf(x)).toEqual([]);
    const links = (await call(env.app, 'GET', '/api/integration/links', { headers: x.h })).body.items as Array<{ groupName: string }>;
    expect(links.map((l) => l.groupName)).toEqual(['Linked', 'Linked']);
  });

  it('write first: the archive waits for the transaction that holds the group for a write', async () => {
    const x = await integrationTenant(env);
    const g = await x.group({ name: 'Busy', type: 'repeat' });
    const held = await heldTransaction(env, (tx) => createGroupsPort().holdForWrite(tx, x.t.tenantId, [g.id]));
    expect(held.value.map((r) => [r.id, r.archivedAt])).toEqual([[g.id, null]]);
    const archived = call(env.app, 'POST', `/api/signin/groups/${g.id}/archive`, { headers: x.h });
    await untilWaitingForLock(env);
    await held.commit();
    expect((await archived).status).toBe(200);
  });
});
