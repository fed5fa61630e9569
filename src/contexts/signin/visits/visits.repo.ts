import { and, desc, eq, gte, ilike, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../platform/db/database.js';
import { preparedStatement } from '../../../platform/db/prepared.js';
import { insertRowPlaceholders } from '../../../platform/db/values.js';
import { groupContacts, groups, signinSettings, siteGroups, sites, visits } from '../signin.tables.js';
import { likeEscape } from '../members/members.repo.js';
import type { VisitRow } from './visits.presenter.js';

export const openVisit = and(isNull(visits.signedOutAt), eq(visits.outcome, 'signed_in'));

export type VisitFilters = {
  siteIds: readonly string[] | null;
  groupId?: string;
  memberId?: string;
  person?: string;
  /** Days (YYYY-MM-DD, inclusive) as the visit's site counts them, in the site's time zone. */
  fromDay?: string;
  toDay?: string;
  outcome?: 'signed_in' | 'rejected';
  cursor?: { at: Date; id: string };
};

const DAY_MS = 86_400_000;

/** The filters of a history page; it joins `sites` (a day is the site's). */
function whereOf(tenantId: string, f: VisitFilters): SQL {
  const conds: SQL[] = [eq(visits.tenantId, tenantId)];
  if (f.siteIds !== null) conds.push(f.siteIds.length ? inArray(visits.siteId, [...f.siteIds]) : sql`false`);
  if (f.groupId) conds.push(eq(visits.groupId, f.groupId));
  if (f.memberId) conds.push(eq(visits.memberId, f.memberId));
  if (f.person) conds.push(ilike(visits.personName, `%${likeEscape(f.person)}%`));
  // The day at the visit's site (its time zone), bounded first by the widest UTC offsets so the
  // signed_in_at index still narrows the read.
  const localDay = sql`(${visits.signedInAt} AT TIME ZONE ${sites.timezone})::date`;
  if (f.fromDay) conds.push(gte(visits.signedInAt, new Date(Date.parse(`${f.fromDay}T00:00:00Z`) - DAY_MS)), sql`${localDay} >= ${f.fromDay}::date`);
  if (f.toDay) conds.push(lt(visits.signedInAt, new Date(Date.parse(`${f.toDay}T00:00:00Z`) + 2 * DAY_MS)), sql`${localDay} <= ${f.toDay}::date`);
  if (f.outcome) conds.push(eq(visits.outcome, f.outcome));
  if (f.cursor) {
    conds.push(or(lt(visits.signedInAt, f.cursor.at), and(eq(visits.signedInAt, f.cursor.at), lt(visits.id, f.cursor.id)))!);
  }
  return and(...conds)!;
}

export type NewVisit = typeof visits.$inferInsert;

export const visitsRepo = {
  /** The site and a group shown on it, when the group is on the site. */
  async siteAndGroup(db: DbOrTx, tenantId: string, siteId: string, groupId: string) {
    const [row] = await db
      .select({ site: sites, group: groups })
      .from(siteGroups)
      .innerJoin(sites, eq(sites.id, siteGroups.siteId))
      .innerJoin(groups, eq(groups.id, siteGroups.groupId))
      .where(and(eq(siteGroups.tenantId, tenantId), eq(siteGroups.siteId, siteId), eq(siteGroups.groupId, groupId)));
    return row;
  },
  /** The users who are the group's contacts. */
  async contactsOf(db: DbOrTx, tenantId: string, groupId: string) {
    const rows = await db.select({ userId: groupContacts.userId }).from(groupContacts).where(and(eq(groupContacts.tenantId, tenantId), eq(groupContacts.groupId, groupId)));
    return rows.map((r) => r.userId);
  },
  /** Inserts a visit; undefined when the member already has an open visit (the partial unique index). */
  async insert(db: DbOrTx, values: NewVisit): Promise<VisitRow | undefined> {
    const [row] = await db
      .insert(visits)
      .values(values)
      .onConflictDoNothing({ target: visits.memberId, where: sql`member_id IS NOT NULL AND signed_out_at IS NULL AND outcome = 'signed_in'` })
      .returning();
    return row;
  },
  /**
   * `insert` in one statement when `gate` holds, else nothing (undefined, as for a member already
   * signed in): the visit's own `INSERT … SELECT … WHERE gate`, so the gate is read in the snapshot
   * of the statement that writes the visit. Built once (the row's columns `keys` and the gate as
   * placeholders, the gate's own named `gate*`) and prepared on `db` (decision 038); run on `dbx`
   * with the row and the gate's values.
   */
  preparedInsertIf(db: Db, name: string, keys: ReadonlyArray<keyof NewVisit & string>, gate: SQL) {
    const row = insertRowPlaceholders(visits, keys);
    const statement = preparedStatement(db, name, (d) =>
      d
        .insert(visits)
        .select(sql`${row.select} WHERE ${gate}`)
        .onConflictDoNothing({ target: visits.memberId, where: sql`member_id IS NOT NULL AND signed_out_at IS NULL AND outcome = 'signed_in'` })
        .returning(),
    );
    return async (dbx: DbOrTx, values: NewVisit, gateValues: Record<string, unknown>): Promise<VisitRow | undefined> => {
      const [inserted] = await statement.execute(dbx, { ...row.values(values), ...gateValues });
      return inserted;
    };
  },
  /** Open visits of these members. */
  async openOfMembers(db: DbOrTx, tenantId: string, memberIds: string[]): Promise<VisitRow[]> {
    if (memberIds.length === 0) return [];
    return db.select().from(visits).where(and(eq(visits.tenantId, tenantId), inArray(visits.memberId, memberIds), openVisit));
  },
  async settings(db: DbOrTx, tenantId: string) {
    const [row] = await db.select().from(signinSettings).where(eq(signinSettings.tenantId, tenantId));
    return row;
  },
  async saveSettings(db: DbOrTx, tenantId: string, retentionDays: number | null, at: Date) {
    await db
      .insert(signinSettings)
      .values({ tenantId, retentionDays, updatedAt: at })
      .onConflictDoUpdate({ target: signinSettings.tenantId, set: { retentionDays, updatedAt: at } });
  },
  async settingsWithRetention(db: DbOrTx) {
    return db.select().from(signinSettings).where(isNotNull(signinSettings.retentionDays));
  },
  /** Deletes the tenant's closed (or rejected), unprotected visits signed in before `cutoff`. */
  async deleteExpired(db: DbOrTx, tenantId: string, cutoff: Date) {
    return db
      .delete(visits)
      .where(and(eq(visits.tenantId, tenantId), lt(visits.signedInAt, cutoff), eq(visits.protected, false), or(isNotNull(visits.signedOutAt), eq(visits.outcome, 'rejected'))))
      .returning({ id: visits.id });
  },
  async setProtected(db: DbOrTx, tenantId: string, visitId: string, value: boolean) {
    const [row] = await db.update(visits).set({ protected: value }).where(and(eq(visits.tenantId, tenantId), eq(visits.id, visitId))).returning();
    return row;
  },
  async find(db: DbOrTx, tenantId: string, id: string): Promise<VisitRow | undefined> {
    const [row] = await db.select().from(visits).where(and(eq(visits.tenantId, tenantId), eq(visits.id, id)));
    return row;
  },
  async openForMember(db: DbOrTx, tenantId: string, memberId: string, siteId: string): Promise<VisitRow | undefined> {
    const [row] = await db.select().from(visits).where(and(eq(visits.tenantId, tenantId), eq(visits.memberId, memberId), eq(visits.siteId, siteId), openVisit));
    return row;
  },
  async memberAcceptedAgreement(db: DbOrTx, tenantId: string, memberId: string, version: string) {
    const rows = await db
      .select({ id: visits.id })
      .from(visits)
      .where(and(eq(visits.tenantId, tenantId), eq(visits.memberId, memberId), eq(visits.agreementVersion, version)))
      .limit(1);
    return rows.length > 0;
  },
  /** Closes an open visit; undefined when it was not open (so two sign-outs cannot both win). */
  async close(db: DbOrTx, tenantId: string, id: string, at: Date, by: 'kiosk' | 'manual' | 'auto'): Promise<VisitRow | undefined> {
    const [row] = await db
      .update(visits)
      .set({ signedOutAt: at, signedOutBy: by })
      .where(and(eq(visits.tenantId, tenantId), eq(visits.id, id), openVisit))
      .returning();
    return row;
  },
  /** The member's latest signed-in visit at this site that began at or before `at` (an offline sign-out's target). */
  async latestForMemberBefore(db: DbOrTx, tenantId: string, memberId: string, siteId: string, at: Date): Promise<VisitRow | undefined> {
    const [row] = await db
      .select()
      .from(visits)
      .where(and(eq(visits.tenantId, tenantId), eq(visits.memberId, memberId), eq(visits.siteId, siteId), eq(visits.outcome, 'signed_in'), lte(visits.signedInAt, at)))
      .orderBy(desc(visits.signedInAt))
      .limit(1);
    return row;
  },
  /** An automatic sign-out replaced by the time a person signed out (offline). */
  async replaceAutoSignOut(db: DbOrTx, tenantId: string, id: string, at: Date): Promise<VisitRow | undefined> {
    const [row] = await db
      .update(visits)
      .set({ signedOutAt: at, signedOutBy: 'kiosk', recordedOffline: true })
      .where(and(eq(visits.tenantId, tenantId), eq(visits.id, id), eq(visits.signedOutBy, 'auto')))
      .returning();
    return row;
  },
  async page(db: DbOrTx, tenantId: string, f: VisitFilters, limit: number) {
    return db
      .select({ visit: visits, siteName: sites.name, groupName: groups.name })
      .from(visits)
      .innerJoin(sites, eq(sites.id, visits.siteId))
      .innerJoin(groups, eq(groups.id, visits.groupId))
      .where(whereOf(tenantId, f))
      .orderBy(desc(visits.signedInAt), desc(visits.id))
      .limit(limit);
  },
};
