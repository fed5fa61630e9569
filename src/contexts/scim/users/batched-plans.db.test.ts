import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { scimFixture } from '../fixtures/setup.js';
import { createScimUsersService, type ScimCaller } from './users.service.js';

// A database of its own (on PostgreSQL): this file removes the statistics of `scim_users`, which
// no other file's plans should feel.
const sent: string[] = [];
const env = useTestEnv({ onStatement: (s) => sent.push(s), databaseDefaults: { application_name: 'threshold-batched-plans-test' } });

const BY_IDS = /unnest\(\$\d+::uuid\[\]\) with ordinality/i;
const BY_NAMES = /unnest\(\$\d+::text\[\]\) with ordinality/i;
const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

/**
 * The plan PostgreSQL makes for a batched lookup's statement (as sent) when it may not look at the
 * values (the generic plan, as for a prepared statement after its fifth run), each placeholder
 * given by what the statement compares it to.
 */
async function genericPlan(statement: string, values: { keys: string; tenantId: string; groupId: string; base: string }): Promise<string> {
  const args = [...statement.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  const byNumber = new Map<number, string>();
  for (const n of new Set(args)) {
    const at = statement.indexOf(`$${n}`);
    const before = statement.slice(Math.max(0, at - 30), at);
    const after = statement.slice(at, at + 12);
    byNumber.set(n, /::(uuid|text)\[\]/.test(after) ? values.keys : /tenant_id = $/.test(before) ? quote(values.tenantId) : /group_id = $/.test(before) ? quote(values.groupId) : quote(values.base));
  }
  const list = [...byNumber.keys()].sort((a, b) => a - b).map((n) => byNumber.get(n)!);
  return env.platform.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`PREPARE plan_probe AS ${statement}`));
    await tx.execute(sql.raw('SET LOCAL plan_cache_mode = force_generic_plan'));
    const res = await tx.execute(sql.raw(`EXPLAIN EXECUTE plan_probe(${list.join(', ')})`));
    await tx.execute(sql.raw('DEALLOCATE plan_probe'));
    const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<Record<string, string>>;
    return rows.map((r) => Object.values(r)[0]).join('\n');
  });
}

describe('batched SCIM lookups take each key’s index, whatever the planner knows (decision 048)', () => {
  it('on a group of 3,000 users whose table has no statistics: an index lookup per key, never the whole group', async () => {
    const f = await scimFixture(env);
    await env.platform.database.exec(`
      INSERT INTO members (tenant_id, group_id, full_name, qr_token)
        SELECT '${f.t.tenantId}', '${f.groupId}', 'Person ' || i, 'plan-probe-' || i FROM generate_series(1, 3000) AS i;
      INSERT INTO scim_users (member_id, tenant_id, group_id, user_name)
        SELECT id, tenant_id, group_id, 'p' || substr(qr_token, 12) || '@example.test' FROM members WHERE group_id = '${f.groupId}';
      DELETE FROM pg_statistic WHERE starelid IN ('scim_users'::regclass, 'members'::regclass);`);
    const s = createScimUsersService({ db: env.platform.db, database: env.platform.database, now: env.platform.now, members: env.contexts.signin.members });
    const c: ScimCaller = { tenantId: f.t.tenantId, groupId: f.groupId, actor: { kind: 'scim', id: null, label: 'test' } };
    const base = `http://threshold.test${f.base}`;
    const { rows } = await env.platform.database.query<{ id: string; user_name: string }>(`SELECT member_id AS id, user_name FROM scim_users WHERE group_id = $1 ORDER BY created_at DESC, member_id LIMIT 5`, [f.groupId]);
    const from = sent.length;
    const found = await Promise.all([...rows.map((r) => s.get(c, r.id, base)), ...rows.map((r) => s.listPresented(c, { filter: `userName eq "${r.user_name}"` }, base))]);
    expect(found.every(Boolean)).toBe(true);
    // The statement's text: as sent on PostgreSQL; on PGlite, in the PREPARE it is sent as once.
    const text = (re: RegExp) =>
      sent
        .slice(from)
        .find((st) => re.test(st))
        ?.trim()
        .replace(/^prepare\s+\S+\s+as\s+/i, '');
    const byIds = text(BY_IDS);
    const byNames = text(BY_NAMES);
    expect(byIds).toBeDefined();
    expect(byNames).toBeDefined();
    const values = { tenantId: f.t.tenantId, groupId: f.groupId, base };
    const idPlan = await genericPlan(byIds!, { ...values, keys: quote(`{${rows.map((r) => r.id).join(',')}}`) });
    expect(idPlan).toMatch(/Nested Loop/);
    expect(idPlan).toMatch(/Index Scan using scim_users_pkey/);
    expect(idPlan).not.toMatch(/scim_users_group_order_idx|Hash Join|Seq Scan on scim_users/);
    const namePlan = await genericPlan(byNames!, { ...values, keys: quote(`{${rows.map((r) => `"${r.user_name}"`).join(',')}}`) });
    expect(namePlan).toMatch(/Index Scan using scim_users_group_user_name_unique/);
    expect(namePlan).not.toMatch(/scim_users_group_order_idx|Hash Join|Seq Scan on scim_users/);
  });
});
