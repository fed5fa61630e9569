import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { integrationPersonLinks } from './integration.tables.js';
import { recordPort } from '../record/index.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { members } from '../signin/signin.tables.js';
import {
  recordCheckValues,
  recordChecks,
  recordDocuments,
  recordOrganisations,
  recordProfileHistory,
  recordProfileTypes,
  recordProfiles,
  recordRatingSystems,
} from '../record/record.tables.js';

/**
 * The integration's door into the record's tables (and the sync sweep's join of links, members
 * and profiles). Groups and members are read through sign-in's GroupsPort and MembersPort, SCIM's
 * attributes through its ScimAttributesPort (people/member-attributes.ts); writes to members go
 * through the MembersPort. No other integration file names a foreign table.
 */
export type ProfileRow = typeof recordProfiles.$inferSelect;
export type CheckValueRow = typeof recordCheckValues.$inferSelect;

export const PROFILE_FIELDS = ['firstName', 'lastName', 'dateOfBirth', 'email', 'phone', 'role', 'startDate', 'leavingDate', 'profileTypeId'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type ProfileFields = Pick<ProfileRow, ProfileField>;

export const neighbours = {
  async organisation(tx: DbOrTx, tenantId: string, id: string) {
    const [o] = await tx.select().from(recordOrganisations).where(and(eq(recordOrganisations.tenantId, tenantId), eq(recordOrganisations.id, id)));
    return o;
  },
  async profileTypes(tx: DbOrTx, tenantId: string) {
    return tx.select().from(recordProfileTypes).where(eq(recordProfileTypes.tenantId, tenantId)).orderBy(recordProfileTypes.position);
  },
  async ratingSystems(tx: DbOrTx, tenantId: string) {
    return tx.select().from(recordRatingSystems).where(eq(recordRatingSystems.tenantId, tenantId)).orderBy(recordRatingSystems.position);
  },
  async checks(tx: DbOrTx, tenantId: string) {
    return tx.select().from(recordChecks).where(eq(recordChecks.tenantId, tenantId));
  },

  async profile(tx: DbOrTx, tenantId: string, profileId: string): Promise<ProfileRow | undefined> {
    const [p] = await tx.select().from(recordProfiles).where(and(eq(recordProfiles.tenantId, tenantId), eq(recordProfiles.id, profileId)));
    return p;
  },
  async profiles(tx: DbOrTx, tenantId: string, ids: string[]): Promise<ProfileRow[]> {
    if (ids.length === 0) return [];
    return tx.select().from(recordProfiles).where(and(eq(recordProfiles.tenantId, tenantId), inArray(recordProfiles.id, ids)));
  },
  async profilesOfOrganisation(tx: DbOrTx, tenantId: string, organisationId: string, profileTypeIds?: string[]): Promise<ProfileRow[]> {
    const conds = [eq(recordProfiles.tenantId, tenantId), eq(recordProfiles.organisationId, organisationId), eq(recordProfiles.status, 'live')];
    if (profileTypeIds && profileTypeIds.length) conds.push(inArray(recordProfiles.profileTypeId, profileTypeIds));
    return tx.select().from(recordProfiles).where(and(...conds)).orderBy(recordProfiles.lastName, recordProfiles.firstName, recordProfiles.id);
  },

  async insertProfiles(tx: DbOrTx, rows: Array<typeof recordProfiles.$inferInsert>): Promise<ProfileRow[]> {
    if (rows.length === 0) return [];
    // A new profile starts with its profile type's facts about the post, as one made in the record does.
    const defaults = await recordPort.defaultFactsOf(tx, rows[0]!.tenantId, rows);
    return tx.insert(recordProfiles).values(rows.map((r, i) => ({ ...r, facts: r.facts ?? defaults[i] }))).returning();
  },

  /** Updates profile fields, bumps the version and writes one history row per changed field. */
  async updateProfile(tx: DbOrTx, tenantId: string, profile: ProfileRow, patch: Partial<ProfileRow>, actor: { id: string | null; label: string }, at: Date): Promise<ProfileRow> {
    const changed = Object.entries(patch).filter(([k, v]) => (profile as Record<string, unknown>)[k] !== v);
    if (changed.length === 0) return profile;
    const [row] = await tx
      .update(recordProfiles)
      .set({ ...Object.fromEntries(changed), version: sql`${recordProfiles.version} + 1`, updatedAt: at })
      .where(and(eq(recordProfiles.tenantId, tenantId), eq(recordProfiles.id, profile.id)))
      .returning();
    await tx.insert(recordProfileHistory).values(
      changed.map(([field, after]) => ({
        tenantId,
        profileId: profile.id,
        version: row!.version,
        field,
        before: stringify((profile as Record<string, unknown>)[field]),
        after: stringify(after),
        actorId: actor.id,
        actorLabel: actor.label,
        at,
      })),
    );
    return row!;
  },

  async addHistory(tx: DbOrTx, tenantId: string, profile: ProfileRow, field: string, before: string | null, after: string | null, actor: { id: string | null; label: string }, at: Date) {
    await tx.insert(recordProfileHistory).values({ tenantId, profileId: profile.id, version: profile.version, field, before, after, actorId: actor.id, actorLabel: actor.label, at });
  },

  async historySince(tx: DbOrTx, tenantId: string, profileIds: string[], since: Date) {
    if (profileIds.length === 0) return [];
    return tx
      .select()
      .from(recordProfileHistory)
      .where(and(eq(recordProfileHistory.tenantId, tenantId), inArray(recordProfileHistory.profileId, profileIds), sql`${recordProfileHistory.at} > ${since.toISOString()}`))
      .orderBy(recordProfileHistory.at);
  },

  /** Person links (any tenant) whose member or profile moved since they were last made equal: the sync sweep. */
  async staleLinks(tx: DbOrTx, limit: number): Promise<Array<{ id: string; tenantId: string }>> {
    return tx
      .select({ id: integrationPersonLinks.id, tenantId: integrationPersonLinks.tenantId })
      .from(integrationPersonLinks)
      .innerJoin(members, eq(members.id, integrationPersonLinks.memberId))
      .innerJoin(recordProfiles, eq(recordProfiles.id, integrationPersonLinks.profileId))
      .where(or(ne(members.version, integrationPersonLinks.memberVersion), ne(recordProfiles.version, integrationPersonLinks.profileVersion)))
      .limit(limit);
  },

  /** Archives profiles in one statement (merge-all), bumping versions; returns the rows. */
  async archiveProfiles(tx: DbOrTx, tenantId: string, ids: string[], at: Date): Promise<ProfileRow[]> {
    if (ids.length === 0) return [];
    return tx
      .update(recordProfiles)
      .set({ status: 'archived', archivedAt: at, version: sql`${recordProfiles.version} + 1`, updatedAt: at })
      .where(and(eq(recordProfiles.tenantId, tenantId), inArray(recordProfiles.id, ids)))
      .returning();
  },
  async insertHistory(tx: DbOrTx, rows: Array<typeof recordProfileHistory.$inferInsert>) {
    if (rows.length === 0) return;
    await tx.insert(recordProfileHistory).values(rows);
  },
  /** Moves check values, each to its own profile, in one statement. */
  async moveCheckValuesEach(tx: DbOrTx, tenantId: string, moves: Array<{ id: string; to: string }>) {
    if (moves.length === 0) return;
    const target = sql`CASE ${recordCheckValues.id} ${sql.join(moves.map((m) => sql`WHEN ${m.id}::uuid THEN ${m.to}::uuid`), sql` `)} END`;
    await tx.update(recordCheckValues).set({ profileId: target }).where(and(eq(recordCheckValues.tenantId, tenantId), inArray(recordCheckValues.id, moves.map((m) => m.id))));
  },

  /** Evidence documents of profiles (id, profile, the check they evidence). */
  async documentsOf(tx: DbOrTx, tenantId: string, profileIds: string[]) {
    if (profileIds.length === 0) return [];
    return tx
      .select({ id: recordDocuments.id, profileId: recordDocuments.profileId, checkId: recordDocuments.checkId })
      .from(recordDocuments)
      .where(and(eq(recordDocuments.tenantId, tenantId), inArray(recordDocuments.profileId, profileIds)));
  },
  /** Moves documents, each to its own profile, in one statement (only those still on `from`). */
  async moveDocuments(tx: DbOrTx, tenantId: string, moves: Array<{ id: string; from: string; to: string }>) {
    if (moves.length === 0) return;
    const target = sql`CASE ${recordDocuments.id} ${sql.join(moves.map((m) => sql`WHEN ${m.id}::uuid THEN ${m.to}::uuid`), sql` `)} END`;
    const source = sql`CASE ${recordDocuments.id} ${sql.join(moves.map((m) => sql`WHEN ${m.id}::uuid THEN ${m.from}::uuid`), sql` `)} END`;
    await tx
      .update(recordDocuments)
      .set({ profileId: target })
      .where(and(eq(recordDocuments.tenantId, tenantId), inArray(recordDocuments.id, moves.map((m) => m.id)), sql`${recordDocuments.profileId} = ${source}`));
  },

  async deleteProfile(tx: DbOrTx, tenantId: string, profileId: string) {
    await tx.delete(recordProfiles).where(and(eq(recordProfiles.tenantId, tenantId), eq(recordProfiles.id, profileId)));
  },

  async checkValuesOf(tx: DbOrTx, tenantId: string, profileIds: string[]): Promise<CheckValueRow[]> {
    if (profileIds.length === 0) return [];
    return tx.select().from(recordCheckValues).where(and(eq(recordCheckValues.tenantId, tenantId), inArray(recordCheckValues.profileId, profileIds)));
  },
  async moveCheckValues(tx: DbOrTx, tenantId: string, ids: string[], toProfileId: string) {
    if (ids.length === 0) return;
    await tx.update(recordCheckValues).set({ profileId: toProfileId }).where(and(eq(recordCheckValues.tenantId, tenantId), inArray(recordCheckValues.id, ids)));
  },
  async deleteCheckValues(tx: DbOrTx, tenantId: string, ids: string[]) {
    if (ids.length === 0) return;
    await tx.delete(recordCheckValues).where(and(eq(recordCheckValues.tenantId, tenantId), inArray(recordCheckValues.id, ids)));
  },
  async restoreCheckValues(tx: DbOrTx, rows: Array<Record<string, unknown>>) {
    if (rows.length === 0) return;
    const values = rows.map((r) => ({
      ...(r as typeof recordCheckValues.$inferInsert),
      recordedAt: new Date(String(r.recordedAt)),
    }));
    await tx.insert(recordCheckValues).values(values).onConflictDoNothing();
  },
};

export function stringify(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** "Mary Jane Smith" → first "Mary Jane", last "Smith". */
export function splitName(fullName: string): { firstName: string; lastName: string } {
  const parts = fullName.trim().split(/\s+/).filter(Boolean);
  if (parts.length <= 1) return { firstName: parts[0] ?? '', lastName: '' };
  return { firstName: parts.slice(0, -1).join(' '), lastName: parts.at(-1)! };
}
