/**
 * Roles as data, from the server's one authorization model (src/common/permissions.ts, the only
 * module under src/ the web app imports) so the web app hides what the server would refuse. The
 * server still decides; this only shapes navigation. A scoped user (a school's office manager) holds
 * no tenant-wide permission, whatever the role: `can` takes the user's scopes from the session.
 */
export { PERMISSIONS, ROLE_LEVEL, can, isTenantWide, roleHas, type Level, type Permission, type Role, type Scope, type ScopeKind } from '../../src/common/permissions';
