/**
 * Roles as data, shared with the server (src/platform/http/permissions.ts) so the web app hides
 * what the server would refuse. The server still decides; this only shapes navigation.
 */
export { PERMISSIONS, type Permission } from '../../src/platform/http/permissions';
