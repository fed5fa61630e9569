import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant } from '../../../test/factories.js';
import { makeGroup, makeMember, makeSite } from '../../../test/signin-factories.js';
import { recordTenant } from '../../../test/record-fixtures.js';
import { compareNames, nameKey as jsNameKey } from '../../common/name-key.js';

const env = useTestEnv();

// As written, in byte order (collation C, both databases): capitals, then lower case, then accented initials.
const NAMES = ['Zoe', 'adam', 'Émile', 'Ada', 'eve', 'de Souza', 'Øyvind', 'Oliver', 'Ægir', 'O’Neill'];
const LISTED = ['Ada', 'adam', 'Ægir', 'de Souza', 'Émile', 'eve', 'O’Neill', 'Oliver', 'Øyvind', 'Zoe'];

describe('names are listed in name order, case and accents aside (name_key, migration 0023)', () => {
  it('name_key: lower case, accents off, the letters NFKD keeps whole as plain ones, typographic apostrophes plain; NULL stays NULL', async () => {
    const { rows } = await env.platform.database.query<{ k: string | null }>(`select name_key(x) as k from unnest($1::text[]) with ordinality as v(x, n) order by n`, [['Émile Zoë', 'ŁUKASZ Đorđe', 'O’Brien', 'ﬁona', 'Ægir Ðorđe', 'Straße', 'Þór', 'Œuvre']]);
    expect(rows.map((r) => r.k)).toEqual(['emile zoe', 'lukasz dorde', "o'brien", 'fiona', 'aegir dorde', 'strasse', 'thor', 'oeuvre']);
    const { rows: none } = await env.platform.database.query<{ k: string | null }>('select name_key(NULL) as k');
    expect(none).toEqual([{ k: null }]);
  });

  it("the web app's key (src/common/name-key.ts) is the database's, and sorts as the database does", async () => {
    const names = [...NAMES, 'Émile Zoë', 'ŁUKASZ Đorđe', 'ﬁona', 'Ægir Ðorđe', 'Straße', 'Þór', 'Œuvre', 'ıi', 'O‘Hara', 'Ħal', 'Ŧom', 'ADA'];
    const { rows } = await env.platform.database.query<{ x: string; k: string }>(`select x, name_key(x) as k from unnest($1::text[]) as v(x)`, [names]);
    for (const r of rows) expect(jsNameKey(r.x), r.x).toBe(r.k);
    const { rows: sorted } = await env.platform.database.query<{ x: string }>(`select x from unnest($1::text[]) as v(x) order by name_key(x) collate "C", x collate "C"`, [names]);
    expect([...names].sort(compareNames)).toEqual(sorted.map((r) => r.x));
  });

  it('the members page, the groups and the sites', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t, { name: 'Zebras' });
    for (const n of NAMES) await makeMember(env, t, g.id, { fullName: n });
    const page = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?limit=50`, { headers: t.owner.headers });
    expect(page.body.items.map((m: { fullName: string }) => m.fullName)).toEqual(LISTED);
    // A page at a time: the order holds across pages.
    const second = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?limit=3&offset=3`, { headers: t.owner.headers });
    expect(second.body.items.map((m: { fullName: string }) => m.fullName)).toEqual(LISTED.slice(3, 6));
    for (const n of ['apples', 'Émeraude']) await makeGroup(env, t, { name: n });
    const groups = await call(env.app, 'GET', '/api/signin/groups', { headers: t.owner.headers });
    expect(groups.body.items.map((x: { name: string }) => x.name)).toEqual(['apples', 'Émeraude', 'Zebras']);
    for (const n of ['west site', 'Éast', 'North']) await makeSite(env, t, { name: n });
    const sites = await call(env.app, 'GET', '/api/signin/sites', { headers: t.owner.headers });
    expect(sites.body.items.map((x: { name: string }) => x.name)).toEqual(['Éast', 'North', 'west site']);
  });

  it("the Central Record's profiles, by last name then first name", async () => {
    const t = await createTestTenant(env);
    const r = await recordTenant(env, t);
    for (const [firstName, lastName] of [['Zac', 'de Souza'], ['Amy', 'Zeller'], ['ben', 'Éclair'], ['Al', 'de Souza']]) {
      const made = await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { organisationId: r.org.id, profileTypeId: r.typeId('teaching'), firstName, lastName } });
      expect(made.status).toBe(201);
    }
    const list = await call(env.app, 'GET', '/api/record/profiles', { headers: t.owner.headers });
    expect(list.body.items.map((p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`)).toEqual(['Al de Souza', 'Zac de Souza', 'ben Éclair', 'Amy Zeller']);
  });

  it("the members page reads its index in that order, the keys stored: no sort, no key computed per row; a renamed member moves", async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const made = [];
    for (const n of NAMES) made.push(await makeMember(env, t, g.id, { fullName: n }));
    const plan = await env.platform.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      const res = (await tx.execute(
        sql`EXPLAIN (VERBOSE, COSTS OFF) SELECT doc FROM members WHERE tenant_id = ${t.tenantId} AND group_id = ${g.id} AND deleted_at IS NULL AND archived_at IS NULL ORDER BY full_name_key COLLATE "C", id LIMIT 50`,
      )) as unknown as { rows: Array<Record<string, string>> };
      return res.rows.map((row) => Object.values(row)[0]).join('\n');
    });
    expect(plan).toMatch(/Index Scan using members_live_group_name_idx/);
    expect(plan).not.toMatch(/Sort/);
    expect(plan).not.toMatch(/name_key\(/);
    const zoe = made[0]!;
    const renamed = await call(env.app, 'PATCH', `/api/signin/members/${zoe.id}`, { headers: t.owner.headers, body: { version: 1, fullName: 'Aaron' } });
    expect(renamed.status).toBe(200);
    const page = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?limit=2`, { headers: t.owner.headers });
    expect(page.body.items.map((m: { fullName: string }) => m.fullName)).toEqual(['Aaron', 'Ada']);
  });
});
