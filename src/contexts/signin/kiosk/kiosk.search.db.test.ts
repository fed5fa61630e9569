import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { createTestTenant } from '../../../../test/factories.js';
import { makeGroup } from '../../../../test/signin-factories.js';
import { likeEscape } from '../members/members.repo.js';
import { members } from '../signin.tables.js';
import { sqlLiteral } from '../../../platform/db/database.js';
import { preparedSearch, runSearch, searchQuery, SEARCH_THRESHOLD } from './kiosk.search.js';

// The kiosk's name search in one statement (decision 030) against its definition, written plainly:
// live members of the group whose name starts with the term, or with a word similarity of at least
// SEARCH_THRESHOLD; prefix hits first, then by word similarity, name order (the name key, as every
// list of people: decision 040) and id; 20 at most.
const env = useTestEnv();

const FIRST = ['Amelia', 'Amir', 'Amos', 'Oliver', 'Priya', 'Sam', 'Pam', 'William', 'Hannah', 'Zoë'];
const LAST = ['Hughes', 'Adams', "O'Connor", 'Smith', 'Hughson', 'Amato', 'Grey_Hall', '100% Jones'];

async function groupOfNames() {
  const t = await createTestTenant(env);
  const group = await makeGroup(env, t);
  // 80 names: 24 start with "Am", many more have "am" or "Hugh" inside; two archived, one removed.
  const names = FIRST.flatMap((f) => LAST.map((l) => `${f} ${l}`));
  await env.platform.db.insert(members).values(
    names.map((fullName, i) => ({
      tenantId: t.tenantId,
      groupId: group.id,
      fullName,
      qrToken: `thr_qr_${randomUUID()}`,
      archivedAt: i === 0 || i === 17 ? new Date() : null,
      deletedAt: i === 9 ? new Date() : null,
    })),
  );
  // Ties whose name order is not their bytes' order: "de Souza" before "Dean" and "Émile" among the E's, as in every list.
  const ties = ['Dean Amato', 'de Souza Amato', 'Émile Amato', 'Eve Amato', 'Fay Amato'];
  await env.platform.db.insert(members).values(ties.map((fullName) => ({ tenantId: t.tenantId, groupId: group.id, fullName, qrToken: `thr_qr_${randomUUID()}` })));
  // The same names in another tenant's group: never found.
  const other = await createTestTenant(env);
  const otherGroup = await makeGroup(env, other);
  await env.platform.db.insert(members).values(names.map((fullName) => ({ tenantId: other.tenantId, groupId: otherGroup.id, fullName, qrToken: `thr_qr_${randomUUID()}` })));
  return { tenantId: t.tenantId, groupId: group.id };
}

/** The definition, with no index, gate or setting: what every search must answer. */
async function reference(tenantId: string, groupId: string, term: string, limit = 20) {
  const prefix = `${likeEscape(term)}%`;
  const res = (await env.platform.db.execute(sql`
    SELECT id, full_name FROM members
    WHERE tenant_id = ${tenantId} AND group_id = ${groupId} AND archived_at IS NULL AND deleted_at IS NULL
      AND (full_name ILIKE ${prefix} OR word_similarity(${term}, full_name) >= ${SEARCH_THRESHOLD}::float8)
    ORDER BY (full_name ILIKE ${prefix}) DESC, word_similarity(${term}, full_name) DESC, name_key(full_name) COLLATE "C", id
    LIMIT ${limit}`)) as unknown as { rows: Array<{ id: string; full_name: string }> };
  return res.rows.map((r) => `${r.full_name} ${r.id}`);
}

const TERMS = ['Amato', 'a', 'Am', 'am', 'AMELIA', 'Ame', 'Amelia Hu', 'sam', 'hug', 'Hghes', 'Hughs', 'adms', "o'con", 'oconnor', 'Grey_', '100%', '%', '_', 'Zoe', 'Zoë', 'zz', 'William Adams', 'Pam Amato'];

describe('the kiosk name search', () => {
  it('answers as its definition for every kind of term: prefix hits first, then word matches, 20 at most', async () => {
    const { tenantId, groupId } = await groupOfNames();
    for (const term of TERMS) {
      const rows = await runSearch(env.platform.db, searchQuery(tenantId, groupId, term, null, 20));
      expect(rows.map((r) => `${r.full_name} ${r.id}`), term).toEqual(await reference(tenantId, groupId, term));
    }
    // A short page, too (the gate counts up to the page's size).
    const five = await runSearch(env.platform.db, searchQuery(tenantId, groupId, 'hug', null, 5));
    expect(five.map((r) => `${r.full_name} ${r.id}`)).toEqual(await reference(tenantId, groupId, 'hug', 5));
  });

  it('answers the same as a prepared statement, run often enough for its generic plan, whose word match stays behind the gate', async () => {
    const { tenantId, groupId } = await groupOfNames();
    const search = preparedSearch(env.platform.database);
    // Twice over every term: more than the five runs after which PostgreSQL may keep a generic plan.
    for (const round of [1, 2]) {
      for (const term of TERMS) {
        const rows = await search(tenantId, groupId, term, null, 20);
        expect(rows.map((r) => `${r.full_name} ${r.id}`), `${term} (${round})`).toEqual(await reference(tenantId, groupId, term));
      }
    }
    const five = await search(tenantId, groupId, 'hug', null, 5);
    expect(five.map((r) => `${r.full_name} ${r.id}`)).toEqual(await reference(tenantId, groupId, 'hug', 5));
    expect(Object.keys(five[0]!).sort()).toEqual(['agreement_due', 'full_name', 'has_photo', 'id', 'on_site', 'role', 'version']);
    expect(typeof five[0]!.has_photo).toBe('boolean');

    // The generic plan (forced): both paths on the trigram index, the word match never run when 21 live names start with the term.
    const texts = new Map<string, string>();
    let params: readonly unknown[] = [];
    await preparedSearch({
      prepare: (name, text) => {
        texts.set(name, text);
        return async (values) => ((params = values), []);
      },
    })(tenantId, groupId, 'Am', null, 20);
    const plan = await env.platform.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`PREPARE kiosk_search_generic AS ${texts.get('kiosk_search')!}`));
      await tx.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`);
      const res = (await tx.execute(sql`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE kiosk_search_generic(${sql.raw(params.map(sqlLiteral).join(', '))})`)) as unknown as { rows: Array<Record<string, string>> };
      await tx.execute(sql`DEALLOCATE kiosk_search_generic`);
      return res.rows.map((r) => Object.values(r)[0]).join('\n');
    });
    expect(plan.match(/Bitmap Index Scan on members_name_trgm_idx/g)).toHaveLength(2);
    expect(plan.slice(plan.indexOf('CTE worded'), plan.indexOf('Append'))).toMatch(/on members members_1 \(never executed\)/);
  });

  it('does not depend on the session’s word similarity threshold, higher or lower', async () => {
    const { tenantId, groupId } = await groupOfNames();
    for (const threshold of ['0.9', '0.05']) {
      for (const term of ['Hghes', 'Amelia Hu', 'adms', 'Am']) {
        const rows = await env.platform.db.transaction(async (tx) => {
          await tx.execute(sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${threshold}, true)`);
          return runSearch(tx, searchQuery(tenantId, groupId, term, null, 20));
        });
        expect(rows.map((r) => `${r.full_name} ${r.id}`), `${term} at ${threshold}`).toEqual(await reference(tenantId, groupId, term));
      }
    }
  });

  it('reads no word matches when enough names start with the term', async () => {
    const { tenantId, groupId } = await groupOfNames();
    const analyse = async (term: string) => {
      const plan = (await env.platform.db.execute(sql`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${searchQuery(tenantId, groupId, term, null, 20)}`)) as unknown as { rows: Array<Record<string, string>> };
      const text = plan.rows.map((r) => Object.values(r)[0]).join('\n');
      // The word match's scan, under its gate in the CTE "worded".
      return text.slice(text.indexOf('CTE worded'), text.indexOf('Append'));
    };
    // 24 names start with "Am" (21 live): the word match is never run.
    expect(await analyse('Am')).toMatch(/on members members_1 \(never executed\)/);
    // Seven live names start with "Amelia": the word match runs.
    expect(await analyse('Amelia')).not.toMatch(/never executed/);
  });
});
