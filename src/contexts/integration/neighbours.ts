import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.js';
import type { CheckValueView, ProfileView } from '../record/index.js';
import { groups, members } from '../signin/signin.tables.js';
import { scimGroupMembers, scimGroups, scimUsers } from '../scim/scim.tables.js';

/**
 * The integration's door into the sign-in and SCIM tables (what is left for sign-in's ports to
 * take over). The record is reached through its RecordPort (a dependency of the integration's
 * factories); writes to members go through the MembersPort.
 */
export type GroupRow = typeof groups.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type ProfileRow = ProfileView;
export type CheckValueRow = CheckValueView;

export const PROFILE_FIELDS = ['firstName', 'lastName', 'dateOfBirth', 'email', 'phone', 'role', 'startDate', 'leavingDate', 'profileTypeId'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type ProfileFields = Pick<ProfileRow, ProfileField>;

export type MemberAttributes = MemberRow & { groupName: string; isStaffGroup: boolean; department: string | null; idpGroups: string[]; scimExternalId: string | null };

export const neighbours = {
  async group(tx: DbOrTx, tenantId: string, groupId: string): Promise<GroupRow | undefined> {
    const [g] = await tx.select().from(groups).where(and(eq(groups.tenantId, tenantId), eq(groups.id, groupId)));
    return g;
  },
  async groupsByIds(tx: DbOrTx, tenantId: string, ids: string[]): Promise<GroupRow[]> {
    if (ids.length === 0) return [];
    return tx.select().from(groups).where(and(eq(groups.tenantId, tenantId), inArray(groups.id, ids)));
  },
  /** Live (not removed) members of groups, with their group and SCIM attributes. */
  async membersWithAttributes(tx: DbOrTx, tenantId: string, groupIds: string[], memberIds?: string[]): Promise<MemberAttributes[]> {
    if (groupIds.length === 0 || memberIds?.length === 0) return [];
    const conds = [eq(members.tenantId, tenantId), inArray(members.groupId, groupIds), isNull(members.deletedAt)];
    if (memberIds) conds.push(inArray(members.id, memberIds));
    const rows = await tx
      .select({
        member: members,
        groupName: groups.name,
        isStaffGroup: groups.isStaffGroup,
        department: scimUsers.department,
        scimExternalId: scimUsers.externalId,
        idpGroups: sql<string[] | null>`(SELECT array_agg(${scimGroups.displayName}) FROM ${scimGroupMembers} JOIN ${scimGroups} ON ${scimGroups.id} = ${scimGroupMembers.scimGroupId} WHERE ${scimGroupMembers.memberId} = ${members.id})`,
      })
      .from(members)
      .innerJoin(groups, eq(groups.id, members.groupId))
      .leftJoin(scimUsers, eq(scimUsers.memberId, members.id))
      .where(and(...conds))
      .orderBy(members.createdAt, members.id);
    return rows.map((r) => ({ ...r.member, groupName: r.groupName, isStaffGroup: r.isStaffGroup, department: r.department, scimExternalId: r.scimExternalId, idpGroups: r.idpGroups ?? [] }));
  },

  async member(tx: DbOrTx, tenantId: string, memberId: string): Promise<MemberRow | undefined> {
    const [m] = await tx.select().from(members).where(and(eq(members.tenantId, tenantId), eq(members.id, memberId)));
    return m;
  },

  /** Custom field keys in use by members of the tenant (for the type map's field list). */
  async memberCustomFieldKeys(tx: DbOrTx, tenantId: string): Promise<string[]> {
    const rows = await tx.execute(sql`SELECT DISTINCT jsonb_object_keys(${members.customFields}) AS k FROM ${members} WHERE ${members.tenantId} = ${tenantId} AND jsonb_typeof(${members.customFields}) = 'object'`);
    return (rows as unknown as { rows: Array<{ k: string }> }).rows.map((r) => r.k).sort();
  },

};

export function stringify(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** "Mary Jane Smith" → first "Mary Jane", last "Smith". */
export function splitName(fullName: string): { firstName: string; lastName: string } {
  const parts = fullName.trim().split(/\s+/).filter(Boolean);
  if (parts.length <= 1) return { firstName: parts[0] ?? '', lastName: '' };
  return { firstName: parts.slice(0, -1).join(' '), lastName: parts.at(-1)! };
}
