import { isTenantWide, LEVEL_RANK, reachExtent, ROLE_LEVEL, type Level, type ScopeKind } from '../../common/permissions.js';
import { forbidden, notFound } from '../errors.js';
import type { Principal } from './principal.js';

/**
 * The one scope helper: how far a principal reaches over sites or organisations, after the route
 * has checked the permission. A caller without any scope (and the owner) reaches all of them at
 * their role's level; a scoped caller only what their scopes name, each at its scope's level, and
 * nothing of a kind no scope names (`reachExtent` in common/permissions.ts, which the web app asks
 * too); a kiosk only its own site.
 */
export type Reach = { all: Level | null; ids: ReadonlyMap<string, Level> };

export function reachOf(p: Principal, kind: ScopeKind): Reach {
  if (p.kind === 'kiosk') return { all: null, ids: new Map(kind === 'site' && p.resourceId ? [[p.resourceId, 'edit']] : []) };
  if (reachExtent(p, kind) === 'all') return { all: p.role ? ROLE_LEVEL[p.role] : null, ids: new Map() };
  return { all: null, ids: new Map(p.scopes.filter((s) => s.kind === kind).map((s) => [s.refId, s.level])) };
}

export function levelAt(reach: Reach, id: string): Level | null {
  return reach.all ?? reach.ids.get(id) ?? null;
}

/** The ids reached, or null for all. */
export function reachedIds(reach: Reach): string[] | null {
  return reach.all ? null : [...reach.ids.keys()];
}

/** 404 when out of reach (as if missing), 403 when reached below `level`. */
export function assertLevel(reach: Reach, id: string, level: Level, what: string, kind: ScopeKind = 'organisation'): void {
  const have = levelAt(reach, id);
  if (have === null) throw notFound(what);
  if (LEVEL_RANK[have] < LEVEL_RANK[level]) throw forbidden(`You need ${level} access to this ${kind}`);
}

/**
 * What belongs to no one site or organisation (the tenant's settings, webhooks and block list, the
 * record's rule sets and types) is the trust's central team's: a caller with any scope is refused
 * with the 403 `forbidden` the scope checks above answer, after the route has checked the role.
 */
export function assertTenantWide(p: Principal, message = 'Only a trust-wide administrator can change this: your account is limited to some sites or organisations'): void {
  if (!isTenantWide(p)) throw forbidden(message);
}
