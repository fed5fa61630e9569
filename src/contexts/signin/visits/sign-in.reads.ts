import { and, eq, exists, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../platform/db/database.js';
import { preparedStatement } from '../../../platform/db/prepared.js';
import { blockList, groupContacts, groupSecrets, groups, members, siteGroups, sites } from '../signin.tables.js';
import { memberColumns } from '../members/members.repo.js';
import type { BlockEntry } from '../safety/safety.types.js';

/** A tenant's block list up to this many entries is read whole with a sign-in's other reads; a longer one is read by the check (the entries that could match). */
export const BLOCK_LIST_READ_WHOLE = 200;

/**
 * What a sign-in reads before its checks, in one statement: the kiosk's site and the group (when
 * the group is shown there), whether the group has a PIN, its contacts (told of a refusal), the
 * member named by id or QR token in the tenant (null when none, or for a visitor), and the tenant's
 * block list when it has at most BLOCK_LIST_READ_WHOLE entries (undefined otherwise: the check reads
 * its own). Undefined: the group is not shown on the site.
 *
 * Built once per `db` (three statements: the member by id, by QR token, none), each prepared
 * (`preparedStatement`: on PostgreSQL parsed and planned once per connection) and run on the
 * database or in the caller's transaction (decision 035: building it was most of a sign-in's
 * drizzle time).
 */
export function createSignInReads(db: Db) {
  const p = { tenantId: sql.placeholder('tenantId'), siteId: sql.placeholder('siteId'), groupId: sql.placeholder('groupId') };
  const build = (memberOn: SQL) => (d: Db) =>
    d
      .select({
        site: sites,
        group: groups,
        member: memberColumns, // not its stored page document (decision 037)
        hasPin: exists(d.select({ one: groupSecrets.groupId }).from(groupSecrets).where(and(eq(groupSecrets.tenantId, p.tenantId), eq(groupSecrets.groupId, p.groupId), isNotNull(groupSecrets.pinHash)))).mapWith(Boolean),
        contacts: sql<string[] | string>`(SELECT coalesce(json_agg(${groupContacts.userId}), '[]'::json) FROM ${groupContacts} WHERE ${groupContacts.tenantId} = ${p.tenantId} AND ${groupContacts.groupId} = ${p.groupId})`,
        blockList: sql<BlockEntry[] | string>`(SELECT coalesce(json_agg(json_build_object('normalisedName', b.normalised_name, 'email', b.email, 'dateOfBirth', b.date_of_birth)), '[]'::json) FROM (SELECT ${blockList.normalisedName}, ${blockList.email}, ${blockList.dateOfBirth} FROM ${blockList} WHERE ${blockList.tenantId} = ${p.tenantId} LIMIT ${sql.raw(String(BLOCK_LIST_READ_WHOLE + 1))}) b)`,
      })
      .from(siteGroups)
      .innerJoin(sites, eq(sites.id, siteGroups.siteId))
      .innerJoin(groups, eq(groups.id, siteGroups.groupId))
      .leftJoin(members, and(eq(members.tenantId, p.tenantId), memberOn))
      .where(and(eq(siteGroups.tenantId, p.tenantId), eq(siteGroups.siteId, p.siteId), eq(siteGroups.groupId, p.groupId)));
  const byId = preparedStatement(db, 'signin_reads_member_by_id', build(eq(members.id, sql.placeholder('memberId'))));
  const byQr = preparedStatement(db, 'signin_reads_member_by_qr', build(eq(members.qrToken, sql.placeholder('qrToken'))));
  const noMember = preparedStatement(db, 'signin_reads_no_member', build(sql`false`));

  return async function signInReads(dbx: DbOrTx, tenantId: string, siteId: string, groupId: string, who: { memberId?: string; qrToken?: string } | null) {
    const values = { tenantId, siteId, groupId };
    const [row] = who?.memberId ? await byId.execute(dbx, { ...values, memberId: who.memberId }) : who?.qrToken ? await byQr.execute(dbx, { ...values, qrToken: who.qrToken }) : await noMember.execute(dbx, values);
    if (!row) return undefined;
    const contacts = typeof row.contacts === 'string' ? (JSON.parse(row.contacts) as string[]) : row.contacts;
    const blocks = typeof row.blockList === 'string' ? (JSON.parse(row.blockList) as BlockEntry[]) : row.blockList;
    return { ...row, contacts, blockList: blocks.length > BLOCK_LIST_READ_WHOLE ? undefined : blocks };
  };
}
