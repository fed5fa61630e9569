import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../platform/db/database.js';
import { insertRows } from '../../platform/db/values.js';
import { conflict } from '../../platform/errors.js';
import { recordCheckValues, recordDocuments, recordOrganisations, recordProfileHistory, recordProfileTypes, recordProfiles, recordRatingSystems } from './record.tables.js';
import { createProfilesWithValuesStamped, type OrganisationRow, type ProfileRow, type ProfileTypeRow, type RatingSystemRow } from './record.repo.js';
import { createRulesCache, defaultFactsOf, readinessOf, type ModelOf, type Readiness } from './readiness.js';
import { applyPatches, type HistoryActor, type ProfilePatch } from './profiles/profile-writer.js';
import { nameKey } from '../../platform/db/name-order.js';

/** A profile as other contexts see it (what a profile is, not how it is stored). */
export type ProfileView = {
  id: string;
  tenantId: string;
  organisationId: string;
  profileTypeId: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string | null;
  email: string;
  phone: string;
  role: string;
  startDate: string | null;
  leavingDate: string | null;
  facts: Record<string, boolean>;
  status: 'live' | 'archived';
  archivedAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
};
/** A recorded check value of a profile (moved, parked and restored by a merge and its undo). */
export type CheckValueView = {
  id: string;
  tenantId: string;
  profileId: string;
  checkId: string;
  value: boolean | string | null;
  reference: string | null;
  checkedOn: string | null;
  evidence: string;
  recordedBy: string | null;
  recordedByLabel: string;
  recordedAt: Date;
};
/** A check value as a merge's snapshot holds it (JSON: `recordedAt` as an ISO string). */
export type CheckValueSnapshot = Omit<CheckValueView, 'recordedAt'> & { recordedAt: string };
export type DocumentRef = { id: string; profileId: string; checkId: string | null };
export type HistoryEntry = { profileId: string; version: number; field: string; before: string | null; after: string | null; actorLabel: string; at: Date };
/** A new profile: facts default to its profile type's in its kind of organisation. */
export type NewProfile = Pick<ProfileView, 'organisationId' | 'profileTypeId' | 'firstName' | 'lastName'> &
  Partial<Pick<ProfileView, 'dateOfBirth' | 'email' | 'phone' | 'role' | 'startDate' | 'leavingDate' | 'facts' | 'createdAt' | 'updatedAt'>>;
export type OrganisationView = OrganisationRow;
export type ProfileTypeView = ProfileTypeRow;
export type RatingSystemView = RatingSystemRow;
export type { HistoryActor, HistoryLine, ProfileColumns, ProfilePatch } from './profiles/profile-writer.js';

const tenantProfiles = (tenantId: string) => eq(recordProfiles.tenantId, tenantId);

/**
 * What other contexts may ask of and do to the record, by use case. Every query is scoped by the
 * tenant (another tenant's profile is simply not there); every write of a profile goes through
 * `applyPatch`/`applyPatches`, the record's one writer of "history + version".
 */
export function createRecordPort(opts: { db: Db; rules?: ModelOf }) {
  const rules = opts.rules ?? createRulesCache();
  // A sign-in's readiness read (one profile, its values, the rules' stamp), prepared on `db` (decision 038).
  const readStamped = createProfilesWithValuesStamped(opts.db);
  async function patches(tx: DbOrTx, tenantId: string, items: ReadonlyArray<{ profile: ProfileView; patch: ProfilePatch }>, by: HistoryActor): Promise<ProfileView[]> {
    const rows = await applyPatches(tx, tenantId, items as ReadonlyArray<{ profile: ProfileRow; patch: ProfilePatch }>, by);
    return rows.map((r, i) => {
      if (!r) throw conflict('version_conflict', `The profile ${items[i]!.profile.id} was changed or deleted meanwhile; nothing was saved`);
      return r;
    });
  }
  return {
    async organisation(tx: DbOrTx, tenantId: string, id: string): Promise<OrganisationView | undefined> {
      const [o] = await tx.select().from(recordOrganisations).where(and(eq(recordOrganisations.tenantId, tenantId), eq(recordOrganisations.id, id)));
      return o;
    },
    async profileTypes(tx: DbOrTx, tenantId: string): Promise<ProfileTypeView[]> {
      return tx.select().from(recordProfileTypes).where(eq(recordProfileTypes.tenantId, tenantId)).orderBy(recordProfileTypes.position);
    },
    async ratingSystems(tx: DbOrTx, tenantId: string): Promise<RatingSystemView[]> {
      return tx.select().from(recordRatingSystems).where(eq(recordRatingSystems.tenantId, tenantId)).orderBy(recordRatingSystems.position);
    },

    async profile(tx: DbOrTx, tenantId: string, id: string): Promise<ProfileView | undefined> {
      const [p] = await tx.select().from(recordProfiles).where(and(tenantProfiles(tenantId), eq(recordProfiles.id, id)));
      return p;
    },
    /** Profiles by id, in bulk. */
    async profiles(tx: DbOrTx, tenantId: string, ids: readonly string[]): Promise<ProfileView[]> {
      if (ids.length === 0) return [];
      return tx.select().from(recordProfiles).where(and(tenantProfiles(tenantId), inArray(recordProfiles.id, [...ids])));
    },
    /** The current version of each of these profiles, by id; unknown ids are absent. */
    async versions(tx: DbOrTx, tenantId: string, ids: readonly string[]): Promise<Map<string, number>> {
      if (ids.length === 0) return new Map();
      const rows = await tx.select({ id: recordProfiles.id, version: recordProfiles.version }).from(recordProfiles).where(and(tenantProfiles(tenantId), inArray(recordProfiles.id, [...ids])));
      return new Map(rows.map((r) => [r.id, r.version]));
    },
    /** Live profiles of an organisation (optionally of some profile types), by name. */
    async profilesOfOrganisation(tx: DbOrTx, tenantId: string, organisationId: string, profileTypeIds?: string[]): Promise<ProfileView[]> {
      const conds = [tenantProfiles(tenantId), eq(recordProfiles.organisationId, organisationId), eq(recordProfiles.status, 'live')];
      if (profileTypeIds && profileTypeIds.length) conds.push(inArray(recordProfiles.profileTypeId, profileTypeIds));
      return tx.select().from(recordProfiles).where(and(...conds)).orderBy(nameKey(recordProfiles.lastName), nameKey(recordProfiles.firstName), recordProfiles.id);
    },

    /** Creates profiles in one statement; each starts with its profile type's facts unless given. */
    async createProfiles(tx: DbOrTx, tenantId: string, rows: readonly NewProfile[]): Promise<ProfileView[]> {
      if (rows.length === 0) return [];
      const defaults = await defaultFactsOf(tx, tenantId, rows);
      return tx
        .insert(recordProfiles)
        .select(insertRows(recordProfiles, rows.map((r, i) => ({ ...r, tenantId, facts: r.facts ?? defaults[i] }))))
        .returning();
    },
    /**
     * One profile's change: the changed columns, the history lines, version + 1, in one place (see
     * profile-writer.ts). A profile gone meanwhile, or no longer at `ifVersion`, is a 409.
     */
    async applyPatch(tx: DbOrTx, tenantId: string, profile: ProfileView, patch: ProfilePatch, by: HistoryActor): Promise<ProfileView> {
      const [row] = await patches(tx, tenantId, [{ profile, patch }], by);
      return row!;
    },
    /** Many profiles' changes at once (equal column changes in one statement, one insert of lines). */
    applyPatches: patches,
    /** History lines of profiles written after an instant, oldest first. */
    async historySince(tx: DbOrTx, tenantId: string, profileIds: readonly string[], since: Date): Promise<HistoryEntry[]> {
      if (profileIds.length === 0) return [];
      return tx
        .select({ profileId: recordProfileHistory.profileId, version: recordProfileHistory.version, field: recordProfileHistory.field, before: recordProfileHistory.before, after: recordProfileHistory.after, actorLabel: recordProfileHistory.actorLabel, at: recordProfileHistory.at })
        .from(recordProfileHistory)
        .where(and(eq(recordProfileHistory.tenantId, tenantId), inArray(recordProfileHistory.profileId, [...profileIds]), sql`${recordProfileHistory.at} > ${since.toISOString()}`))
        .orderBy(recordProfileHistory.at);
    },
    /** Deletes a profile with its values, documents' rows and history (the integration's "delete linked profile"). */
    async deleteProfile(tx: DbOrTx, tenantId: string, profileId: string): Promise<void> {
      await tx.delete(recordProfiles).where(and(tenantProfiles(tenantId), eq(recordProfiles.id, profileId)));
    },

    async checkValuesOf(tx: DbOrTx, tenantId: string, profileIds: readonly string[]): Promise<CheckValueView[]> {
      if (profileIds.length === 0) return [];
      return tx.select().from(recordCheckValues).where(and(eq(recordCheckValues.tenantId, tenantId), inArray(recordCheckValues.profileId, [...profileIds])));
    },
    /** Moves check values, each to its own profile, in one statement. */
    async moveCheckValues(tx: DbOrTx, tenantId: string, moves: ReadonlyArray<{ id: string; to: string }>): Promise<void> {
      if (moves.length === 0) return;
      const target = sql`CASE ${recordCheckValues.id} ${sql.join(moves.map((m) => sql`WHEN ${m.id}::uuid THEN ${m.to}::uuid`), sql` `)} END`;
      await tx.update(recordCheckValues).set({ profileId: target }).where(and(eq(recordCheckValues.tenantId, tenantId), inArray(recordCheckValues.id, moves.map((m) => m.id))));
    },
    async deleteCheckValues(tx: DbOrTx, tenantId: string, ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      await tx.delete(recordCheckValues).where(and(eq(recordCheckValues.tenantId, tenantId), inArray(recordCheckValues.id, [...ids])));
    },
    /** Puts check values back as a snapshot held them (a slot already taken is left as it is). */
    async restoreCheckValues(tx: DbOrTx, tenantId: string, rows: readonly CheckValueSnapshot[]): Promise<void> {
      if (rows.length === 0) return;
      const values: Array<typeof recordCheckValues.$inferInsert> = rows.map((r) => ({ ...r, tenantId, recordedAt: new Date(r.recordedAt) }));
      await tx.insert(recordCheckValues).values(values).onConflictDoNothing();
    },

    /** Evidence documents of profiles (id, profile, the check they evidence). */
    async documentsOf(tx: DbOrTx, tenantId: string, profileIds: readonly string[]): Promise<DocumentRef[]> {
      if (profileIds.length === 0) return [];
      return tx
        .select({ id: recordDocuments.id, profileId: recordDocuments.profileId, checkId: recordDocuments.checkId })
        .from(recordDocuments)
        .where(and(eq(recordDocuments.tenantId, tenantId), inArray(recordDocuments.profileId, [...profileIds])));
    },
    /** Moves documents, each to its own profile, in one statement (only those still on `from`). */
    async moveDocuments(tx: DbOrTx, tenantId: string, moves: ReadonlyArray<{ id: string; from: string; to: string }>): Promise<void> {
      if (moves.length === 0) return;
      const target = sql`CASE ${recordDocuments.id} ${sql.join(moves.map((m) => sql`WHEN ${m.id}::uuid THEN ${m.to}::uuid`), sql` `)} END`;
      const source = sql`CASE ${recordDocuments.id} ${sql.join(moves.map((m) => sql`WHEN ${m.id}::uuid THEN ${m.from}::uuid`), sql` `)} END`;
      await tx
        .update(recordDocuments)
        .set({ profileId: target })
        .where(and(eq(recordDocuments.tenantId, tenantId), inArray(recordDocuments.id, moves.map((m) => m.id)), sql`${recordDocuments.profileId} = ${source}`));
    },

    /**
     * Readiness of profiles on a date (or today in each one's organisation's time zone), the
     * rule data kept between calls and checked for changes on each (see `createRulesCache`).
     */
    readinessOf: (tx: DbOrTx, tenantId: string, profileIds: readonly string[], asOf: string | Date): Promise<Map<string, Readiness>> => readinessOf(tx, tenantId, profileIds, asOf, rules, readStamped),
    defaultFactsOf,
  };
}

/** What other contexts may ask of the record. */
export type RecordPort = ReturnType<typeof createRecordPort>;

/** A check value as a snapshot holds it. */
export function snapshotOfValue(v: CheckValueView): CheckValueSnapshot {
  return { ...v, recordedAt: v.recordedAt.toISOString() };
}
