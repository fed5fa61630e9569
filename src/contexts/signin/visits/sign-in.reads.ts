import { and, eq, exists, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { groupContacts, groupSecrets, groups, members, siteGroups, sites } from '../signin.tables.js';

/**
 * What a sign-in reads before its checks, in one statement: the kiosk's site and the group (when
 * the group is shown there), whether the group has a PIN, its contacts (told of a refusal), and the
 * member named by id or QR token in the tenant (null when none, or for a visitor). Undefined: the
 * group is not shown on the site.
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
    })
    .from(siteGroups)
    .innerJoin(sites, eq(sites.id, siteGroups.siteId))
    .innerJoin(groups, eq(groups.id, siteGroups.groupId))
    .leftJoin(members, and(eq(members.tenantId, tenantId), memberOn))
    .where(and(eq(siteGroups.tenantId, tenantId), eq(siteGroups.siteId, siteId), eq(siteGroups.groupId, groupId)));
  if (!row) return undefined;
  const contacts = typeof row.contacts === 'string' ? (JSON.parse(row.contacts) as string[]) : row.contacts;
  return { ...row, contacts };
}
