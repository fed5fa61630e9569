import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { groupContacts, groups, kioskReplays, members, siteGroups, sites, visits } from '../signin.tables.js';
import type { MemberRow } from '../members/members.port.js';
import { memberColumns } from '../members/members.repo.js';
import type { VisitRow } from './visits.presenter.js';
import { openVisit, type NewVisit } from './visits.repo.js';

export type ReplayRow = typeof kioskReplays.$inferSelect;
export type ReplayAnswer = { key: string; status: 'accepted' | 'conflict' | 'refused'; code: string | null; reason: string | null; visitId: string | null; recordedAt: Date | null };

/**
 * The replay's queries (kiosk_replays, and the set-wise reads and writes of a chunk of offline
 * events): every one takes the tenant (or the kiosk, whose rows are its tenant's) and answers for
 * a whole chunk in one statement.
 */
export const replayRepo = {
  /** Claims the keys (a placeholder answer each); returns the keys this call claimed (not seen before). */
  async claim(db: DbOrTx, tenantId: string, kioskId: string, events: ReadonlyArray<{ key: string; kind: string; at: string }>): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows = await db
      .insert(kioskReplays)
      .values(events.map((e) => ({ tenantId, kioskId, key: e.key, kind: e.kind, status: 'refused' as const, eventAt: new Date(e.at) })))
      .onConflictDoNothing()
      .returning({ key: kioskReplays.key });
    return new Set(rows.map((r) => r.key));
  },
  /** The kept answers of these keys of the kiosk. */
  async answers(db: DbOrTx, tenantId: string, kioskId: string, keys: readonly string[]): Promise<Map<string, ReplayRow>> {
    if (keys.length === 0) return new Map();
    const rows = await db
      .select()
      .from(kioskReplays)
      .where(and(eq(kioskReplays.tenantId, tenantId), eq(kioskReplays.kioskId, kioskId), inArray(kioskReplays.key, [...keys])));
    return new Map(rows.map((r) => [r.key, r] as const));
  },
  /** Stores the answers of claimed keys in one statement. */
  async storeAnswers(db: DbOrTx, tenantId: string, kioskId: string, answers: readonly ReplayAnswer[]) {
    if (answers.length === 0) return;
    const rows = answers.map(
      (a) => sql`(${a.key}::text, ${a.status}::text, ${a.code}::text, ${a.reason}::text, ${a.visitId}::uuid, ${a.recordedAt?.toISOString() ?? null}::timestamptz)`,
    );
    await db.execute(sql`
      UPDATE kiosk_replays AS r
      SET status = v.status, code = v.code, reason = v.reason, visit_id = v.visit_id, recorded_at = v.recorded_at
      FROM (VALUES ${sql.join(rows, sql`, `)}) AS v(key, status, code, reason, visit_id, recorded_at)
      WHERE r.tenant_id = ${tenantId}::uuid AND r.kiosk_id = ${kioskId}::uuid AND r.key = v.key`);
  },
  /** The kiosk's latest answers that were not simply accepted (its sync log). */
  async log(db: DbOrTx, tenantId: string, kioskId: string, limit: number) {
    return db
      .select()
      .from(kioskReplays)
      .where(and(eq(kioskReplays.tenantId, tenantId), eq(kioskReplays.kioskId, kioskId), inArray(kioskReplays.status, ['conflict', 'refused'])))
      .orderBy(desc(kioskReplays.createdAt))
      .limit(limit);
  },

  /** The groups shown on the site among these, with the site (a group not on it is absent). */
  async groupsOnSite(db: DbOrTx, tenantId: string, siteId: string, groupIds: readonly string[]) {
    if (groupIds.length === 0) return [];
    return db
      .select({ site: sites, group: groups })
      .from(siteGroups)
      .innerJoin(sites, eq(sites.id, siteGroups.siteId))
      .innerJoin(groups, eq(groups.id, siteGroups.groupId))
      .where(and(eq(siteGroups.tenantId, tenantId), eq(siteGroups.siteId, siteId), inArray(siteGroups.groupId, [...groupIds])));
  },
  /** The tenant's members among these ids (removed ones included). */
  async members(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<MemberRow[]> {
    if (ids.length === 0) return [];
    return db
      .select(memberColumns)
      .from(members)
      .where(and(eq(members.tenantId, tenantId), inArray(members.id, [...ids])));
  },
  /** The contacts (user ids) of each of these groups. */
  async contactsOf(db: DbOrTx, tenantId: string, groupIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (groupIds.length === 0) return out;
    const rows = await db
      .select({ groupId: groupContacts.groupId, userId: groupContacts.userId })
      .from(groupContacts)
      .where(and(eq(groupContacts.tenantId, tenantId), inArray(groupContacts.groupId, [...groupIds])));
    for (const r of rows) out.set(r.groupId, [...(out.get(r.groupId) ?? []), r.userId]);
    return out;
  },
  /** The agreement versions each of these members has accepted on any visit. */
  async acceptedAgreements(db: DbOrTx, tenantId: string, memberIds: readonly string[]): Promise<Set<string>> {
    if (memberIds.length === 0) return new Set();
    const rows = await db
      .selectDistinct({ memberId: visits.memberId, version: visits.agreementVersion })
      .from(visits)
      .where(and(eq(visits.tenantId, tenantId), inArray(visits.memberId, [...memberIds]), isNotNull(visits.agreementVersion)));
    return new Set(rows.map((r) => `${r.memberId}|${r.version}`));
  },
  /** The open visits (any site) of these members. */
  async openOfMembers(db: DbOrTx, tenantId: string, memberIds: readonly string[]): Promise<VisitRow[]> {
    if (memberIds.length === 0) return [];
    return db
      .select()
      .from(visits)
      .where(and(eq(visits.tenantId, tenantId), inArray(visits.memberId, [...memberIds]), openVisit));
  },
  /**
   * For each (member, time): the member's latest signed-in visit at the site that began at or
   * before the time (an offline sign-out's target), in one statement.
   */
  async latestBefore(db: DbOrTx, tenantId: string, siteId: string, asks: ReadonlyArray<{ memberId: string; at: Date }>): Promise<VisitRow[]> {
    if (asks.length === 0) return [];
    const values = asks.map((a) => sql`(${a.memberId}::uuid, ${a.at.toISOString()}::timestamptz)`);
    const res = (await db.execute(sql`
      SELECT DISTINCT v.id
      FROM (VALUES ${sql.join(values, sql`, `)}) AS q(member_id, at)
      CROSS JOIN LATERAL (
        SELECT id FROM visits
        WHERE tenant_id = ${tenantId}::uuid AND member_id = q.member_id AND site_id = ${siteId}::uuid
          AND outcome = 'signed_in' AND signed_in_at <= q.at
        ORDER BY signed_in_at DESC LIMIT 1
      ) AS v`)) as unknown as { rows: Array<{ id: string }> };
    const ids = res.rows.map((r) => r.id);
    return replayRepo.visits(db, tenantId, ids);
  },
  /** The tenant's visits among these ids. */
  async visits(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<VisitRow[]> {
    if (ids.length === 0) return [];
    return db
      .select()
      .from(visits)
      .where(and(eq(visits.tenantId, tenantId), inArray(visits.id, [...ids])));
  },
  /** Inserts visits (ids given) in one statement; a member's second open visit is skipped (the partial unique index). */
  async insertVisits(db: DbOrTx, rows: readonly NewVisit[]): Promise<VisitRow[]> {
    if (rows.length === 0) return [];
    return db
      .insert(visits)
      .values([...rows])
      .onConflictDoNothing({ target: visits.memberId, where: sql`member_id IS NOT NULL AND signed_out_at IS NULL AND outcome = 'signed_in'` })
      .returning();
  },
  /**
   * Signs out visits that were there before the chunk, in one statement: `kiosk` closes an open
   * visit; `replace_auto` moves an automatic sign-out to the person's own time. A visit no longer
   * in the state expected is left alone (and absent from the answer).
   */
  async signOutVisits(db: DbOrTx, tenantId: string, changes: ReadonlyArray<{ id: string; at: Date; kind: 'close' | 'replace_auto' }>): Promise<VisitRow[]> {
    if (changes.length === 0) return [];
    const values = changes.map((c) => sql`(${c.id}::uuid, ${c.at.toISOString()}::timestamptz, ${c.kind}::text)`);
    const res = (await db.execute(sql`
      UPDATE visits AS t
      SET signed_out_at = c.at, signed_out_by = 'kiosk', recorded_offline = CASE WHEN c.kind = 'replace_auto' THEN true ELSE t.recorded_offline END
      FROM (VALUES ${sql.join(values, sql`, `)}) AS c(id, at, kind)
      WHERE t.tenant_id = ${tenantId}::uuid AND t.id = c.id
        AND ((c.kind = 'close' AND t.signed_out_at IS NULL AND t.outcome = 'signed_in') OR (c.kind = 'replace_auto' AND t.signed_out_by = 'auto'))
      RETURNING t.id`)) as unknown as { rows: Array<{ id: string }> };
    return replayRepo.visits(db, tenantId, res.rows.map((r) => r.id));
  },
};
