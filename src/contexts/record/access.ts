import { AppError, forbidden, notFound } from '../../platform/errors.js';
import type { Principal, Role } from '../../platform/http/principal.js';

/**
 * The record's permissions per organisation: view < edit < administer. A user without
 * organisation scopes reaches every organisation at the level of their role (a trust user sees
 * all); a scoped user reaches only their organisations, each at its scope's level.
 */
export type Level = 'view' | 'edit' | 'administer';
const RANK: Record<Level, number> = { view: 0, edit: 1, administer: 2 };
const ROLE_LEVEL: Record<Role, Level> = { owner: 'administer', admin: 'administer', manager: 'edit', viewer: 'view' };

export type OrgAccess = { all: Level | null; orgs: ReadonlyMap<string, Level> };

export function orgAccessOf(p: Principal): OrgAccess {
  const scoped = p.scopes.filter((s) => s.kind === 'organisation');
  if (scoped.length > 0) return { all: null, orgs: new Map(scoped.map((s) => [s.refId, s.level])) };
  return { all: p.role ? ROLE_LEVEL[p.role] : null, orgs: new Map() };
}

export function levelAt(access: OrgAccess, organisationId: string): Level | null {
  return access.all ?? access.orgs.get(organisationId) ?? null;
}

/** Organisation ids the principal can see, or null for all. */
export function visibleOrgs(access: OrgAccess): string[] | null {
  return access.all ? null : [...access.orgs.keys()];
}

/** 404 when the organisation is out of reach (as if missing), 403 when reachable below `level`. */
export function assertLevel(access: OrgAccess, organisationId: string, level: Level, what = 'Profile'): void {
  const have = levelAt(access, organisationId);
  if (have === null) throw notFound(what);
  if (RANK[have] < RANK[level]) throw forbidden(`You need ${level} access to this organisation`);
}

/** Trust-wide settings (profile types, trust checks, rating systems) need an unscoped administrator. */
export function assertTrustAdmin(access: OrgAccess): void {
  if (access.all !== 'administer') throw new AppError(403, 'forbidden', 'Only a trust-wide administrator can change this');
}
