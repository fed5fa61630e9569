import type { GroupRole, JitRole, OidcPreset } from './oidc.tables.js';

/**
 * What an ID token's claims say about who may enter, per preset. Pure: the signature, `iss`, `aud`,
 * `exp`, `iat` and `nonce` are checked before this by openid-client; this decides on the identity.
 */
export type RefusalReason =
  | 'token_invalid'
  | 'state_invalid'
  | 'issuer_unreachable'
  | 'idp_error'
  | 'connection_disabled'
  | 'email_missing'
  | 'email_not_verified'
  | 'wrong_domain'
  | 'wrong_idp_tenant'
  | 'wrong_tenant'
  | 'unknown_user'
  | 'user_disabled'
  | 'not_in_allowed_group'
  | 'groups_overage';

/** What people read on the refusal page and in the audit log. */
export const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  token_invalid: 'The identity provider’s answer could not be verified (signature, audience, expiry or nonce).',
  state_invalid: 'This sign-in link was already used, has expired or was started in another browser.',
  issuer_unreachable: 'The identity provider did not answer.',
  idp_error: 'The identity provider refused the sign-in.',
  connection_disabled: 'This identity provider connection is turned off.',
  email_missing: 'The identity provider did not send an email address.',
  email_not_verified: 'The identity provider has not verified this email address.',
  wrong_domain: 'This email domain is not served by this identity provider connection.',
  wrong_idp_tenant: 'The account belongs to a different directory of the identity provider.',
  wrong_tenant: 'This email belongs to another organisation.',
  unknown_user: 'There is no user with this email in this organisation.',
  user_disabled: 'This user is disabled in Threshold.',
  not_in_allowed_group: 'The account is not in a group allowed to use Threshold.',
  groups_overage: 'The account is in too many groups for the identity provider to list them in the token (Entra groups overage): ask the administrator to limit the groups sent.',
};

export type ConnectionRules = {
  preset: OidcPreset;
  domains: string[];
  idpTenantId: string | null;
  idpEnforcesMfa: boolean;
  allowedGroups: string[];
  groupRoles: GroupRole[];
  jitRole: JitRole;
};

export type Claims = Record<string, unknown>;

export type Identity = { email: string; name: string; groups: string[] | null; groupsOverage: boolean; mfa: boolean };

export type ClaimsResult = { ok: true; identity: Identity } | { ok: false; reason: RefusalReason; detail?: string };

const truthy = (v: unknown) => v === true || v === 'true' || v === 1 || v === '1';

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/** Checks the claims against the connection's preset and domains; the identity when they pass. */
export function checkClaims(rules: ConnectionRules, claims: Claims): ClaimsResult {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!email || !email.includes('@')) return { ok: false, reason: 'email_missing' };
  // Entra sends no email_verified: its `xms_edov` (email domain owner verified) stands in; never skipped.
  const verified = rules.preset === 'entra' ? truthy(claims.xms_edov) : truthy(claims.email_verified);
  if (!verified) return { ok: false, reason: 'email_not_verified', detail: email };
  const domain = domainOf(email);
  if (!rules.domains.includes(domain)) return { ok: false, reason: 'wrong_domain', detail: domain };
  if (rules.preset === 'entra' && (!rules.idpTenantId || claims.tid !== rules.idpTenantId)) {
    return { ok: false, reason: 'wrong_idp_tenant', detail: typeof claims.tid === 'string' ? claims.tid : 'no tid claim' };
  }
  if (rules.preset === 'google') {
    // `hd` is only present for Google Workspace accounts; a consumer Gmail account has none.
    const hd = typeof claims.hd === 'string' ? claims.hd.toLowerCase() : '';
    if (!hd || !rules.domains.includes(hd)) return { ok: false, reason: 'wrong_domain', detail: hd || 'no hd claim' };
  }
  const names = claims._claim_names;
  const groupsOverage = (typeof names === 'object' && names !== null && 'groups' in names) || truthy(claims.hasgroups);
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : null;
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  const mfa = rules.idpEnforcesMfa || amr.includes('mfa');
  const name = typeof claims.name === 'string' ? claims.name.slice(0, 200) : '';
  return { ok: true, identity: { email, name, groups, groupsOverage, mfa } };
}

const RANK: Record<JitRole, number> = { viewer: 0, manager: 1, admin: 2 };

/**
 * Whether an unknown user may be created just in time, and with which role: members of an allowed
 * group only (when groups are named), the highest role their groups map to, else the default.
 */
export function jitDecision(rules: ConnectionRules, identity: Identity): { ok: true; role: JitRole } | { ok: false; reason: RefusalReason } {
  const usesGroups = rules.allowedGroups.length > 0 || rules.groupRoles.length > 0;
  if (usesGroups && identity.groupsOverage) return { ok: false, reason: 'groups_overage' };
  const groups = new Set(identity.groups ?? []);
  if (rules.allowedGroups.length > 0 && !rules.allowedGroups.some((g) => groups.has(g))) return { ok: false, reason: 'not_in_allowed_group' };
  const mapped = rules.groupRoles.filter((m) => groups.has(m.group)).map((m) => m.role);
  if (mapped.length === 0) return { ok: true, role: rules.jitRole };
  return { ok: true, role: mapped.reduce((a, b) => (RANK[b] > RANK[a] ? b : a)) };
}
