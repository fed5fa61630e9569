import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../platform/db/database.js';
import { MIGRATIONS_FOLDER } from '../../platform/db/migrate.js';
import { withDatabase } from '../../../test/global-setup.js';

/**
 * The facts migrations (record_facts_time_zone_rule_sets, then record_facts_from_checks) from the
 * schema before them with facts stored as yes/no checks: the answers
 * become profile facts with a history row, every stored condition and rule that named them is
 * rewritten in the same transaction, the fact checks go, and the tenant runs "KCSIE 2025".
 */
const files = readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).sort();
const firstOfOurs = files.findIndex((f) => f.includes('_record_facts_time_zone_rule_sets'));
const lastOfOurs = files.findIndex((f) => f.includes('_record_facts_from_checks'));
const before = files.slice(0, firstOfOurs);
const ours = files.slice(firstOfOurs, lastOfOurs + 1);
const statements = (file: string) => readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8').split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean);

let db: Database;
let dropDb: (() => Promise<void>) | null = null;

beforeAll(async () => {
  if (process.env.TEST_DB === 'postgres') {
    const url = process.env.TEST_DATABASE_URL!;
    const name = `${new URL(url).pathname.slice(1)}_facts_migration_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    db = await openDatabase({ kind: 'postgres', url: withDatabase(url, name), max: 2 });
    dropDb = async () => {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}"`);
      await a.end();
    };
  } else {
    db = await openDatabase({ kind: 'pglite' });
  }
  await db.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS citext;');
  for (const f of before) for (const s of statements(f)) await db.exec(s);
}, 120_000);

afterAll(async () => {
  await db?.close();
  await dropDb?.();
});

const cond = (field: string, value: string) => ({ op: 'and', conditions: [{ field, operator: 'equals', value }] });

describe('migration record_facts_from_checks: facts out of checks', () => {
  it('finds its two migrations, in order', () => {
    expect(ours.map((f) => f.replace(/^\d+_/, ''))).toEqual(['record_facts_time_zone_rule_sets.sql', 'record_facts_from_checks.sql']);
  });

  it('keeps the answers as facts with a history row, rewrites conditions, rules and the type map, and removes the fact checks', async () => {
    const q = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await db.query<T>(text, params)).rows;
    const [tenant] = await q<{ id: string }>(`INSERT INTO tenants (name) VALUES ('Northgate') RETURNING id`);
    const tid = tenant!.id;
    const [org] = await q<{ id: string }>(`INSERT INTO record_organisations (tenant_id, name, type) VALUES ($1, 'Northgate Academy', 'academy') RETURNING id`, [tid]);
    const [vol] = await q<{ id: string }>(`INSERT INTO record_profile_types (tenant_id, key, name, built_in) VALUES ($1, 'volunteer', 'Volunteers', true) RETURNING id`, [tid]);
    const check = async (key: string, type: string, condition: unknown = null, allowedWhen: unknown = null) =>
      (await q<{ id: string }>(`INSERT INTO record_checks (tenant_id, key, scope, set_version, section, name, type, requirement, condition, allowed_when) VALUES ($1, $2, 'builtin', 'KCSIE 2025', 'Role', $3, $4, 'statutory', $5, $6) RETURNING id`, [tid, key, key.replace('_', ' '), type, JSON.stringify(condition), JSON.stringify(allowedWhen)]))[0]!.id;
    const supervised = await check('volunteer_supervised', 'yesno');
    const regulated = await check('regulated_activity', 'yesno');
    await check('lived_abroad', 'yesno');
    const barred = await check('barred_list', 'date', cond('check.regulated_activity', 'yes'), { condition: cond('check.volunteer_supervised', 'no'), reason: 'regulated activity only' });
    const risk = await check('risk_assessment', 'date', { op: 'or', conditions: [cond('check.volunteer_supervised', 'yes'), { field: 'check.regulated_activity', operator: 'equals', value: 'no' }] });
    const [profile] = await q<{ id: string }>(`INSERT INTO record_profiles (tenant_id, organisation_id, profile_type_id, first_name, last_name, version) VALUES ($1, $2, $3, 'Sam', 'Helper', 4) RETURNING id`, [tid, org!.id, vol!.id]);
    const pid = profile!.id;
    const value = (checkId: string, v: unknown) => q(`INSERT INTO record_check_values (tenant_id, profile_id, check_id, value) VALUES ($1, $2, $3, $4)`, [tid, pid, checkId, JSON.stringify(v)]);
    await value(supervised, false);
    await value(regulated, true);
    await value(barred, '2025-01-10');
    await q(`INSERT INTO record_rating_systems (tenant_id, key, name, rules) VALUES ($1, 'own', 'Own', $2)`, [tid, JSON.stringify({ volunteer: { require: ['volunteer_supervised', 'barred_list'] }, teaching: { require: 'statutory' } })]);
    await q(`INSERT INTO integration_type_rules (tenant_id, profile_type_id, condition) VALUES ($1, $2, $3)`, [tid, vol!.id, JSON.stringify(cond('check.regulated_activity', 'no'))]);

    for (const f of ours) for (const s of statements(f)) await db.exec(s);

    const [after] = await q<{ facts: Record<string, boolean>; version: number }>(`SELECT facts, version FROM record_profiles WHERE id = $1`, [pid]);
    expect(after).toEqual({ facts: { volunteer_supervised: false, regulated_activity: true }, version: 5 });
    const history = await q<{ field: string; before: string; after: string; version: number }>(`SELECT field, before, after, version FROM record_profile_history WHERE profile_id = $1 ORDER BY field`, [pid]);
    expect(history).toEqual([
      { field: 'About the post: regulated activity', before: 'Recorded as a check: Yes', after: 'Fact about the post: Yes', version: 5 },
      { field: 'About the post: volunteer supervised', before: 'Recorded as a check: No', after: 'Fact about the post: No', version: 5 },
    ]);
    const checks = await q<{ key: string; condition: unknown; allowed_when: unknown }>(`SELECT key, condition, allowed_when FROM record_checks WHERE tenant_id = $1 ORDER BY key`, [tid]);
    expect(checks.map((c) => c.key)).toEqual(['barred_list', 'risk_assessment']);
    expect(checks[0]).toMatchObject({ condition: cond('fact.regulated_activity', 'yes'), allowed_when: { condition: cond('fact.volunteer_supervised', 'no'), reason: 'regulated activity only' } });
    expect(checks[1]!.condition).toEqual({ op: 'or', conditions: [cond('fact.volunteer_supervised', 'yes'), { field: 'fact.regulated_activity', operator: 'equals', value: 'no' }] });
    const values = await q<{ check_id: string }>(`SELECT check_id FROM record_check_values WHERE profile_id = $1`, [pid]);
    expect(values.map((v) => v.check_id)).toEqual([barred]);
    expect(checks.map((c) => c.key)).toContain((await q<{ key: string }>(`SELECT key FROM record_checks WHERE id = $1`, [risk]))[0]!.key);
    const [rules] = await q<{ rules: unknown }>(`SELECT rules FROM record_rating_systems WHERE tenant_id = $1`, [tid]);
    expect(rules!.rules).toEqual({ volunteer: { require: ['barred_list'] }, teaching: { require: 'statutory' } });
    const [typeRule] = await q<{ condition: unknown }>(`SELECT condition FROM integration_type_rules WHERE tenant_id = $1`, [tid]);
    expect(typeRule!.condition).toEqual(cond('fact.regulated_activity', 'no'));
    expect(await q(`SELECT rule_set_version FROM record_settings WHERE tenant_id = $1`, [tid])).toEqual([{ rule_set_version: 'KCSIE 2025' }]);
  });
});
