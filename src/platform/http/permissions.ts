import { forbidden, unauthenticated } from '../errors.js';
import type { Principal, Role } from './principal.js';

/**
 * Roles as data: which permissions each role holds. Contexts add their permission names here;
 * routes ask `can(principal, 'x')` or use `requirePermission`. No role checks elsewhere.
 */
export const PERMISSIONS = {
  'tenant.manage': ['owner'],
  'tenant.transfer_ownership': ['owner'],
  'users.read': ['owner', 'admin'],
  'users.manage': ['owner', 'admin'],
  'apikeys.manage': ['owner', 'admin'],
  'audit.read': ['owner', 'admin'],
  'settings.manage': ['owner', 'admin'],
  'signin.read': ['owner', 'admin', 'manager', 'viewer'],
  'signin.operate': ['owner', 'admin', 'manager'],
  'signin.manage': ['owner', 'admin'],
  'scim.manage': ['owner', 'admin'],
  'record.read': ['owner', 'admin', 'manager', 'viewer'],
  'record.edit': ['owner', 'admin', 'manager'],
  'record.manage': ['owner', 'admin'],
  'integration.manage': ['owner', 'admin'],
  'integration.read': ['owner', 'admin', 'manager', 'viewer'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const ROLE_RANK: Record<Role, number> = { viewer: 0, manager: 1, admin: 2, owner: 3 };

export function can(principal: Principal | undefined, permission: Permission): boolean {
  if (!principal?.role) return false;
  return (PERMISSIONS[permission] as readonly Role[]).includes(principal.role);
}

export function assertCan(principal: Principal | undefined, permission: Permission): asserts principal is Principal {
  if (!principal) throw unauthenticated();
  if (!can(principal, permission)) throw forbidden();
}
