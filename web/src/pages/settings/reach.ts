import { ROLE_LEVEL, type Level, type Role, type Scope, type ScopeKind } from '../../permissions';

/**
 * A user's reach as the scope editor of Settings › Users shows and edits it (pure, so it is tested
 * without a browser). No scope is the whole trust at the role's level; a scope names what the user
 * reaches, in each dimension: one limited to organisations alone reaches no site, and the reverse
 * (`reachExtent` in src/common/permissions.ts, decision 046 reach and scopes).
 */
export type Chosen = { refId: string; level: Level };
export type ReachForm = { reach: 'trust' | 'limited'; sites: Chosen[]; organisations: Chosen[] };

export const LEVEL_LABEL: Record<Level, string> = { view: 'View', edit: 'Edit', administer: 'Administer' };

export function reachFormOf(scopes: readonly Scope[]): ReachForm {
  const of = (kind: ScopeKind) => scopes.filter((s) => s.kind === kind).map((s) => ({ refId: s.refId, level: s.level }));
  return { reach: scopes.length === 0 ? 'trust' : 'limited', sites: of('site'), organisations: of('organisation') };
}

/** What PUT /api/users/:id/scopes is sent: nothing for the whole trust; sites first, then organisations (the server's `scopes.N` errors index into this). */
export function scopesOfForm(form: ReachForm): Scope[] {
  if (form.reach === 'trust') return [];
  return [...form.sites.map((s) => ({ kind: 'site' as const, ...s })), ...form.organisations.map((o) => ({ kind: 'organisation' as const, ...o }))];
}

/** The chosen list after a multi-select changed: kept choices keep their level, new ones start at the role's. */
export function choose(current: readonly Chosen[], ids: readonly string[], role: Role): Chosen[] {
  const had = new Map(current.map((c) => [c.refId, c.level]));
  return ids.map((refId) => ({ refId, level: had.get(refId) ?? ROLE_LEVEL[role] }));
}

/** Why the form cannot be saved as it stands: limited to nothing would be saved as no scope, the whole trust. */
export function reachError(form: ReachForm): string | null {
  if (form.reach === 'limited' && form.sites.length === 0 && form.organisations.length === 0) return 'Choose at least one site or organisation, or the whole trust';
  return null;
}

/** What the person will no longer be offered: limited in one dimension only, they reach nothing of the other. */
export function reachWarning(form: ReachForm): string | null {
  if (form.reach !== 'limited') return null;
  if (form.organisations.length > 0 && form.sites.length === 0) return 'This person will not see Sign-in: with organisations but no sites, they reach no site.';
  if (form.sites.length > 0 && form.organisations.length === 0) return 'This person will not see the Central Record: with sites but no organisations, they reach no organisation.';
  return null;
}

/**
 * The form field a server error belongs on: `scopes.N.refId` (an unknown site or organisation,
 * maybe under `body.`) on the list it came from, `scopes` (the owner cannot be limited) on the
 * choice of reach; anything else at form level (null).
 */
export function reachFieldOf(field: string | undefined, form: ReachForm): 'reach' | 'sites' | 'organisations' | null {
  if (!field) return null;
  const at = /(?:^|\.)scopes(?:\.(\d+))?(?:\.|$)/.exec(field);
  if (!at) return null;
  if (at[1] === undefined) return 'reach';
  return Number(at[1]) < form.sites.length ? 'sites' : 'organisations';
}

export type ReachSummary = { wholeTrust: true } | { wholeTrust: false; sites: string; organisations: string };

/** How the users table states a reach: the whole trust, or each dimension's names with levels ("No sites" when none). */
export function reachSummary(user: { role: Role; scopes: readonly Scope[] }, names: { site(id: string): string; organisation(id: string): string }): ReachSummary {
  if (user.role === 'owner' || user.scopes.length === 0) return { wholeTrust: true };
  const list = (kind: ScopeKind, none: string) => {
    const own = user.scopes.filter((s) => s.kind === kind);
    return own.length === 0 ? none : own.map((s) => `${names[kind](s.refId)} (${s.level})`).join(', ');
  };
  return { wholeTrust: false, sites: list('site', 'No sites'), organisations: list('organisation', 'No organisations') };
}
