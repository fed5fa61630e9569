/**
 * Who is calling. Resolved by the auth hook from a session cookie, an API key, a SCIM token or a
 * kiosk device token; the tenant always comes from the credential, never from the URL or body.
 */
import type { Role, Scope } from '../../common/permissions.js';

export type { Role, Scope } from '../../common/permissions.js';

export type Principal = {
  kind: 'user' | 'apikey' | 'scim' | 'kiosk' | 'system';
  tenantId: string;
  id: string | null;
  label: string;
  role: Role | null;
  /** Empty: unrestricted within the tenant for the role. */
  scopes: Scope[];
  /** For session principals, the session's id. */
  sessionId?: string;
  /** For SCIM principals, the group; for kiosks, the site. */
  resourceId?: string;
};
