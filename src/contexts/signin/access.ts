import type { FastifyRequest } from 'fastify';
import { AppError, forbidden, unauthenticated } from '../../platform/errors.js';
import { reachedIds, reachOf } from '../../platform/http/access.js';
import type { Principal } from '../../platform/http/principal.js';

/**
 * Site scopes, through the one scope helper (platform/http/access.ts): a user with `site` scopes
 * sees only those sites and what appears on them (groups shown there, their members, visits there);
 * one scoped to organisations alone no site (`[]`: every list empty, every id a 404); a kiosk only
 * its own site. `null` means the whole tenant.
 */
export type SiteScope = readonly string[] | null;

export function siteScopeOf(p: Principal): SiteScope {
  return reachedIds(reachOf(p, 'site'));
}

export function inScope(scope: SiteScope, siteId: string): boolean {
  return scope === null || scope.includes(siteId);
}

/**
 * A group shared by several sites is seen by a user scoped to any of them, but changed only by
 * one who holds all of them: otherwise a school's admin would change what another school's kiosk
 * shows. 403 `forbidden`, as every scope refusal.
 */
export function assertHoldsSites(scope: SiteScope, siteIds: readonly string[], what: string): void {
  if (scope === null) return;
  if (siteIds.length === 0 || !siteIds.every((s) => scope.includes(s))) {
    throw forbidden(`${what} is shown at sites beyond yours: only an administrator of every one of them can change it`);
  }
}

/** The kiosk device calling, or 401. */
export type KioskPrincipal = Principal & { kind: 'kiosk'; id: string; resourceId: string };

export function requireKiosk(req: FastifyRequest): KioskPrincipal {
  const p = req.principal;
  if (!p) throw unauthenticated();
  if (p.kind !== 'kiosk' || !p.id || !p.resourceId) throw new AppError(403, 'kiosk_only', 'Only a paired kiosk may call this');
  return p as KioskPrincipal;
}
