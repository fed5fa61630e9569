import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { likeEscape } from '../members/members.repo.js';

/** Below this word similarity a name is not a match (pg_trgm's default 0.6 misses most typos). */
export const SEARCH_THRESHOLD = 0.3;

export type SearchRow = { id: string; full_name: string; role: string; has_photo: boolean; version: number; on_site: boolean; agreement_due: boolean };

/**
 * Kiosk name search, one statement (decision 030): the members whose name starts with the term
 * (ILIKE 'q%') first, then those with a typo-tolerant word match (word similarity at least
 * SEARCH_THRESHOLD), each by word similarity, name and id; 20 at most. Both paths are answered by
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
  const prefix = `${likeEscape(term)}%`;
  return sql`
    WITH prefixed AS MATERIALIZED (
      SELECT id, full_name, role, photo_key, version, archived_at, deleted_at, word_similarity(${term}, full_name) AS ws
      FROM members
      WHERE full_name ILIKE ${prefix} AND tenant_id::text = ${tenantId} AND group_id::text = ${groupId}
    ), worded AS MATERIALIZED (
      SELECT id, full_name, role, photo_key, version, archived_at, deleted_at, word_similarity(${term}, full_name) AS ws
      FROM members
      WHERE ${term} <% full_name AND tenant_id::text = ${tenantId} AND group_id::text = ${groupId}
        AND (SELECT count(*) FROM (SELECT 1 FROM prefixed p WHERE p.archived_at IS NULL AND p.deleted_at IS NULL LIMIT ${limit}) p) < ${limit}
        AND (SELECT set_config('pg_trgm.word_similarity_threshold', ${String(SEARCH_THRESHOLD)}, true)) IS NOT NULL
    )
    SELECT m.id, m.full_name, m.role, m.photo_key IS NOT NULL AS has_photo, m.version,
      site.member_id IS NOT NULL AS on_site,
      ${agreementVersion === null ? sql`false` : sql`agreed.member_id IS NULL`} AS agreement_due
    FROM (
      SELECT id, full_name, role, photo_key, version, true AS starts, ws FROM prefixed
      WHERE archived_at IS NULL AND deleted_at IS NULL
      UNION ALL
      SELECT id, full_name, role, photo_key, version, false, ws FROM worded
      WHERE archived_at IS NULL AND deleted_at IS NULL AND ws >= ${SEARCH_THRESHOLD}::float8 AND full_name NOT ILIKE ${prefix}
      ORDER BY starts DESC, ws DESC, full_name, id
      LIMIT ${limit}
    ) m
    LEFT JOIN LATERAL (SELECT v.member_id FROM visits v WHERE v.member_id = m.id AND v.signed_out_at IS NULL AND v.outcome = 'signed_in' LIMIT 1) site ON true
    ${agreementVersion === null ? sql`` : sql`LEFT JOIN LATERAL (SELECT v.member_id FROM visits v WHERE v.member_id = m.id AND v.agreement_version = ${agreementVersion} LIMIT 1) agreed ON true`}
    ORDER BY m.starts DESC, m.ws DESC, m.full_name, m.id`;
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

export async function runSearch(tx: DbOrTx, q: SQL): Promise<SearchRow[]> {
  return ((await tx.execute(q)) as unknown as { rows: SearchRow[] }).rows;
}
