import { and, asc, desc, eq, gt, inArray, isNotNull, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { recordCheckValues, recordDocuments, recordOrganisations, recordProfileHistory, recordProfiles } from '../record.tables.js';

export const profilesRepo = {
  /** Every tenant's live profiles with a leaving date on or before `horizon`, with their organisation's time zone (the leavers job works across tenants). */
  async leavingBy(db: DbOrTx, horizon: string) {
    return db
      .select({ id: recordProfiles.id, tenantId: recordProfiles.tenantId, leavingDate: recordProfiles.leavingDate, timeZone: recordOrganisations.timeZone })
      .from(recordProfiles)
      .innerJoin(recordOrganisations, eq(recordOrganisations.id, recordProfiles.organisationId))
      .where(and(eq(recordProfiles.status, 'live'), isNotNull(recordProfiles.leavingDate), lte(recordProfiles.leavingDate, horizon)));
  },
  async insert(db: DbOrTx, row: typeof recordProfiles.$inferInsert) {
    const [made] = await db.insert(recordProfiles).values(row).returning();
    return made!;
  },
  async find(db: DbOrTx, tenantId: string, id: string) {
    const [row] = await db.select().from(recordProfiles).where(and(eq(recordProfiles.tenantId, tenantId), eq(recordProfiles.id, id)));
    return row;
  },
  async findForUpdate(db: DbOrTx, tenantId: string, id: string) {
    const [row] = await db.select().from(recordProfiles).where(and(eq(recordProfiles.tenantId, tenantId), eq(recordProfiles.id, id))).for('update');
    return row;
  },
  async values(db: DbOrTx, tenantId: string, profileId: string) {
    const rows = await db.select().from(recordCheckValues).where(and(eq(recordCheckValues.tenantId, tenantId), eq(recordCheckValues.profileId, profileId)));
    return new Map(rows.map((r) => [r.checkId, r]));
  },
  async documents(db: DbOrTx, tenantId: string, profileId: string) {
    return db.select().from(recordDocuments).where(and(eq(recordDocuments.tenantId, tenantId), eq(recordDocuments.profileId, profileId))).orderBy(asc(recordDocuments.uploadedAt));
  },
  async history(db: DbOrTx, tenantId: string, profileId: string, sinceVersion = 0) {
    return db
      .select()
      .from(recordProfileHistory)
      .where(and(eq(recordProfileHistory.tenantId, tenantId), eq(recordProfileHistory.profileId, profileId), gt(recordProfileHistory.version, sinceVersion)))
      .orderBy(desc(recordProfileHistory.at), desc(recordProfileHistory.version));
  },
  async deleteValues(db: DbOrTx, tenantId: string, profileId: string, checkIds: string[]) {
    if (!checkIds.length) return;
    await db.delete(recordCheckValues).where(and(eq(recordCheckValues.tenantId, tenantId), eq(recordCheckValues.profileId, profileId), inArray(recordCheckValues.checkId, checkIds)));
  },
  async upsertValue(db: DbOrTx, row: typeof recordCheckValues.$inferInsert) {
    await db
      .insert(recordCheckValues)
      .values(row)
      .onConflictDoUpdate({
        target: [recordCheckValues.profileId, recordCheckValues.checkId],
        set: { value: row.value, reference: row.reference, checkedOn: row.checkedOn, evidence: row.evidence, recordedBy: row.recordedBy, recordedByLabel: row.recordedByLabel, recordedAt: row.recordedAt },
      });
  },
  /** Deletes a profile and its values (documents' rows and history go with it by cascade). */
  async erase(db: DbOrTx, tenantId: string, id: string) {
    await db.delete(recordCheckValues).where(and(eq(recordCheckValues.tenantId, tenantId), eq(recordCheckValues.profileId, id)));
    await db.delete(recordProfiles).where(and(eq(recordProfiles.tenantId, tenantId), eq(recordProfiles.id, id)));
  },
};
