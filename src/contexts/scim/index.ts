import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import type { GroupsPort, MembersPort } from '../signin/index.js';
import { createScimAccessService } from './access/access.service.js';
import { createScimUsersService } from './users/users.service.js';
import { createScimGroupsService } from './groups/groups.service.js';
import { createScimMemberView } from './users/member-view.js';
import { scimProtocolRoutes } from './scim.routes.js';
import { scimAdminRoutes } from './admin.routes.js';

export { createScimAccessService, type ScimAccessService } from './access/access.service.js';
export { scimBaseUrl } from './resource/resource.presenters.js';
export { scimErrorDialect } from './scim.errors.js';
export { createScimAttributesPort, type ScimAttributes, type ScimAttributesPort } from './users/attributes.port.js';

export const SCIM_LOG_CLEANUP_JOB = 'scim.request_log_cleanup';

/**
 * SCIM 2.0 provisioning: one service provider per SCIM group under /scim/v2/groups/:groupId
 * (authenticated by the group's own token), and the admin routes of the SCIM tab.
 */
export function createScim(platform: Platform, ports: { members: MembersPort; groups: GroupsPort }) {
  const access = createScimAccessService({ ...platform, groups: ports.groups });
  const users = createScimUsersService({ db: platform.db, database: platform.database, now: platform.now, members: ports.members });
  const groups = createScimGroupsService(platform);
  const memberView = createScimMemberView(platform, groups);
  return { access, users, groups, memberView };
}
export type Scim = ReturnType<typeof createScim>;

export function scimContext(platform: Platform, scim: Scim): FastifyPluginAsync {
  const { access, users, groups, memberView } = scim;
  return async (app) => {
    await app.register(scimProtocolRoutes({ platform, access, users, groups }), { prefix: '/scim/v2/groups/:groupId' });
    await app.register(scimAdminRoutes(access, memberView));
  };
}

/** The daily clean-up of the SCIM request log (30 days), see contexts/jobs.ts. */
export async function registerScimJobs(platform: Platform, scim: Scim): Promise<void> {
  await platform.jobs.work(SCIM_LOG_CLEANUP_JOB, () => scim.access.cleanup());
  await platform.jobs.schedule(SCIM_LOG_CLEANUP_JOB, '17 3 * * *');
}
