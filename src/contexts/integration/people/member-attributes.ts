import type { DbOrTx } from '../../../platform/db/database.js';
import type { MembersPort, MemberWithGroup } from '../../signin/index.js';
import type { ScimAttributesPort } from '../../scim/index.js';

/** A member as the integration reads it: sign-in's member and group, and what the identity provider said. */
export type MemberAttributes = MemberWithGroup & { department: string | null; idpGroups: string[]; scimExternalId: string | null };

export type MemberReadPorts = { members: MembersPort; scimAttributes: ScimAttributesPort };

/** Live (not removed) members of groups, with their group and SCIM attributes (through sign-in's and SCIM's ports). */
export async function membersWithAttributes(ports: MemberReadPorts, tx: DbOrTx, tenantId: string, groupIds: string[], memberIds?: string[]): Promise<MemberAttributes[]> {
  const list = await ports.members.listWithGroups(tx, tenantId, groupIds, memberIds);
  if (list.length === 0) return [];
  const scim = await ports.scimAttributes.attributesOf(tx, tenantId, groupIds, memberIds);
  return list.map((m) => {
    const a = scim.get(m.id);
    return { ...m, department: a?.department ?? null, scimExternalId: a?.externalId ?? null, idpGroups: a?.idpGroups ?? [] };
  });
}
