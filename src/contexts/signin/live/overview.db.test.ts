import { afterEach, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { pairKiosk } from '../../../../test/signin-factories.js';
import { makeGroup, makeSite, makeVisit } from '../../../../test/signin-live-fixtures.js';
import { eq } from 'drizzle-orm';
import { kioskDevices, sites } from '../signin.tables.js';
import { rollCalls } from '../live.tables.js';

const env = useTestEnv();
const minute = 60_000;
const hour = 60 * minute;
afterEach(() => env.clock.reset());

/** Puts the test clock at an exact instant. */
function setNow(iso: string) {
  env.clock.reset();
  env.clock.advance(new Date(iso).getTime() - env.clock.now.getTime());
  return env.clock.now;
}

describe('sign-in overview', () => {
  it('needs credentials (401), a user’s signin.read (403 for a kiosk), and counts nothing of another tenant', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const otherSite = await makeSite(env, other.tenantId, 'Theirs');
    const otherGroup = await makeGroup(env, other.tenantId, otherSite.id);
    await makeVisit(env, { tenantId: other.tenantId, siteId: otherSite.id, groupId: otherGroup.id, personName: 'Not yours' });
    expect((await call(env.app, 'GET', '/api/signin/overview')).status).toBe(401);
    const kiosk = await pairKiosk(env, other, otherSite.id);
    const asKiosk = await call(env.app, 'GET', '/api/signin/overview', { headers: kiosk.headers });
    expect(asKiosk.status).toBe(403);
    expect(asKiosk.body.error.code).toBe('forbidden');
    const mine = await call(env.app, 'GET', '/api/signin/overview', { headers: t.owner.headers });
    expect(mine.status).toBe(200);
    expect(mine.body.sites).toEqual([]);
    expect(mine.body.totals).toEqual({ onSite: 0, signedInToday: 0, rejectedToday: 0, kiosksOnline: 0, kiosks: 0 });
    expect(mine.body.openRollCalls).toEqual([]);
  });

  it('per site: on site now, today’s sign-ins and rejections on the site’s own day, kiosks online; open roll calls', async () => {
    // 23:30 UTC on 15 June: already 16 June in London (BST), still 15 June at a site on UTC.
    const now = setNow('2026-06-15T23:30:00Z');
    const t = await createTestTenant(env);
    const london = await makeSite(env, t.tenantId, 'London', 'Europe/London');
    const utc = await makeSite(env, t.tenantId, 'Reykjavik', 'UTC');
    const archived = await makeSite(env, t.tenantId, 'Old');
    await env.platform.db.update(sites).set({ archivedAt: now }).where(eq(sites.id, archived.id));
    const lg = await makeGroup(env, t.tenantId, london.id);
    const ug = await makeGroup(env, t.tenantId, utc.id);
    const at = (ms: number) => new Date(now.getTime() - ms);
    // London, 16 June: two in (one still on site), one rejected; 22:45 UTC was 15 June there (on site, not today).
    await makeVisit(env, { tenantId: t.tenantId, siteId: london.id, groupId: lg.id, personName: 'On site', signedInAt: at(10 * minute) });
    await makeVisit(env, { tenantId: t.tenantId, siteId: london.id, groupId: lg.id, personName: 'Left', signedInAt: at(20 * minute), signedOutAt: at(5 * minute) });
    await makeVisit(env, { tenantId: t.tenantId, siteId: london.id, groupId: lg.id, personName: 'Refused', signedInAt: at(15 * minute), outcome: 'rejected' });
    await makeVisit(env, { tenantId: t.tenantId, siteId: london.id, groupId: lg.id, personName: 'Stayed overnight', signedInAt: at(45 * minute) });
    // UTC site: 22:45 is still today; yesterday's open visit is on site but not today's.
    await makeVisit(env, { tenantId: t.tenantId, siteId: utc.id, groupId: ug.id, personName: 'Evening', signedInAt: at(45 * minute), signedOutAt: at(30 * minute) });
    await makeVisit(env, { tenantId: t.tenantId, siteId: utc.id, groupId: ug.id, personName: 'Since yesterday', signedInAt: at(30 * hour) });
    await makeVisit(env, { tenantId: t.tenantId, siteId: archived.id, groupId: lg.id, personName: 'Archived site' });
    await env.platform.db.insert(kioskDevices).values([
      { tenantId: t.tenantId, siteId: london.id, name: 'Front', tokenHash: `h-${t.tenantId}-1`, prefix: 'p1', lastSeenAt: at(2 * minute) },
      { tenantId: t.tenantId, siteId: london.id, name: 'Back', tokenHash: `h-${t.tenantId}-2`, prefix: 'p2', lastSeenAt: at(2 * hour) },
      { tenantId: t.tenantId, siteId: london.id, name: 'Gone', tokenHash: `h-${t.tenantId}-3`, prefix: 'p3', lastSeenAt: at(minute), revokedAt: at(hour) },
      { tenantId: t.tenantId, siteId: utc.id, name: 'Never', tokenHash: `h-${t.tenantId}-4`, prefix: 'p4', lastSeenAt: null },
    ]);
    const [rc] = await env.platform.db
      .insert(rollCalls)
      .values({ tenantId: t.tenantId, siteId: london.id, siteName: 'London', startedAt: at(3 * minute), startedByLabel: 'Owner' })
      .returning();
    await env.platform.db.insert(rollCalls).values({ tenantId: t.tenantId, siteId: utc.id, siteName: 'Reykjavik', status: 'closed', startedAt: at(hour), startedByLabel: 'Owner' });

    const res = await call(env.app, 'GET', '/api/signin/overview', { headers: (await t.as('viewer')).headers });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.asOf)).toBeGreaterThanOrEqual(now.getTime());
    expect(res.body.sites).toEqual([
      { id: london.id, name: 'London', timezone: 'Europe/London', onSite: 2, signedInToday: 2, rejectedToday: 1, kiosks: { online: 1, total: 2 } },
      { id: utc.id, name: 'Reykjavik', timezone: 'UTC', onSite: 1, signedInToday: 1, rejectedToday: 0, kiosks: { online: 0, total: 1 } },
    ]);
    expect(res.body.totals).toEqual({ onSite: 3, signedInToday: 3, rejectedToday: 1, kiosksOnline: 1, kiosks: 3 });
    expect(res.body.openRollCalls).toEqual([{ id: rc!.id, siteId: london.id, siteName: 'London', timezone: 'Europe/London', startedAt: at(3 * minute).toISOString() }]);
  });
});
