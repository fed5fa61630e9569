import type { Platform } from '../../../platform/platform.js';
import { notFound } from '../../../platform/errors.js';
import type { ScimGroupsService } from '../groups/groups.service.js';
import { scimBaseUrl } from '../resource/resource.presenters.js';
import { presentUser } from './users.presenters.js';
import { scimUsersRepo } from './users.repo.js';

/** What the member page shows of a member of a SCIM group: its stored SCIM attributes and IdP groups. */
export function createScimMemberView(deps: Pick<Platform, 'db' | 'config'>, groups: Pick<ScimGroupsService, 'groupsOfMember'>) {
  const { db, config } = deps;
  return {
    /** 404 unless the member is a SCIM user of the tenant. */
    async ofMember(tenantId: string, memberId: string) {
      const found = await scimUsersRepo.findInTenant(db, tenantId, memberId);
      if (!found) throw notFound('Member');
      return {
        memberId,
        groupId: found.groupId,
        user: presentUser(found, scimBaseUrl(config.publicUrl, found.groupId)),
        idpGroups: await groups.groupsOfMember(db, tenantId, memberId),
      };
    },
  };
}
export type ScimMemberView = ReturnType<typeof createScimMemberView>;
