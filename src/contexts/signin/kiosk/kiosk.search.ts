import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database, DbOrTx } from '../../../platform/db/database.js';
import { preparedQuery } from '../../../platform/db/prepared.js';
import { storedNameKey } from '../../../platform/db/name-order.js';
import { likeEscape } from '../members/members.repo.js';

/** Below this word similarity a name is not a match (pg_trgm's default 0.6 misses most typos). */
export const SEARCH_THRESHOLD = 0.3;

export type SearchRow = { id: string; full_name: string; role: string; has_photo: boolean; version: number; on_site: boolean; agreement_due: boolean };

/**
 * Kiosk name search, one statement (decision 030): the members whose name starts with the term
 * (ILIKE 'q%') first, then those with a typo-tolerant word match (word similarity at least
 * SEARCH_THRESHOLD), each by word similarity, then name order (the stored name key,
 * `members.full_name_key`, as every list of people: decision 040) and id; 20 at most. Both paths are answered by
 * the trigram index on full_name, and the word match is read only when fewer than `limit` names
 * start with the term (a gate evaluated before its scan): a two-letter term with hundreds of
 * prefix hits never computes the similarity of the thousand names sharing a trigram with it.
 *
 * The index reads the word match's threshold from `pg_trgm.word_similarity_threshold`: the same
 * gate sets it for this statement's own transaction (`set_config(…, true)`: it reverts when the
 * statement ends, whatever the session's value), and `ws >= SEARCH_THRESHOLD` keeps the results
 * exact even under a lower one. Each path sits in a materialised CTE comparing the tenant and
 * group as text (not indexable), so the planner cannot prefer the (tenant, group) b-tree and test
 * every member of a big group one by one, and other tenants' hits are dropped before they are
 * materialised. Whether a hit is on site or owes the agreement is read for the 20 shown only.
 */
export function searchQuery(tenantId: string, groupId: string, term: string, agreementVersion: string | null, limit: number): SQL {
  return searchSql({ tenantId, groupId, term, prefix: `${likeEscape(term)}%`, agreementVersion, limit }, agreementVersion !== null);
}

type Value<T> = T | Placeholder;

/** The search's statement over values or placeholders (`agreement`: whether the group has an agreement, `agreementVersion` given). */
function searchSql(v: { tenantId: Value<string>; groupId: Value<string>; term: Value<string>; prefix: Value<string>; agreementVersion: Value<string> | null; limit: Value<number> }, agreement: boolean): SQL {
  const { tenantId, groupId, term, prefix, agreementVersion, limit } = v;
  return sql`
    WITH prefixed AS MATERIALIZED (
      SELECT id, full_name, full_name_key, role, photo_key, version, archived_at, deleted_at, word_similarity(${term}, full_name) AS ws
      FROM members
      WHERE full_name ILIKE ${prefix} AND tenant_id::text = ${tenantId} AND group_id::text = ${groupId}
    ), worded AS MATERIALIZED (
      SELECT id, full_name, full_name_key, role, photo_key, version, archived_at, deleted_at, word_similarity(${term}, full_name) AS ws
      FROM members
      WHERE ${term} <% full_name AND tenant_id::text = ${tenantId} AND group_id::text = ${groupId}
        AND (SELECT count(*) FROM (SELECT 1 FROM prefixed p WHERE p.archived_at IS NULL AND p.deleted_at IS NULL LIMIT ${limit}) p) < ${limit}
        AND (SELECT set_config('pg_trgm.word_similarity_threshold', '${sql.raw(String(SEARCH_THRESHOLD))}', true)) IS NOT NULL
    )
    SELECT m.id, m.full_name, m.role, m.photo_key IS NOT NULL AS has_photo, m.version,
      site.member_id IS NOT NULL AS on_site,
      ${agreement ? sql`agreed.member_id IS NULL` : sql`false`} AS agreement_due
    FROM (
      SELECT id, full_name, ${storedNameKey(sql`full_name_key`)} AS name_key, role, photo_key, version, true AS starts, ws FROM prefixed
      WHERE archived_at IS NULL AND deleted_at IS NULL
      UNION ALL
      SELECT id, full_name, ${storedNameKey(sql`full_name_key`)}, role, photo_key, version, false, ws FROM worded
      WHERE archived_at IS NULL AND deleted_at IS NULL AND ws >= ${sql.raw(String(SEARCH_THRESHOLD))}::float8 AND full_name NOT ILIKE ${prefix}
      ORDER BY starts DESC, ws DESC, name_key, id
      LIMIT ${limit}
    ) m
    LEFT JOIN LATERAL (SELECT v.member_id FROM visits v WHERE v.member_id = m.id AND v.signed_out_at IS NULL AND v.outcome = 'signed_in' LIMIT 1) site ON true
    ${agreement ? sql`LEFT JOIN LATERAL (SELECT v.member_id FROM visits v WHERE v.member_id = m.id AND v.agreement_version = ${agreementVersion} LIMIT 1) agreed ON true` : sql``}
    ORDER BY m.starts DESC, m.ws DESC, ${storedNameKey(sql`m.name_key`)}, m.id`;
}

/**
 * The member a scanned QR code names, in the search's row shape, so the kiosk can ask for the
 * agreement and the group's questions before signing in (as it does after a name search). Archived
 * members are returned too: their sign-in is then refused by the safety check with its reason.
 */
export function qrQuery(tenantId: string, groupId: string, qrToken: string, agreementVersion: string | null): SQL {
  return sql`
    SELECT m.id, m.full_name, m.role, m.photo_key IS NOT NULL AS has_photo, m.version,
      EXISTS (SELECT 1 FROM visits v WHERE v.member_id = m.id AND v.signed_out_at IS NULL AND v.outcome = 'signed_in') AS on_site,
      ${agreementVersion === null ? sql`false` : sql`NOT EXISTS (SELECT 1 FROM visits v WHERE v.member_id = m.id AND v.agreement_version = ${agreementVersion})`} AS agreement_due
    FROM members m
    WHERE m.tenant_id = ${tenantId} AND m.group_id = ${groupId} AND m.qr_token = ${qrToken} AND m.deleted_at IS NULL`;
}

/** The columns of a search row, in the statement's order. */
const SEARCH_COLUMNS = ['id', 'full_name', 'role', 'has_photo', 'version', 'on_site', 'agreement_due'] as const;

/**
 * `searchQuery` as two prepared statements (a group with an agreement, one without), built once per
 * service (decision 035): on PostgreSQL each connection parses and plans the search once instead
 * of on every request (0.8–0.9 ms of PostgreSQL's 2.2 ms per search, measured one connection at a
 * time on the bench's 5,000 members), on PGlite one `PREPARE` per session (`Database.prepare`).
 * The plan PostgreSQL keeps for every term (its generic plan) is the one `searchQuery` gets for
 * each: both paths on the trigram index, the word match behind its gate (kiosk.search.db.test.ts).
 */
export function preparedSearch(database: Pick<Database, 'prepare'>) {
  const dialect = new PgDialect();
  const p = { tenantId: sql.placeholder('tenantId'), groupId: sql.placeholder('groupId'), term: sql.placeholder('term'), prefix: sql.placeholder('prefix'), limit: sql.placeholder('limit') };
  const statement = (name: string, agreement: boolean) => {
    const run = preparedQuery(database, name, dialect.sqlToQuery(searchSql({ ...p, agreementVersion: agreement ? sql.placeholder('agreementVersion') : null }, agreement)));
    return async (values: Record<string, unknown>) => (await run(values)).map((r) => Object.fromEntries(SEARCH_COLUMNS.map((c, i) => [c, r[i]])) as SearchRow);
  };
  const plain = statement('kiosk_search', false);
  const withAgreement = statement('kiosk_search_agreement', true);
  return (tenantId: string, groupId: string, term: string, agreementVersion: string | null, limit: number): Promise<SearchRow[]> => {
    const values = { tenantId, groupId, term, prefix: `${likeEscape(term)}%`, limit };
    return agreementVersion === null ? plain(values) : withAgreement({ ...values, agreementVersion });
  };
}

export async function runSearch(tx: DbOrTx, q: SQL): Promise<SearchRow[]> {
  return ((await tx.execute(q)) as unknown as { rows: SearchRow[] }).rows;
}
