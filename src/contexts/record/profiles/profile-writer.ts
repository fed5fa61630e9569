import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import type { Actor } from '../../../platform/audit/audit.js';
import { recordProfileHistory, recordProfiles } from '../record.tables.js';
import type { ProfileRow } from '../record.repo.js';

/** One line of a profile's version history. */
export type HistoryLine = { field: string; before: string | null; after: string | null };
/** Who made a change, as the history names them. */
export type HistoryActor = { id: string | null; label: string };

/** The columns of a profile a change may set (not its id, tenant, version or timestamps). */
export const PATCHABLE = ['organisationId', 'profileTypeId', 'firstName', 'lastName', 'dateOfBirth', 'email', 'phone', 'role', 'startDate', 'leavingDate', 'facts', 'status', 'archivedAt'] as const;
export type ProfileColumns = Partial<Pick<ProfileRow, (typeof PATCHABLE)[number]>>;

/**
 * A change of a profile: columns to set (ones equal to the current value are left out), the
 * history lines saying so (by default one per changed column: its name, before and after as
 * text), lines that go with them whether or not a column changed (e.g. "merge"), and when.
 */
export type ProfilePatch = {
  set?: ProfileColumns;
  lines?: HistoryLine[];
  notes?: HistoryLine[];
  at: Date;
  /** Write only if the profile is still at this version (optimistic concurrency); else no write. */
  ifVersion?: number;
};

/** A record actor (user, API key, system) as the history names them: only a user's id is kept. */
export const historyActorOf = (actor: Pick<Actor, 'kind' | 'id' | 'label'>): HistoryActor => ({ id: actor.kind === 'user' ? actor.id : null, label: actor.label });

/** A column's value as the history shows it by default. */
export function stringify(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const same = (a: unknown, b: unknown) => a === b || (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : typeof a === 'object' && a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b));

/**
 * The one writer of a profile change: sets the changed columns, moves the version on by one and
 * writes the history lines at the new version, in the caller's transaction. A change with no
 * changed column and no line writes nothing and returns the profile as it was. Many profiles at
 * once: profiles given the same columns are updated in one statement, and all lines are inserted
 * in one. Returns the profiles after the change, in the order given (`undefined` where
 * `ifVersion` no longer matched or the profile is gone).
 */
export async function applyPatches(tx: DbOrTx, tenantId: string, items: ReadonlyArray<{ profile: ProfileRow; patch: ProfilePatch }>, actor: HistoryActor): Promise<Array<ProfileRow | undefined>> {
  const out: Array<ProfileRow | undefined> = items.map((x) => x.profile);
  // Group by what is written, so a batch of equal changes (archive these) is one statement.
  const groups = new Map<string, { set: Record<string, unknown>; at: Date; ifVersion?: number; members: number[] }>();
  const linesOf: HistoryLine[][] = [];
  items.forEach(({ profile, patch }, i) => {
    const changed = Object.entries(patch.set ?? {}).filter(([k, v]) => v !== undefined && !same((profile as Record<string, unknown>)[k], v));
    const lines = [...(patch.lines ?? changed.map(([field, after]) => ({ field, before: stringify((profile as Record<string, unknown>)[field]), after: stringify(after) }))), ...(patch.notes ?? [])];
    linesOf[i] = lines;
    if (changed.length === 0 && lines.length === 0) return;
    const set = Object.fromEntries(changed);
    const key = JSON.stringify([set, patch.at.getTime(), patch.ifVersion ?? null, patch.ifVersion === undefined ? null : profile.id]);
    const g = groups.get(key) ?? { set, at: patch.at, ifVersion: patch.ifVersion, members: [] };
    g.members.push(i);
    groups.set(key, g);
  });
  const history: Array<typeof recordProfileHistory.$inferInsert> = [];
  for (const g of groups.values()) {
    const ids = g.members.map((i) => items[i]!.profile.id);
    const conds = [eq(recordProfiles.tenantId, tenantId), inArray(recordProfiles.id, ids)];
    if (g.ifVersion !== undefined) conds.push(eq(recordProfiles.version, g.ifVersion));
    const rows = await tx
      .update(recordProfiles)
      .set({ ...g.set, version: sql`${recordProfiles.version} + 1`, updatedAt: g.at })
      .where(and(...conds))
      .returning();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const i of g.members) {
      const row = byId.get(items[i]!.profile.id);
      out[i] = row;
      if (!row) continue;
      for (const l of linesOf[i]!) history.push({ tenantId, profileId: row.id, version: row.version, field: l.field, before: l.before, after: l.after, actorId: actor.id, actorLabel: actor.label, at: g.at });
    }
  }
  if (history.length) await tx.insert(recordProfileHistory).values(history);
  return out;
}

/** One profile's change (see `applyPatches`). */
export async function applyPatch(tx: DbOrTx, tenantId: string, profile: ProfileRow, patch: ProfilePatch, actor: HistoryActor): Promise<ProfileRow | undefined> {
  return (await applyPatches(tx, tenantId, [{ profile, patch }], actor))[0];
}

/** The history of a profile just created (its first version: no version to move on). */
export async function historyOfNew(tx: DbOrTx, tenantId: string, profile: Pick<ProfileRow, 'id' | 'version'>, lines: readonly HistoryLine[], actor: HistoryActor, at: Date): Promise<void> {
  if (!lines.length) return;
  await tx.insert(recordProfileHistory).values(lines.map((l) => ({ tenantId, profileId: profile.id, version: profile.version, field: l.field, before: l.before, after: l.after, actorId: actor.id, actorLabel: actor.label, at })));
}
