import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, type TestTenant } from '../../../../test/factories.js';
import { makeGroup, makeMember, makeSite } from '../../../../test/signin-factories.js';
import { heldTransaction, untilWaitingForLock } from '../../../../test/held.js';
import { systemActor } from '../../../platform/audit/audit.js';
import { members } from '../signin.tables.js';

const env = useTestEnv();

/** The group archived by sign-in's own archive, in a transaction held open until `commit()`. */
const heldArchive = (t: TestTenant, groupId: string) => heldTransaction(env, (tx) => env.contexts.signin.groups.archive(t.tenantId, null, groupId, systemActor, new Date(), tx));
const rowsOf = (groupId: string) => env.platform.db.select().from(members).where(eq(members.groupId, groupId));

// Two connections ordered by hand: PostgreSQL only (PGlite has one connection, so nothing overlaps).
// Registered on PostgreSQL only (not skipped: the PGlite run has the file's other tests).
if (process.env.TEST_DB === 'postgres') describe('a group archived while a write into it is under way (the check holds the group, in the write)', () => {
  it('archive first: each write into the group waits for the archive, then answers 409 group_archived and writes nothing', async () => {
    const t = await createTestTenant(env);
    const h = t.owner.headers;
    const other = await makeSite(env, t);
    const writes: Array<(g: { id: string }, ann: { id: string; version: number }) => [string, string, unknown]> = [
      (g) => ['POST', `/api/signin/groups/${g.id}/members`, { fullName: 'New Person' }],
      (_, ann) => ['PATCH', `/api/signin/members/${ann.id}`, { role: 'Head', version: ann.version }],
      (g) => ['POST', `/api/signin/groups/${g.id}/members/import`, { csv: 'fullName\nCat Dee' }],
      (_, ann) => ['POST', `/api/signin/members/${ann.id}/qr`, undefined],
      (g) => ['PATCH', `/api/signin/groups/${g.id}`, { name: 'Renamed' }],
      (g) => ['PUT', `/api/signin/sites/${other.id}/groups`, { groupIds: [g.id] }],
    ];
    // Each on a group of its own: the archive held open, the write started (it reads the group live
    // before it writes) and seen waiting for the group's row, then the archive committed.
    for (const writeOf of writes) {
      const g = await makeGroup(env, t);
      const ann = await makeMember(env, t, g.id, { fullName: 'Ann Lee' });
      const before = await rowsOf(g.id);
      const [method, url, body] = writeOf(g, ann);
      const archive = await heldArchive(t, g.id);
      const write = call(env.app, method as 'POST', url, { headers: h, body });
      await untilWaitingForLock(env);
      await archive.commit();
      const res = await write;
      expect([res.status, res.body.error?.code], `${method} ${url}`).toEqual([409, 'group_archived']);
      expect(await rowsOf(g.id), `${method} ${url}`).toEqual(before);
      expect((await call(env.app, 'GET', `/api/signin/groups/${g.id}`, { headers: h })).body.name).toBe(g.name);
    }
    expect((await call(env.app, 'GET', `/api/signin/sites/${other.id}`, { headers: h })).body.groups).toEqual([]);
  });

  it('write first: the archive waits for the write into the group, which commits', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const write = await heldTransaction(env, (tx) => env.contexts.signin.members.create(tx, t.tenantId, g.id, { fullName: 'Early Bird' }, systemActor, 'portal'));
    const archive = call(env.app, 'POST', `/api/signin/groups/${g.id}/archive`, { headers: t.owner.headers });
    await untilWaitingForLock(env);
    await write.commit();
    expect((await archive).status).toBe(200);
    expect((await rowsOf(g.id)).map((m) => m.fullName)).toEqual(['Early Bird']);
    // And after the archive, the same write is refused.
    await expect(env.contexts.signin.members.create(env.platform.db, t.tenantId, g.id, { fullName: 'Late' }, systemActor, 'portal')).rejects.toMatchObject({ status: 409, code: 'group_archived' });
  });
});

describe('the members port on an archived group', () => {
  it("refuses every source's new member and member archive, restore or removal in the write's own statement (its callers' checks before may be overtaken); the sync still updates", async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const ann = await makeMember(env, t, g.id, { fullName: 'Ann Lee' });
    const bo = await makeMember(env, t, g.id, { fullName: 'Bo Ray' });
    const port = env.contexts.signin.members;
    await port.archive(env.platform.db, t.tenantId, bo.id, systemActor, 'portal');
    expect((await call(env.app, 'POST', `/api/signin/groups/${g.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    const before = await rowsOf(g.id);
    const refused = { status: 409, code: 'group_archived' };
    for (const source of ['portal', 'api', 'import'] as const) {
      await expect(port.create(env.platform.db, t.tenantId, g.id, { fullName: 'New' }, systemActor, source), source).rejects.toMatchObject(refused);
      await expect(port.createMany(env.platform.db, t.tenantId, g.id, [{ fullName: 'New' }], systemActor, source), source).rejects.toMatchObject(refused);
      await expect(port.archive(env.platform.db, t.tenantId, ann.id, systemActor, source), source).rejects.toMatchObject(refused);
      await expect(port.restore(env.platform.db, t.tenantId, bo.id, systemActor, source), source).rejects.toMatchObject(refused);
      await expect(port.remove(env.platform.db, t.tenantId, ann.id, systemActor, source), source).rejects.toMatchObject(refused);
    }
    expect(await rowsOf(g.id)).toEqual(before);
    expect((await port.update(env.platform.db, t.tenantId, ann.id, { role: 'Chef' }, systemActor, 'sync')).role).toBe('Chef');
  });
});
