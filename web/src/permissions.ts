/**
 * Roles as data, from the server's one authorization model (src/common/permissions.ts, the only
 * module under src/ the web app imports) so the web app hides what the server would refuse. The
 * server still decides; this only shapes navigation.
 */
export { PERMISSIONS, roleHas, type Permission } from '../../src/common/permissions';
