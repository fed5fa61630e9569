import type { ConnectionWithDomains } from './oidc.repo.js';

/** The public shape of an identity provider connection (the client secret only as set or not). */
export function presentConnection(c: ConnectionWithDomains) {
  return {
    id: c.id,
    preset: c.preset,
    label: c.label,
    issuer: c.issuer,
    clientId: c.clientId,
    clientSecretSet: c.clientSecret.length > 0,
    scopes: c.scopes,
    domains: c.domains,
    idpTenantId: c.idpTenantId,
    idpEnforcesMfa: c.idpEnforcesMfa,
    enabled: c.enabled,
    jitEnabled: c.jitEnabled,
    jitRole: c.jitRole,
    jitScopes: c.jitScopes,
    allowedGroups: c.allowedGroups,
    groupRoles: c.groupRoles,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
