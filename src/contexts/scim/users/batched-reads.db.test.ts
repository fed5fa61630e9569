import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { scimFixture } from '../fixtures/setup.js';
import { createScimUsersService, type ScimCaller } from './users.service.js';

// Every statement sent through the database adapter: which reads shared a statement.
const sent: string[] = [];
const env = useTestEnv({ onStatement: (sql) => sent.push(sql) });

const service = () => createScimUsersService({ db: env.platform.db, database: env.platform.database, now: env.platform.now, members: env.contexts.signin.members });

/** Lookups begun in one tick (they arrive together), and how many batch statements they sent. */
async function together<T>(work: Array<() => Promise<T>>, batch: RegExp) {
  const from = sent.length;
  const settled = await Promise.allSettled(work.map((w) => w()));
  return { settled, batches: sent.slice(from).filter((s) => batch.test(s)).length };
}
const BY_IDS = /unnest\(\$\d+::uuid\[\]\) with ordinality/i;
const BY_NAMES = /unnest\(\$\d+::text\[\]\) with ordinality/i;

describe('SCIM lookups that arrive together are read together (decision 048)', () => {
  it('GET by id: each caller gets exactly what it gets alone (found, unknown, removed, another group’s, any case), on either database', async () => {
    const f = await scimFixture(env);
    const other = await scimFixture(env, f.t);
    const stranger = await scimFixture(env);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await f.scim('POST', '/Users', { userName: `u${i}@example.test`, displayName: `U ${i}` })).body.id as string);
    const theirs = (await other.scim('POST', '/Users', { userName: 'theirs@example.test' })).body.id as string;
    const strangers = (await stranger.scim('POST', '/Users', { userName: 'stranger@example.test' })).body.id as string;
    expect((await f.scim('DELETE', `/Users/${ids[5]}`)).status).toBe(204);
    const s = service();
    const c: ScimCaller = { tenantId: f.t.tenantId, groupId: f.groupId, actor: { kind: 'scim', id: null, label: 'test' } };
    const base = `http://threshold.test${f.base}`;
    const asked = [ids[0]!, ids[1]!.toUpperCase(), '00000000-0000-4000-8000-000000000000', ids[5]!, theirs, strangers, ids[2]!, ids[0]!, 'not-a-uuid', ids[3]!, ids[4]!];
    const alone = [];
    for (const id of asked) alone.push(await Promise.allSettled([s.get(c, id, base)]).then(([r]) => r));
    const { settled, batches } = await together(
      asked.map((id) => () => s.get(c, id, base)),
      BY_IDS,
    );
    expect(batches).toBeGreaterThan(0);
    expect(settled).toEqual(alone);
    expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
    const [first] = settled as Array<PromiseFulfilledResult<{ version: number; json: string }>>;
    expect(JSON.parse(first!.value.json)).toMatchObject({ id: ids[0], userName: 'u0@example.test', meta: { location: `${base}/Users/${ids[0]}` } });
    // Another base URL (another host name) is another batch: each answer names its own.
    const other2 = `http://other.test${f.base}`;
    const both = await Promise.all([s.get(c, ids[0]!, base), s.get(c, ids[0]!, other2), s.get(c, ids[1]!, other2), s.get(c, ids[2]!, base)]);
    expect(both.map((b) => (JSON.parse(b.json) as { meta: { location: string } }).meta.location.split('/scim/')[0])).toEqual(['http://threshold.test', 'http://other.test', 'http://other.test', 'http://threshold.test']);
  });

  it('filter userName eq: each caller gets its own match (any case), none for unknown, removed or another group’s names, on either database', async () => {
    const f = await scimFixture(env);
    const other = await scimFixture(env, f.t);
    for (const n of ['ann', 'bob', 'cy', 'gone']) expect((await f.scim('POST', '/Users', { userName: `${n}@example.test` })).status).toBe(201);
    expect((await other.scim('POST', '/Users', { userName: 'theirs@example.test' })).status).toBe(201);
    const gone = await f.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "gone@example.test"')}`);
    expect((await f.scim('DELETE', `/Users/${(gone.body.Resources as Array<{ id: string }>)[0]!.id}`)).status).toBe(204);
    const s = service();
    const c: ScimCaller = { tenantId: f.t.tenantId, groupId: f.groupId, actor: { kind: 'scim', id: null, label: 'test' } };
    const base = `http://threshold.test${f.base}`;
    const names = ['ann@example.test', 'BOB@Example.Test', 'nobody@example.test', 'gone@example.test', 'theirs@example.test', 'cy@example.test', 'with\0nul', 'ann@example.test', `o'brien "x" {y}`];
    const list = (n: string) => s.listPresented(c, { filter: `userName eq ${JSON.stringify(n)}`, startIndex: '1', count: '10' }, base);
    const alone = [];
    for (const n of names) alone.push(await list(n));
    const { settled, batches } = await together(
      names.map((n) => () => list(n)),
      BY_NAMES,
    );
    expect(batches).toBeGreaterThan(0);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : r.reason))).toEqual(alone);
    expect(alone.map((a) => a?.total)).toEqual([1, 1, 0, 0, 0, 1, 0, 1, 0]);
  });

  it('the batch statement itself answers (not each lookup again alone), on either database', async () => {
    const f = await scimFixture(env);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await f.scim('POST', '/Users', { userName: `b${i}@example.test` })).body.id as string);
    const s = service();
    const c: ScimCaller = { tenantId: f.t.tenantId, groupId: f.groupId, actor: { kind: 'scim', id: null, label: 'test' } };
    const base = `http://threshold.test${f.base}`;
    const from = sent.length;
    const got = await Promise.all(ids.map((id) => s.get(c, id, base)));
    expect(got.map((g) => (JSON.parse(g.json) as { id: string }).id)).toEqual(ids);
    // Statements that read one user by id: on PostgreSQL its SQL text, on PGlite its EXECUTE.
    const single = (st: string) => /^EXECUTE scim_user_json_by_id\(/.test(st) || (/"scim_users"\."member_id" = \$\d+/.test(st) && !/unnest/i.test(st) && /^select/i.test(st));
    // Two run at once alone (maxInFlight), the eight arriving meanwhile in one batch: not ten singles.
    expect(sent.slice(from).filter(single).length).toBeLessThan(ids.length);
  });

  it('through HTTP on PostgreSQL, GETs sent together are answered as alone', async () => {
    const f = await scimFixture(env);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await f.scim('POST', '/Users', { userName: `h${i}@example.test` })).body.id as string);
    const alone = [];
    for (const id of ids) alone.push((await f.scim('GET', `/Users/${id}`)).body);
    const from = sent.length;
    const answers = await Promise.all(ids.map((id) => f.scim('GET', `/Users/${id}`)));
    expect(answers.map((a) => a.body)).toEqual(alone);
    // PGlite runs a statement to its end before another request gets as far: no batch there.
    expect(sent.slice(from).some((st) => BY_IDS.test(st))).toBe(env.platform.database.kind === 'postgres');
  });
});
