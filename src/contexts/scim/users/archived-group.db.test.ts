import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { heldTransaction, untilWaitingForLock } from '../../../../test/held.js';
import { systemActor } from '../../../platform/audit/audit.js';
import { members } from '../../signin/signin.tables.js';
import { scimFixture } from '../fixtures/setup.js';

const env = useTestEnv();
const rowsOf = (groupId: string) => env.platform.db.select().from(members).where(eq(members.groupId, groupId));

// Two connections ordered by hand: PostgreSQL only (PGlite has one connection, so nothing overlaps).
// Registered on PostgreSQL only (not skipped: the PGlite run has the file's other tests).
if (process.env.TEST_DB === 'postgres') describe('a SCIM group archived while a create is under way', () => {
  it("archive first: the identity provider's create, whose credential was checked before, waits and writes nothing", async () => {
    const f = await scimFixture(env);
    const archive = await heldTransaction(env, (tx) => env.contexts.signin.groups.archive(f.t.tenantId, null, f.groupId, systemActor, new Date(), tx));
    const create = f.scim('POST', '/Users', { userName: 'late@example.test' });
    await untilWaitingForLock(env);
    await archive.commit();
    const res = await create;
    expect([res.status, res.body.status]).toEqual([409, '409']);
    expect(await rowsOf(f.groupId)).toEqual([]);
  });

});

describe('a SCIM group archived before a create', () => {
  it("refuses the identity provider's create (the archived group's token no longer authenticates: 401) and writes nothing, on either database", async () => {
    const f = await scimFixture(env);
    await env.contexts.signin.groups.archive(f.t.tenantId, null, f.groupId, systemActor, new Date());
    const res = await f.scim('POST', '/Users', { userName: 'after@example.test' });
    expect([res.status, res.body.status]).toEqual([401, '401']);
    expect(await rowsOf(f.groupId)).toEqual([]);
  });
});
