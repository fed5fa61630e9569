import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call } from '../../../../test/factories.js';
import { heldTransaction, untilWaitingForLock } from '../../../../test/held.js';
import { integrationGroupLinks } from '../integration.tables.js';
import { integrationTenant } from '../test/integration.testkit.js';

const env = useTestEnv();

const linksOf = (groupId: string) => env.platform.db.select().from(integrationGroupLinks).where(eq(integrationGroupLinks.groupId, groupId));

describe('a group linked by several requests at once', () => {
  it('each answers 200, and the group has one link', async () => {
    const x = await integrationTenant(env);
    const group = await x.group({ name: 'Staff', type: 'repeat' });
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(env.app, 'PUT', `/api/integration/groups/${group.id}/link`, { headers: x.h, body: { organisationId: x.rec.org.id } })));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await linksOf(group.id)).toHaveLength(1);
  });
});

// Two connections ordered by hand: registered on PostgreSQL only (PGlite has one connection, so
// nothing overlaps; the PGlite run has the file's other test).
if (process.env.TEST_DB === 'postgres') describe('a group linked by two requests at once (the race made certain)', () => {
  it('a PUT that found no link changes the one another request inserted meanwhile (it was a 500 on the unique index)', async () => {
    const x = await integrationTenant(env);
    const group = await x.group({ name: 'Staff', type: 'repeat' });
    const held = await heldTransaction(env, (tx) => tx.insert(integrationGroupLinks).values({ tenantId: x.t.tenantId, groupId: group.id, organisationId: x.rec.org.id, ratingMode: 'all' }));
    const pending = call(env.app, 'PUT', `/api/integration/groups/${group.id}/link`, { headers: x.h, body: { organisationId: x.rec.org.id, ratingMode: 'none' } });
    await untilWaitingForLock(env);
    await held.commit();
    const second = await pending;
    expect([second.status, second.body.ratingMode]).toEqual([200, 'none']);
    expect((await linksOf(group.id)).map((l) => l.ratingMode)).toEqual(['none']);
  });
});
