import { forbidden, unauthenticated } from '../errors.js';
import { can } from '../../common/permissions.js';
import type { Principal } from './principal.js';

/** The permission list is data in src/common/permissions.ts (shared with the web app); this adds the server's 401/403. */
export { PERMISSIONS, ROLE_RANK, can, type Permission } from '../../common/permissions.js';

export function assertCan(principal: Principal | undefined, permission: Parameters<typeof can>[1]): asserts principal is Principal {
  if (!principal) throw unauthenticated();
  if (!can(principal, permission)) throw forbidden();
}
