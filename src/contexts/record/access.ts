import { AppError } from '../../platform/errors.js';
import { assertLevel as assertReach, assertTenantWide, levelAt as levelIn, reachedIds, reachOf, type Reach } from '../../platform/http/access.js';
import type { Principal } from '../../platform/http/principal.js';

/**
 * The record's permissions per organisation, view < edit < administer, through the one scope
 * helper (platform/http/access.ts): a user without any scope reaches every organisation at the
 * level of their role (a trust user sees all); a scoped user only the organisations their scopes
 * name, at each scope's level, and none when scoped to sites alone (the record is empty to them).
 */
export type { Level } from '../../common/permissions.js';
export type OrgAccess = Reach;

export const orgAccessOf = (p: Principal): OrgAccess => reachOf(p, 'organisation');
export const levelAt = levelIn;

/** Organisation ids the principal can see, or null for all. */
export const visibleOrgs = reachedIds;

/** 404 when the organisation is out of reach (as if missing), 403 when reachable below `level`. */
export function assertLevel(access: OrgAccess, organisationId: string, level: Parameters<typeof assertReach>[2], what = 'Profile'): void {
  assertReach(access, organisationId, level, what, 'organisation');
}

/**
 * Trust-wide settings (organisations added or removed, profile types, trust checks, rating
 * systems, the rule set) need an administrator without any scope: a scoped one is a school's, not
 * the trust's.
 */
export function assertTrustAdmin(p: Principal): void {
  if (orgAccessOf(p).all !== 'administer') throw new AppError(403, 'forbidden', 'Only a trust-wide administrator can change this');
  assertTenantWide(p);
}
