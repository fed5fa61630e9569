import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { scimGroupMembers, scimGroups, scimUsers } from '../scim.tables.js';
import { nameKey } from '../../../platform/db/name-order.js';

/** What the identity provider said of a member, beyond sign-in's own fields (its IdP groups' names in name order, `nameKey`). */
export type ScimAttributes = { department: string | null; externalId: string | null; idpGroups: string[] };

/** What other contexts (the integration) may read of SCIM's users, exported from scim/index.ts. */
export interface ScimAttributesPort {
  /** The attributes of the members of these sign-in groups (only `memberIds`, when given), by member id; members SCIM never saw are absent. */
  attributesOf(tx: DbOrTx, tenantId: string, groupIds: readonly string[], memberIds?: readonly string[]): Promise<Map<string, ScimAttributes>>;
}

export function createScimAttributesPort(): ScimAttributesPort {
  return {
    async attributesOf(tx, tenantId, groupIds, memberIds) {
      const out = new Map<string, ScimAttributes>();
      if (groupIds.length === 0 || memberIds?.length === 0) return out;
      const users = [eq(scimUsers.tenantId, tenantId), inArray(scimUsers.groupId, [...groupIds])];
      if (memberIds) users.push(inArray(scimUsers.memberId, [...memberIds]));
      for (const u of await tx.select({ memberId: scimUsers.memberId, department: scimUsers.department, externalId: scimUsers.externalId }).from(scimUsers).where(and(...users))) {
        out.set(u.memberId, { department: u.department, externalId: u.externalId, idpGroups: [] });
      }
      const inGroups = [eq(scimGroupMembers.tenantId, tenantId), inArray(scimGroups.groupId, [...groupIds])];
      if (memberIds) inGroups.push(inArray(scimGroupMembers.memberId, [...memberIds]));
      const groupRows = await tx
        // In name order (`nameKey`), as the member page lists them.
        .select({ memberId: scimGroupMembers.memberId, names: sql<string[]>`array_agg(${scimGroups.displayName} ORDER BY ${nameKey(scimGroups.displayName)}, ${scimGroups.id})` })
        .from(scimGroupMembers)
        .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.scimGroupId))
        .where(and(...inGroups))
        .groupBy(scimGroupMembers.memberId);
      for (const g of groupRows) {
        const seen = out.get(g.memberId) ?? { department: null, externalId: null, idpGroups: [] };
        out.set(g.memberId, { ...seen, idpGroups: g.names });
      }
      return out;
    },
  };
}
