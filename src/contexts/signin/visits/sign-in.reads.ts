import { and, eq, exists, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { blockList, groupContacts, groupSecrets, groups, members, siteGroups, sites } from '../signin.tables.js';
import type { BlockEntry } from '../safety/safety.types.js';

/** A tenant's block list up to this many entries is read whole with a sign-in's other reads; a longer one is read by the check (the entries that could match). */
export const BLOCK_LIST_READ_WHOLE = 200;

/**
 * What a sign-in reads before its checks, in one statement: the kiosk's site and the group (when
 * the group is shown there), whether the group has a PIN, its contacts (told of a refusal), the
 * member named by id or QR token in the tenant (null when none, or for a visitor), and the tenant's
 * block list when it has at most BLOCK_LIST_READ_WHOLE entries (undefined otherwise: the check reads
 * its own). Undefined: the group is not shown on the site.
 */
export async function signInReads(db: DbOrTx, tenantId: string, siteId: string, groupId: string, who: { memberId?: string; qrToken?: string } | null) {
  const memberOn = who?.memberId ? eq(members.id, who.memberId) : who?.qrToken ? eq(members.qrToken, who.qrToken) : sql`false`;
  const [row] = await db
    .select({
      site: sites,
      group: groups,
      member: members,
      hasPin: exists(db.select({ one: groupSecrets.groupId }).from(groupSecrets).where(and(eq(groupSecrets.tenantId, tenantId), eq(groupSecrets.groupId, groupId), isNotNull(groupSecrets.pinHash)))).mapWith(Boolean),
      contacts: sql<string[]>`(SELECT coalesce(json_agg(${groupContacts.userId}), '[]'::json) FROM ${groupContacts} WHERE ${groupContacts.tenantId} = ${tenantId} AND ${groupContacts.groupId} = ${groupId})`,
      blockList: sql<BlockEntry[] | string>`(SELECT coalesce(json_agg(json_build_object('normalisedName', b.normalised_name, 'email', b.email, 'dateOfBirth', b.date_of_birth)), '[]'::json) FROM (SELECT ${blockList.normalisedName}, ${blockList.email}, ${blockList.dateOfBirth} FROM ${blockList} WHERE ${blockList.tenantId} = ${tenantId} LIMIT ${BLOCK_LIST_READ_WHOLE + 1}) b)`,
    })
    .from(siteGroups)
    .innerJoin(sites, eq(sites.id, siteGroups.siteId))
    .innerJoin(groups, eq(groups.id, siteGroups.groupId))
    .leftJoin(members, and(eq(members.tenantId, tenantId), memberOn))
    .where(and(eq(siteGroups.tenantId, tenantId), eq(siteGroups.siteId, siteId), eq(siteGroups.groupId, groupId)));
  if (!row) return undefined;
  const contacts = typeof row.contacts === 'string' ? (JSON.parse(row.contacts) as string[]) : row.contacts;
  const blocks = typeof row.blockList === 'string' ? (JSON.parse(row.blockList) as BlockEntry[]) : row.blockList;
  return { ...row, contacts, blockList: blocks.length > BLOCK_LIST_READ_WHOLE ? undefined : blocks };
}
