/**
 * Who may do what, as pure data: the one authorization model of the server and the web app (the
 * only module under src/ the web imports, so it imports nothing). Routes declare one of these
 * permissions (`authorize(req, 'record.edit')`); services then refine by site or organisation
 * scope through `platform/http/access.ts`.
 */
export type Role = 'owner' | 'admin' | 'manager' | 'viewer';
export type Level = 'view' | 'edit' | 'administer';
export type ScopeKind = 'site' | 'organisation';
export type Scope = { kind: ScopeKind; refId: string; level: Level };

/** The roles holding each permission. */
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
  /** The integration's work over the people of the whole tenant: duplicates, merges, exclusions, runs, the sync log (tenant-wide). */
  'integration.review': ['owner', 'admin', 'manager', 'viewer'],
  /** Webhooks, which hear every site's visits (tenant-wide). */
  'webhooks.manage': ['owner', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const ROLE_RANK: Record<Role, number> = { viewer: 0, manager: 1, admin: 2, owner: 3 };
export const LEVEL_RANK: Record<Level, number> = { view: 0, edit: 1, administer: 2 };

/** The level a caller who reaches the whole tenant (no scope, or the owner) holds over every site and organisation. */
export const ROLE_LEVEL: Record<Role, Level> = { owner: 'administer', admin: 'administer', manager: 'edit', viewer: 'view' };

/**
 * Permissions a scope grants beyond the role: a user scoped to an organisation acts there at the
 * scope's level (a viewer given `edit` on one school edits that school's record, and only it).
 */
export const SCOPE_GRANTS: Partial<Record<Permission, { kind: ScopeKind; level: Level }>> = {
  'record.edit': { kind: 'organisation', level: 'edit' },
  'record.manage': { kind: 'organisation', level: 'administer' },
};

/**
 * Permissions over the whole tenant, held only by a caller without any scope (the trust's central
 * team): tenant settings, the identity provider, API keys (a key has no scopes), users with their
 * roles and scopes (so nobody scoped widens their own reach or hands out more than theirs), the
 * audit log, the integration's settings and its work over everyone, webhooks. A school's office manager, an admin scoped to their school's site or
 * organisation, does not hold them, whatever the role (decision 045, authz). Permissions that cover
 * both one site or organisation and the whole tenant (`signin.manage`, `record.manage`) are refined
 * by the service, through `platform/http/access.ts` `assertTenantWide`.
 */
export const TENANT_WIDE = [
  'tenant.manage',
  'tenant.transfer_ownership',
  'users.manage',
  'apikeys.manage',
  'audit.read',
  'settings.manage',
  'integration.manage',
  'integration.review',
  'webhooks.manage',
] as const satisfies readonly Permission[];

/** Whether the caller reaches the whole tenant: no scope of any kind. */
export function isTenantWide(who: { scopes: readonly Scope[] }): boolean {
  return who.scopes.length === 0;
}

/**
 * How far a caller reaches over one kind (sites or organisations): `all` without any scope (the
 * trust's central team; also the owner, who is never scoped, or nobody could unscope them), `some`
 * with scopes of that kind (those alone), `none` with scopes of the other kind only: an office
 * manager scoped to their school's site reaches no organisation's record, and one scoped to an
 * organisation no site's sign-in. A scope names what the caller reaches, in each dimension; a
 * dimension left unnamed is not "everything" (decision 046, reach).
 */
export type ReachExtent = 'all' | 'some' | 'none';

export function reachExtent(who: { role: Role | null; scopes: readonly Scope[] }, kind: ScopeKind): ReachExtent {
  if (isTenantWide(who) || who.role === 'owner') return 'all';
  return who.scopes.some((s) => s.kind === kind) ? 'some' : 'none';
}

export function roleHas(role: Role | null | undefined, permission: Permission): boolean {
  return !!role && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Whether the caller holds the permission somewhere: by role, or by a scope that grants it (the service then says where); a tenant-wide one only unscoped. */
export function can(who: { role: Role | null; scopes: readonly Scope[] } | undefined, permission: Permission): boolean {
  if (!who?.role) return false;
  // The owner is never scoped (accounts refuses it); one scoped before that still holds the tenant, or nobody could unscope them.
  if ((TENANT_WIDE as readonly Permission[]).includes(permission)) return (isTenantWide(who) || who.role === 'owner') && roleHas(who.role, permission);
  if (roleHas(who.role, permission)) return true;
  const grant = SCOPE_GRANTS[permission];
  return !!grant && who.scopes.some((s) => s.kind === grant.kind && LEVEL_RANK[s.level] >= LEVEL_RANK[grant.level]);
}
