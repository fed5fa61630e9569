import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, setScopes } from '../../../../test/factories.js';
import { makeGroup, makeMember, makeSite } from '../../../../test/signin-factories.js';
import { waitFor } from '../../../../test/wait.js';

// Every statement sent through the database adapter.
const sent: string[] = [];
const env = useTestEnv({ onStatement: (sql) => sent.push(sql) });

/** The reads sent while a request was answered (writes behind it, rate limits and jobs apart). */
async function readsOf(url: string, headers: Record<string, string>) {
  const from = sent.length;
  const res = await call(env.app, 'GET', url, { headers });
  return { res, reads: sent.slice(from).filter((sql) => /^\s*select\b/i.test(sql) && !/pgboss\.|rate_counters/i.test(sql)) };
}

describe('the members page (decision 025)', () => {
  it('is one statement once the session is cached: the group, the total and the page presented by the database', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    for (const name of ['Ann Lee', 'Bob Reyes']) await makeMember(env, t, g.id, { fullName: name });
    const url = `/api/signin/groups/${g.id}/members?limit=50`;
    await readsOf(url, t.owner.headers); // the session resolves and is cached
    const warm = await readsOf(url, t.owner.headers);
    expect(warm.res.status).toBe(200);
    expect(warm.res.body.total).toBe(2);
    expect(warm.reads).toHaveLength(1);
    expect(warm.reads[0]).toMatch(/json_agg/);
    const empty = await readsOf(`/api/signin/groups/${(await makeGroup(env, t)).id}/members`, t.owner.headers);
    expect(empty.res.body).toEqual({ items: [], total: 0 });
    expect(empty.reads).toHaveLength(1);
  });

  it('is one statement for a site-scoped caller too: the site check is in it (decision 031)', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const g = await makeGroup(env, t, {}, [site.id]);
    await makeMember(env, t, g.id, { fullName: 'Ann Lee' });
    const scoped = await t.as('viewer');
    const url = `/api/signin/groups/${g.id}/members`;
    // A scope change drops cached sessions (also through NOTIFY, which may land after a request):
    // ask until the session is served from memory.
    const cached = () => waitFor(async () => {
      const r = await readsOf(url, scoped.headers);
      return r.reads.some((sql) => /from "sessions"/.test(sql)) ? undefined : r;
    }, { what: 'the session served from memory' });
    await setScopes(env, t, scoped.id, [{ kind: 'site', refId: site.id }]);
    const seen = await cached();
    expect(seen.res.status).toBe(200);
    expect(seen.res.body.items.map((m: { fullName: string }) => m.fullName)).toEqual(['Ann Lee']);
    expect(seen.reads).toHaveLength(1);
    await setScopes(env, t, scoped.id, [{ kind: 'site', refId: (await makeSite(env, t)).id }]);
    const elsewhere = await cached();
    expect(elsewhere.res.status).toBe(404);
    expect(elsewhere.reads).toHaveLength(1);
  });
});
