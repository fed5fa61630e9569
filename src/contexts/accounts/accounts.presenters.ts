import { reachExtent } from '../../common/permissions.js';
import type { Scope } from '../../platform/http/principal.js';
import type { TenantRow, UserRow } from './accounts.repo.js';

export function presentUser(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    totpEnabled: Boolean(u.totpEnabledAt),
  };
}

export function presentTenant(t: TenantRow) {
  return { id: t.id, name: t.name, kind: t.kind, require2fa: t.require2fa };
}

/**
 * `scopes`: the user's, so the web app hides what the server refuses them (tenant-wide settings need
 * none); `reach`: how far they reach over sites and over organisations (`all`, `some`: those their
 * scopes name, `none`: scoped to the other kind alone), the server's one rule (`reachExtent`).
 */
export function presentMe(u: UserRow, scopes: readonly Scope[], t: TenantRow, csrfToken: string, totpRequired: boolean, mfaByIdp = false) {
  // A tenant that requires two-factor sign-in sends users without TOTP to enrol first, unless
  // the session began with multi-factor sign-in at the identity provider.
  const mustEnrolTotp = t.require2fa && !u.totpEnabledAt && !mfaByIdp;
  const who = { role: u.role, scopes };
  const reach = { sites: reachExtent(who, 'site'), organisations: reachExtent(who, 'organisation') };
  return { user: { ...presentUser(u), scopes: scopes.map((s) => ({ kind: s.kind, refId: s.refId, level: s.level })), reach }, tenant: presentTenant(t), csrfToken, totpRequired, mustEnrolTotp };
}
