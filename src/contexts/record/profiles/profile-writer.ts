import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import type { Actor } from '../../../platform/audit/audit.js';
import { recordProfileHistory, recordProfiles } from '../record.tables.js';
import type { ProfileRow } from '../record.repo.js';
import { insertRows, valuesColumn, valuesTable, type ValuesColumn } from '../../../platform/db/values.js';

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

/** The SQL type of each column a change may set (for `UPDATE … FROM unnest(…)`). */
const COLUMN_TYPES: Record<(typeof PATCHABLE)[number], ValuesColumn['type']> = {
  organisationId: 'uuid',
  profileTypeId: 'uuid',
  firstName: 'text',
  lastName: 'text',
  dateOfBirth: 'date',
  email: 'text',
  phone: 'text',
  role: 'text',
  startDate: 'date',
  leavingDate: 'date',
  facts: 'jsonb',
  status: 'text',
  archivedAt: 'timestamptz',
};
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The one writer of a profile change: sets the changed columns, moves the version on by one and
 * writes the history lines at the new version, in the caller's transaction. A change with no
 * changed column and no line writes nothing and returns the profile as it was. Many profiles at
 * once, set-wise: profiles whose changes name the same columns (whatever their values) are
 * updated in one statement, each with its own values (`UPDATE … FROM unnest(…)`, its own
 * `ifVersion` checked there too), and all lines are inserted in one. So a batch is a few
 * statements, not one per profile. A profile must appear at most once. Returns the profiles after
 * the change, in the order given (`undefined` where `ifVersion` no longer matched or the profile
 * is gone).
 */
export async function applyPatches(tx: DbOrTx, tenantId: string, items: ReadonlyArray<{ profile: ProfileRow; patch: ProfilePatch }>, actor: HistoryActor): Promise<Array<ProfileRow | undefined>> {
  const out: Array<ProfileRow | undefined> = items.map((x) => x.profile);
  // Group by the columns written (and when, and whether a version is expected).
  const groups = new Map<string, { columns: string[]; at: Date; checked: boolean; members: Array<{ i: number; set: Record<string, unknown> }> }>();
  const linesOf: HistoryLine[][] = [];
  items.forEach(({ profile, patch }, i) => {
    const changed = Object.entries(patch.set ?? {}).filter(([k, v]) => v !== undefined && !same((profile as Record<string, unknown>)[k], v));
    const lines = [...(patch.lines ?? changed.map(([field, after]) => ({ field, before: stringify((profile as Record<string, unknown>)[field]), after: stringify(after) }))), ...(patch.notes ?? [])];
    linesOf[i] = lines;
    if (changed.length === 0 && lines.length === 0) return;
    const columns = changed.map(([k]) => k).sort();
    const checked = patch.ifVersion !== undefined;
    const key = JSON.stringify([columns, patch.at.getTime(), checked]);
    const g = groups.get(key) ?? { columns, at: patch.at, checked, members: [] };
    g.members.push({ i, set: Object.fromEntries(changed) });
    groups.set(key, g);
  });
  const history: Array<typeof recordProfileHistory.$inferInsert> = [];
  for (const g of groups.values()) {
    const rows = await updateGroup(tx, tenantId, g, items);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const { i } of g.members) {
      const row = byId.get(items[i]!.profile.id);
      out[i] = row;
      if (!row) continue;
      for (const l of linesOf[i]!) history.push({ tenantId, profileId: row.id, version: row.version, field: l.field, before: l.before, after: l.after, actorId: actor.id, actorLabel: actor.label, at: g.at });
    }
  }
  if (history.length) await tx.insert(recordProfileHistory).select(insertRows(recordProfileHistory, history));
  return out;
}

/** One statement for a group of changes naming the same columns. */
async function updateGroup(
  tx: DbOrTx,
  tenantId: string,
  g: { columns: string[]; at: Date; checked: boolean; members: Array<{ i: number; set: Record<string, unknown> }> },
  items: ReadonlyArray<{ profile: ProfileRow; patch: ProfilePatch }>,
): Promise<ProfileRow[]> {
  const first = g.members[0]!;
  const allEqual = !g.checked && g.members.every((m) => g.columns.every((c) => same(m.set[c], first.set[c])));
  const bump = { version: sql`${recordProfiles.version} + 1`, updatedAt: g.at };
  if (allEqual || g.members.length === 1) {
    // The same values for all (archive these; or a single profile): a plain UPDATE … WHERE id IN.
    const conds = [eq(recordProfiles.tenantId, tenantId), inArray(recordProfiles.id, g.members.map((m) => items[m.i]!.profile.id))];
    if (g.checked) conds.push(eq(recordProfiles.version, items[first.i]!.patch.ifVersion!));
    return tx.update(recordProfiles).set({ ...first.set, ...bump }).where(and(...conds)).returning();
  }
  const v = (name: string) => valuesColumn('v', name);
  const columns: ValuesColumn[] = [{ name: 'id', type: 'uuid' }, { name: 'if_version', type: 'integer' }, ...g.columns.map((c) => ({ name: snake(c), type: COLUMN_TYPES[c as (typeof PATCHABLE)[number]] }))];
  const rows = g.members.map((m) => [items[m.i]!.profile.id, items[m.i]!.patch.ifVersion ?? null, ...g.columns.map((c) => m.set[c])]);
  const set = Object.fromEntries(g.columns.map((c) => [c, v(snake(c))]));
  const conds = [eq(recordProfiles.tenantId, tenantId), eq(recordProfiles.id, v('id'))];
  if (g.checked) conds.push(eq(recordProfiles.version, v('if_version')));
  return tx
    .update(recordProfiles)
    .set({ ...set, ...bump })
    .from(valuesTable('v', columns, rows))
    .where(and(...conds))
    .returning();
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
