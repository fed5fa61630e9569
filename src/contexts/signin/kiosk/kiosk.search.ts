import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';
import { likeEscape } from '../members/members.repo.js';

/** Below this word similarity a name is not a match (pg_trgm's default 0.6 misses most typos). */
export const SEARCH_THRESHOLD = 0.3;

export type SearchRow = { id: string; full_name: string; role: string; has_photo: boolean; version: number; on_site: boolean; agreement_due: boolean };

/**
 * Kiosk name search: a prefix (ILIKE 'q%') or a typo-tolerant word match (`<%`), both answered by
 * the trigram index on full_name. The name condition sits in a materialised CTE so the planner
 * cannot prefer the (tenant, group) b-tree and test every member of a big group one by one; the
 * tenant and group are compared as text there (not indexable, so the plan stays on the trigram
 * index) to drop other tenants' hits before they are materialised. The GIN index itself still
 * reads every tenant's entries for the trigrams: a (tenant_id, full_name) btree_gin index would not.
 */
export function searchQuery(tenantId: string, groupId: string, term: string, agreementVersion: string | null, limit: number): SQL {
  const prefix = `${likeEscape(term)}%`;
  return sql`
    WITH hits AS MATERIALIZED (
      SELECT id, tenant_id, group_id, full_name, role, photo_key, version, archived_at, deleted_at
      FROM members WHERE (full_name ILIKE ${prefix} OR ${term} <% full_name) 
        AND tenant_id::text = ${tenantId} AND group_id::text = ${groupId}
    )
    SELECT m.id, m.full_name, m.role, m.photo_key IS NOT NULL AS has_photo, m.version,
      EXISTS (SELECT 1 FROM visits v WHERE v.member_id = m.id AND v.signed_out_at IS NULL AND v.outcome = 'signed_in') AS on_site,
      ${agreementVersion === null ? sql`false` : sql`NOT EXISTS (SELECT 1 FROM visits v WHERE v.member_id = m.id AND v.agreement_version = ${agreementVersion})`} AS agreement_due
    FROM hits m
    WHERE m.tenant_id = ${tenantId} AND m.group_id = ${groupId} AND m.archived_at IS NULL AND m.deleted_at IS NULL
    ORDER BY (m.full_name ILIKE ${prefix}) DESC, word_similarity(${term}, m.full_name) DESC, m.full_name, m.id
    LIMIT ${limit}`;
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

/** Session settings of the search, local to its transaction. */
export async function prepareSearch(tx: Tx): Promise<void> {
  await tx.execute(sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(SEARCH_THRESHOLD)}, true), set_config('enable_seqscan', 'off', true)`);
}

export async function runSearch(tx: DbOrTx, q: SQL): Promise<SearchRow[]> {
  return ((await tx.execute(q)) as unknown as { rows: SearchRow[] }).rows;
}
