import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { recordCheckValues, recordChecks, recordOrganisations, recordProfileTypes, recordProfiles, recordRatingSystems, recordSettings } from '../record.tables.js';

type OrganisationInsert = typeof recordOrganisations.$inferInsert;
type ProfileTypeInsert = typeof recordProfileTypes.$inferInsert;
type CheckInsert = typeof recordChecks.$inferInsert;
type RatingSystemInsert = typeof recordRatingSystems.$inferInsert;
/** A new row of a tenant's table: the tenant is given apart, so no caller forgets it. */
type New<T> = Omit<T, 'tenantId'>;
type Change<T> = Partial<Omit<T, 'tenantId' | 'id'>>;

/**
 * The record's settings tables (organisations, profile types, checks, rating systems): every read
 * and write of the setup use cases, each filtered on the tenant.
 */
export const setupRepo = {
  async organisation(db: DbOrTx, tenantId: string, id: string) {
    const [row] = await db.select().from(recordOrganisations).where(and(eq(recordOrganisations.tenantId, tenantId), eq(recordOrganisations.id, id)));
    return row;
  },
  /** Which of these ids are organisations of the tenant. */
  async organisationIds(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await db.select({ id: recordOrganisations.id }).from(recordOrganisations).where(and(eq(recordOrganisations.tenantId, tenantId), inArray(recordOrganisations.id, [...ids])));
    return rows.map((r) => r.id);
  },
  /** The names of those of these ids that are organisations of the tenant. */
  async organisationNames(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<Array<{ id: string; name: string }>> {
    if (ids.length === 0) return [];
    return db.select({ id: recordOrganisations.id, name: recordOrganisations.name }).from(recordOrganisations).where(and(eq(recordOrganisations.tenantId, tenantId), inArray(recordOrganisations.id, [...ids]))).orderBy(recordOrganisations.name, recordOrganisations.id);
  },
  async profileType(db: DbOrTx, tenantId: string, id: string) {
    const [row] = await db.select().from(recordProfileTypes).where(and(eq(recordProfileTypes.tenantId, tenantId), eq(recordProfileTypes.id, id)));
    return row;
  },
  async check(db: DbOrTx, tenantId: string, id: string) {
    const [row] = await db.select().from(recordChecks).where(and(eq(recordChecks.tenantId, tenantId), eq(recordChecks.id, id)));
    return row;
  },
  async ratingSystem(db: DbOrTx, tenantId: string, id: string) {
    const [row] = await db.select().from(recordRatingSystems).where(and(eq(recordRatingSystems.tenantId, tenantId), eq(recordRatingSystems.id, id)));
    return row;
  },
  async hasProfileTypes(db: DbOrTx, tenantId: string) {
    const [row] = await db.select({ n: count() }).from(recordProfileTypes).where(eq(recordProfileTypes.tenantId, tenantId));
    return (row?.n ?? 0) > 0;
  },
  async profilesUsing(db: DbOrTx, tenantId: string, column: 'organisation' | 'profileType', id: string) {
    const col = column === 'organisation' ? recordProfiles.organisationId : recordProfiles.profileTypeId;
    const [row] = await db.select({ n: count() }).from(recordProfiles).where(and(eq(recordProfiles.tenantId, tenantId), eq(col, id)));
    return row?.n ?? 0;
  },
  async checksOfOrganisation(db: DbOrTx, tenantId: string, organisationId: string) {
    const [row] = await db.select({ n: count() }).from(recordChecks).where(and(eq(recordChecks.tenantId, tenantId), eq(recordChecks.organisationId, organisationId)));
    return row?.n ?? 0;
  },
  async valuesOfCheck(db: DbOrTx, tenantId: string, checkId: string) {
    const [row] = await db
      .select({ n: sql<number>`count(distinct ${recordCheckValues.profileId})::int` })
      .from(recordCheckValues)
      .where(and(eq(recordCheckValues.tenantId, tenantId), eq(recordCheckValues.checkId, checkId)));
    return row?.n ?? 0;
  },
  async nextPosition(db: DbOrTx, tenantId: string, table: 'checks' | 'types' | 'systems') {
    const t = table === 'checks' ? recordChecks : table === 'types' ? recordProfileTypes : recordRatingSystems;
    const [row] = await db.select({ n: sql<number>`coalesce(max(${t.position}), 0)::int` }).from(t).where(eq(t.tenantId, tenantId));
    return (row?.n ?? 0) + 1;
  },

  async insertOrganisation(db: DbOrTx, tenantId: string, values: New<OrganisationInsert>) {
    const [row] = await db.insert(recordOrganisations).values({ ...values, tenantId }).returning();
    return row!;
  },
  async updateOrganisation(db: DbOrTx, tenantId: string, id: string, set: Change<OrganisationInsert>) {
    const [row] = await db.update(recordOrganisations).set(set).where(and(eq(recordOrganisations.tenantId, tenantId), eq(recordOrganisations.id, id))).returning();
    return row!;
  },
  async deleteOrganisation(db: DbOrTx, tenantId: string, id: string) {
    await db.delete(recordOrganisations).where(and(eq(recordOrganisations.tenantId, tenantId), eq(recordOrganisations.id, id)));
  },
  async insertProfileType(db: DbOrTx, tenantId: string, values: New<ProfileTypeInsert>) {
    const [row] = await db.insert(recordProfileTypes).values({ ...values, tenantId }).returning();
    return row!;
  },
  async updateProfileType(db: DbOrTx, tenantId: string, id: string, set: Change<ProfileTypeInsert>) {
    const [row] = await db.update(recordProfileTypes).set(set).where(and(eq(recordProfileTypes.tenantId, tenantId), eq(recordProfileTypes.id, id))).returning();
    return row!;
  },
  async deleteProfileType(db: DbOrTx, tenantId: string, id: string) {
    await db.delete(recordProfileTypes).where(and(eq(recordProfileTypes.tenantId, tenantId), eq(recordProfileTypes.id, id)));
  },
  async insertCheck(db: DbOrTx, tenantId: string, values: New<CheckInsert>) {
    const [row] = await db.insert(recordChecks).values({ ...values, tenantId }).returning();
    return row!;
  },
  async updateCheck(db: DbOrTx, tenantId: string, id: string, set: Change<CheckInsert>) {
    const [row] = await db.update(recordChecks).set(set).where(and(eq(recordChecks.tenantId, tenantId), eq(recordChecks.id, id))).returning();
    return row!;
  },
  async deleteCheck(db: DbOrTx, tenantId: string, id: string) {
    await db.delete(recordChecks).where(and(eq(recordChecks.tenantId, tenantId), eq(recordChecks.id, id)));
  },
  async insertRatingSystem(db: DbOrTx, tenantId: string, values: New<RatingSystemInsert>) {
    const [row] = await db.insert(recordRatingSystems).values({ ...values, tenantId }).returning();
    return row!;
  },
  async updateRatingSystem(db: DbOrTx, tenantId: string, id: string, set: Change<RatingSystemInsert>) {
    const [row] = await db.update(recordRatingSystems).set(set).where(and(eq(recordRatingSystems.tenantId, tenantId), eq(recordRatingSystems.id, id))).returning();
    return row!;
  },

  /** Built-in checks a rule-set upgrade adds. */
  async insertChecks(db: DbOrTx, tenantId: string, rows: Array<New<CheckInsert>>) {
    if (rows.length) await db.insert(recordChecks).values(rows.map((r) => ({ ...r, tenantId })));
  },
  /** Built-in profile types a rule-set upgrade adds. */
  async insertProfileTypes(db: DbOrTx, tenantId: string, rows: Array<New<ProfileTypeInsert>>) {
    if (rows.length) await db.insert(recordProfileTypes).values(rows.map((r) => ({ ...r, tenantId })));
  },
  /** Locks the tenant's settings row (made first when missing) for the rest of the transaction: one rule-set change at a time. */
  async lockSettings(db: DbOrTx, tenantId: string, defaultVersion: string) {
    await db.insert(recordSettings).values({ tenantId, ruleSetVersion: defaultVersion }).onConflictDoNothing();
    await db.select().from(recordSettings).where(eq(recordSettings.tenantId, tenantId)).for('update');
  },
  async setRuleSetVersion(db: DbOrTx, tenantId: string, version: string, at: Date) {
    await db.update(recordSettings).set({ ruleSetVersion: version, updatedAt: at }).where(eq(recordSettings.tenantId, tenantId));
  },
};
