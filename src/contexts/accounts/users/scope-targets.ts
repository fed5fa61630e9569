import { badRequest } from '../../../platform/errors.js';
import type { Scope } from '../../../platform/http/principal.js';
import type { DbOrTx } from '../../../platform/db/database.js';

type Named = { id: string; name: string };

/**
 * What a scope may point at, asked of the contexts that own them: sign-in's sites and the
 * record's organisations. Each answers which of the ids belong to the tenant, and their names.
 */
export type ScopeTargets = Record<
  Scope['kind'],
  {
    existingIds(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<string[]>;
    namesOf(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<Named[]>;
  }
>;

/** One scope per site or organisation (the last one named wins), as user_scopes' key holds them. */
export function uniqueScopes(scopes: readonly Scope[]): Scope[] {
  return [...new Map(scopes.map((s) => [`${s.kind}:${s.refId}`, s])).values()];
}

/** The scope rules the users' scopes endpoint and invitations share. */
export function scopeChecks(targets: ScopeTargets) {
  /** Every scope names a site or organisation of this tenant: another tenant's id is refused like a missing one, naming the field. */
  async function assertTargets(tx: DbOrTx, tenantId: string, scopes: readonly Scope[]) {
    for (const kind of ['site', 'organisation'] as const) {
      const ids = scopes.filter((s) => s.kind === kind).map((s) => s.refId);
      const found = new Set(await targets[kind].existingIds(tx, tenantId, ids));
      const missing = ids.find((id) => !found.has(id));
      if (missing) {
        const index = scopes.findIndex((s) => s.kind === kind && s.refId === missing);
        throw badRequest(`unknown_${kind}`, `No ${kind} ${missing} in this tenant`, `scopes.${index}.refId`);
      }
    }
  }

  /** Those of the scopes whose site or organisation still exists in the tenant. */
  async function existing(tx: DbOrTx, tenantId: string, scopes: readonly Scope[]): Promise<Scope[]> {
    const kept: Scope[] = [];
    for (const kind of ['site', 'organisation'] as const) {
      const own = scopes.filter((s) => s.kind === kind);
      const found = new Set(await targets[kind].existingIds(tx, tenantId, own.map((s) => s.refId)));
      kept.push(...own.filter((s) => found.has(s.refId)));
    }
    return kept;
  }

  /** The names of what the scopes reach, sites and organisations apart (unknown ones left out). */
  async function names(db: DbOrTx, tenantId: string, scopes: readonly Scope[]): Promise<{ sites: string[]; organisations: string[] }> {
    const of = async (kind: Scope['kind']) =>
      (await targets[kind].namesOf(db, tenantId, scopes.filter((s) => s.kind === kind).map((s) => s.refId))).map((n) => n.name);
    return { sites: await of('site'), organisations: await of('organisation') };
  }

  return { assertTargets, existing, names };
}
export type ScopeChecks = ReturnType<typeof scopeChecks>;
