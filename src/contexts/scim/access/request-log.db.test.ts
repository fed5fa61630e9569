import { createGroupsPort } from '../../signin/index.js';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call } from '../../../../test/factories.js';
import { waitFor } from '../../../../test/wait.js';
import { scimFixture } from '../fixtures/setup.js';
import { scimRequestLogBatches } from '../scim.tables.js';
import { createScimAccessService } from './access.service.js';
import { BATCH_SPAN_MS, createRequestLogBuffer, REJECTED_WINDOW_MS, storableText } from './request-log.js';

const env = useTestEnv();
const T = { timeout: 60_000 };
/** A group's logged requests, as the SCIM tab's first page of 200 holds them. */
const rowsOf = async (tenantId: string, groupId: string) => (await createScimAccessService({ ...env.platform, groups: createGroupsPort() }).activity(tenantId, groupId, { limit: 200 })).items;

/**
 * A group's request log written by buffers (as many instances' as asked) on a clock the test
 * sets: `at(ms)` moves it to `t0` + ms; `entry` is a request of the fixture's group (or another).
 */
function logOn(f: Awaited<ReturnType<typeof scimFixture>>, t0: number) {
  const access = createScimAccessService({ ...env.platform, groups: createGroupsPort() });
  let now = t0;
  const errors: unknown[] = [];
  return {
    access,
    errors,
    at: (ms: number) => void (now = t0 + ms),
    buffer: () => createRequestLogBuffer(access, () => new Date(now), (err) => errors.push(err)),
    entry: (path: string, groupId = f.groupId) => ({ tenantId: f.t.tenantId, groupId, method: 'GET', path, status: 200, durationMs: 1, requestId: randomUUID() }),
  };
}

describe('SCIM request log', () => {
  it('stores text PostgreSQL refuses (NUL, a lone surrogate) made storable', T, async () => {
    expect(storableText('/Users?filter=a\u0000b', 100)).toBe('/Users?filter=a\ufffdb');
    expect(storableText('x\ud800y', 100)).toBe('x\ufffdy');
    expect(storableText('ok \ud83d\ude00', 100)).toBe('ok \ud83d\ude00');
    expect(storableText('abcdef', 3)).toBe('abc');
  });

  it('writes a row per group per write, and pages through the batches newest first, two instances\' overlapping ones too', T, async () => {
    const f = await scimFixture(env);
    const other = await scimFixture(env, f.t);
    const t0 = Date.parse('2026-12-07T09:00:00.000Z');
    const { access, errors, at, buffer, entry } = logOn(f, t0);
    // Two instances' buffers, whose writes cover the same moments.
    const one = buffer();
    const two = buffer();
    for (const ms of [0, 2, 4, 6, 8]) {
      at(ms);
      one.add(entry(`/Users/one-${ms}`));
      one.add(entry(`/Users/other-${ms}`, other.groupId));
    }
    for (const ms of [1, 3, 5]) {
      at(ms);
      two.add(entry(`/Users/two-${ms}`));
    }
    await one.flush();
    await two.flush();
    // Then a write of one request each, more than a page's first read of batches takes.
    for (const ms of [10, 12, 14, 16, 18, 20]) {
      at(ms);
      one.add(entry(`/Users/one-${ms}`));
      await one.flush();
    }
    expect(errors).toEqual([]);

    const batches = await env.platform.db.select().from(scimRequestLogBatches).where(eq(scimRequestLogBatches.groupId, f.groupId));
    expect(batches).toHaveLength(8);
    expect(await env.platform.db.select().from(scimRequestLogBatches).where(eq(scimRequestLogBatches.groupId, other.groupId))).toHaveLength(1);

    const newestFirst = ['one-20', 'one-18', 'one-16', 'one-14', 'one-12', 'one-10', 'one-8', 'one-6', 'two-5', 'one-4', 'two-3', 'one-2', 'two-1', 'one-0'].map((p) => `/Users/${p}`);
    expect((await rowsOf(f.t.tenantId, f.groupId)).map((r) => r.path)).toEqual(newestFirst);
    // A page of two at a time, each after the last one's time: every request once, in order.
    const paged: string[] = [];
    let before: Date | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await access.activity(f.t.tenantId, f.groupId, { limit: 2, before });
      paged.push(...page.items.map((r) => r.path));
      expect(page.items.map((r) => r.at.getTime())).toEqual(page.items.map((r) => r.at.getTime()).sort((a, b) => b - a));
      if (!page.nextBefore) break;
      before = new Date(page.nextBefore);
    }
    expect(paged).toEqual(newestFirst);
    expect((await access.status(f.t.tenantId, f.groupId)).lastRequestAt?.getTime()).toBe(t0 + 20);
  });

  it('never splits a moment between pages: a page ends with every request of its last one\'s millisecond', T, async () => {
    const f = await scimFixture(env);
    const t0 = Date.parse('2026-12-07T10:00:00.000Z');
    const { access, errors, at, buffer, entry } = logOn(f, t0);
    const one = buffer();
    const two = buffer();
    at(0);
    one.add(entry('/old-1'));
    at(1);
    one.add(entry('/old-2'));
    // Five requests in one millisecond, written by two instances.
    at(5);
    for (const p of ['/same-1', '/same-2', '/same-3']) one.add(entry(p));
    for (const p of ['/same-4', '/same-5']) two.add(entry(p));
    at(9);
    two.add(entry('/new'));
    await one.flush();
    await two.flush();
    expect(errors).toEqual([]);

    const first = await access.activity(f.t.tenantId, f.groupId, { limit: 2 });
    expect(first.items.map((r) => r.path).slice(0, 1)).toEqual(['/new']);
    expect(first.items.slice(1).map((r) => r.path).sort()).toEqual(['/same-1', '/same-2', '/same-3', '/same-4', '/same-5']);
    expect(first.nextBefore).toBe(new Date(t0 + 5).toISOString());
    const second = await access.activity(f.t.tenantId, f.groupId, { limit: 2, before: new Date(first.nextBefore!) });
    expect(second.items.map((r) => r.path)).toEqual(['/old-2', '/old-1']);
    expect(second.nextBefore).toBeNull();
    // A page that ends just before the moment stops there.
    const exact = await access.activity(f.t.tenantId, f.groupId, { limit: 1 });
    expect(exact.items.map((r) => r.path)).toEqual(['/new']);
    expect(exact.nextBefore).toBe(new Date(t0 + 9).toISOString());
  });

  it('splits a write whose requests span more than a second into rows, and finds a batch that straddles `before`', T, async () => {
    const f = await scimFixture(env);
    const t0 = Date.parse('2026-12-07T11:00:00.000Z');
    const { access, errors, at, buffer: newBuffer, entry } = logOn(f, t0);
    const buffer = newBuffer();
    for (const ms of [0, 600, 1200, 5000]) {
      at(ms);
      buffer.add(entry(`/at-${ms}`));
    }
    await buffer.flush();
    expect(errors).toEqual([]);
    const rows = await env.platform.db.select().from(scimRequestLogBatches).where(eq(scimRequestLogBatches.groupId, f.groupId));
    expect(rows.map((r) => [r.firstAt.getTime() - t0, r.lastAt.getTime() - t0]).sort((a, b) => a[0]! - b[0]!)).toEqual([[0, 600], [1200, 1200], [5000, 5000]]);
    for (const r of rows) expect(r.lastAt.getTime() - r.firstAt.getTime()).toBeLessThanOrEqual(BATCH_SPAN_MS);
    // Before a moment inside the first batch: that batch ends after it, and is still read.
    const inside = await access.activity(f.t.tenantId, f.groupId, { limit: 10, before: new Date(t0 + 300) });
    expect(inside.items.map((r) => r.path)).toEqual(['/at-0']);
    const later = await access.activity(f.t.tenantId, f.groupId, { limit: 1, before: new Date(t0 + 1201) });
    expect(later.items.map((r) => r.path)).toEqual(['/at-1200']);
    expect((await access.activity(f.t.tenantId, f.groupId, { limit: 10, before: new Date(later.nextBefore!) })).items.map((r) => r.path)).toEqual(['/at-600', '/at-0']);
  });

  it('never loses a batch for one bad row: each group\'s requests are written apart, a failing group\'s one by one', T, async () => {
    const f = await scimFixture(env);
    const { errors, buffer: newBuffer, entry } = logOn(f, env.platform.now().getTime());
    const buffer = newBuffer();
    buffer.add(entry('/Users?filter=userName eq "a\u0000"'));
    buffer.add(entry('/Users/\ud800'));
    buffer.add(entry('/Users', randomUUID())); // a group that does not exist: this row alone fails
    for (let i = 0; i < 5; i++) buffer.add(entry(`/Users?startIndex=${i + 1}`));
    await buffer.flush();
    const rows = await rowsOf(f.t.tenantId, f.groupId);
    expect(rows).toHaveLength(7);
    expect(rows.map((r) => r.path)).toContain('/Users?filter=userName eq "a\ufffd"');
    expect(rows.map((r) => r.path)).toContain('/Users/\ufffd');
    expect(errors).toHaveLength(1);
    // The good group's requests, written apart from the bad one's, are still one batch.
    expect(await env.platform.db.select().from(scimRequestLogBatches).where(eq(scimRequestLogBatches.groupId, f.groupId))).toHaveLength(1);
  });

  it('logs a request with a NUL in its filter (and in its error detail) over HTTP', T, async () => {
    const f = await scimFixture(env);
    const res = await f.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "x\u0000"')}`);
    expect(res.status).toBeLessThan(500);
    const rows = await waitFor(async () => {
      const r = await rowsOf(f.t.tenantId, f.groupId);
      return r.some((row) => row.path.includes('%00')) && r;
    }, { what: 'the row of the request with a NUL' });
    for (const row of rows) expect(`${row.path}${row.errorDetail ?? ''}`).not.toContain('\u0000');
  });

  it('counts rejected requests (no or a wrong token) per group: one row, then one count per minute', T, async () => {
    const f = await scimFixture(env);
    for (let i = 0; i < 40; i++) {
      const res = await call(env.app, 'GET', `${f.base}/Users`, { headers: { authorization: `Bearer thr_scim_wrong${i}` } });
      expect(res.status).toBe(401);
    }
    // The first is logged as itself; the other 39 are being counted.
    await waitFor(async () => (await rowsOf(f.t.tenantId, f.groupId)).length === 1, { what: 'the first rejected request' });
    env.clock.advance(REJECTED_WINDOW_MS + 1000);
    try {
      // The next rejection after the minute closes the count and starts a new minute.
      expect((await call(env.app, 'GET', `${f.base}/Users`, { headers: { authorization: 'Bearer thr_scim_late' } })).status).toBe(401);
      const rows = await waitFor(async () => {
        const r = await rowsOf(f.t.tenantId, f.groupId);
        return r.length === 3 && r;
      }, { what: 'the count row and the new first rejection' });
      const counted = rows.find((r) => r.path === '(rejected requests)');
      expect(counted).toMatchObject({ status: 401 });
      expect(counted!.errorDetail).toMatch(/^39 more requests with no or a wrong token since /);
      expect(rows.filter((r) => r.path === '/Users')).toHaveLength(2);
    } finally {
      env.clock.reset();
    }
  });
});
