import { and, eq, ilike, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../platform/db/database.js';
import { groups, members } from '../signin.tables.js';
import { valuesColumn, valuesTable, type ValuesColumn } from '../../../platform/db/values.js';
import type { MemberRow, MemberWithGroup } from './members.port.js';
import { memberJsonSql } from './members.presenters.js';

const MEMBER_VALUES: ValuesColumn[] = [
  { name: 'id', type: 'uuid' },
  { name: 'full_name', type: 'text' },
  { name: 'role', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'phone', type: 'text' },
  { name: 'start_date', type: 'date' },
  { name: 'end_date', type: 'date' },
  { name: 'custom_fields', type: 'jsonb' },
];

export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type MemberListQuery = { q?: string; archived: 'active' | 'archived' | 'all'; limit: number; offset: number };

/** The conditions of a members page: live members of the group, archived or not as asked, the name containing `q`. */
function listConds(tenantId: SQL | string, groupId: SQL | string, archived: MemberListQuery['archived'], pattern: SQL | string | undefined): SQL {
  const conds: SQL[] = [eq(members.tenantId, tenantId), eq(members.groupId, groupId), isNull(members.deletedAt)];
  if (archived === 'active') conds.push(isNull(members.archivedAt));
  if (archived === 'archived') conds.push(isNotNull(members.archivedAt));
  if (pattern !== undefined) conds.push(ilike(members.fullName, pattern));
  return and(...conds)!;
}

/**
 * The members page (decision 025) as prepared statements of `db`, built once per service: one
 * statement per request, on the group's row (none: no such group), with the total and the page
 * as scalar subqueries; PostgreSQL presents the page as JSON text (`memberJsonSql`), in name
 * order, and the page stops at its last row on the name index. One statement per `archived`
 * choice, with and without a search.
 */
export function preparedMemberPage(db: Db) {
  const p = { tenantId: sql.placeholder('tenantId'), groupId: sql.placeholder('groupId'), pattern: sql.placeholder('pattern') };
  function build(archived: MemberListQuery['archived'], search: boolean) {
    const where = listConds(sql`${p.tenantId}`, sql`${p.groupId}`, archived, search ? sql`${p.pattern}` : undefined);
    const page = sql`select * from ${members} where ${where} order by ${members.fullName}, ${members.id} limit ${sql.placeholder('limit')} offset ${sql.placeholder('offset')}`;
    return db
      .select({
        total: sql<number>`(select count(*) from ${members} where ${where})`.mapWith(Number),
        itemsJson: sql<string>`(select coalesce(json_agg(${memberJsonSql('page')} order by page.full_name, page.id), '[]')::text from (${page}) as page)`,
      })
      .from(groups)
      .where(and(eq(groups.tenantId, sql`${p.tenantId}`), eq(groups.id, sql`${p.groupId}`)))
      .prepare(`signin_members_page_${archived}${search ? '_search' : ''}`);
  }
  const statements = new Map<string, ReturnType<typeof build>>();
  for (const archived of ['active', 'archived', 'all'] as const) for (const search of [false, true]) statements.set(`${archived}:${search}`, build(archived, search));
  return {
    /** The page as JSON text (an array of presented members) and the total; undefined when the tenant has no such group. */
    async page(tenantId: string, groupId: string, q: MemberListQuery): Promise<{ itemsJson: string; total: number } | undefined> {
      const [found] = await statements.get(`${q.archived}:${Boolean(q.q)}`)!.execute({ tenantId, groupId, pattern: q.q ? `%${likeEscape(q.q)}%` : undefined, limit: q.limit, offset: q.offset });
      return found;
    },
  };
}

export const membersRepo = {
  /** Live members of the groups (only `memberIds`, when given), oldest first, with their group's name and staff flag. */
  async listWithGroups(db: DbOrTx, tenantId: string, groupIds: readonly string[], memberIds?: readonly string[]): Promise<MemberWithGroup[]> {
    if (groupIds.length === 0 || memberIds?.length === 0) return [];
    const conds = [eq(members.tenantId, tenantId), inArray(members.groupId, [...groupIds]), isNull(members.deletedAt)];
    if (memberIds) conds.push(inArray(members.id, [...memberIds]));
    const rows = await db
      .select({ member: members, groupName: groups.name, isStaffGroup: groups.isStaffGroup })
      .from(members)
      .innerJoin(groups, eq(groups.id, members.groupId))
      .where(and(...conds))
      .orderBy(members.createdAt, members.id);
    return rows.map((r) => ({ ...r.member, groupName: r.groupName, isStaffGroup: r.isStaffGroup }));
  },
  async customFieldKeys(db: DbOrTx, tenantId: string): Promise<string[]> {
    const rows = await db.execute(sql`SELECT DISTINCT jsonb_object_keys(${members.customFields}) AS k FROM ${members} WHERE ${members.tenantId} = ${tenantId} AND jsonb_typeof(${members.customFields}) = 'object'`);
    return (rows as unknown as { rows: Array<{ k: string }> }).rows.map((r) => r.k).sort();
  },
  async versions(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await db.select({ id: members.id, version: members.version }).from(members).where(and(eq(members.tenantId, tenantId), inArray(members.id, [...ids])));
    return new Map(rows.map((r) => [r.id, r.version]));
  },
  /** Members by id (removed ones too); `lock` holds them against other writers until the transaction ends. */
  async findMany(db: DbOrTx, tenantId: string, ids: readonly string[], lock = false): Promise<MemberRow[]> {
    if (ids.length === 0) return [];
    const q = db.select().from(members).where(and(eq(members.tenantId, tenantId), inArray(members.id, [...ids])));
    return lock ? q.for('update') : q;
  },
  /**
   * Writes each member's own values of the columns a change may set, version + 1, in one
   * `UPDATE … FROM unnest(…)`; returns the rows written.
   */
  async writeMany(db: DbOrTx, tenantId: string, rows: ReadonlyArray<Pick<MemberRow, 'id' | 'fullName' | 'role' | 'email' | 'phone' | 'startDate' | 'endDate' | 'customFields'>>, at: Date): Promise<MemberRow[]> {
    if (rows.length === 0) return [];
    const v = (name: string) => valuesColumn('v', name);
    return db
      .update(members)
      .set({ fullName: v('full_name'), role: v('role'), email: v('email'), phone: v('phone'), startDate: v('start_date'), endDate: v('end_date'), customFields: v('custom_fields'), version: sql`${members.version} + 1`, updatedAt: at })
      .from(valuesTable('v', MEMBER_VALUES, rows.map((r) => [r.id, r.fullName, r.role, r.email, r.phone, r.startDate, r.endDate, r.customFields])))
      .where(and(eq(members.tenantId, tenantId), eq(members.id, v('id'))))
      .returning();
  },
  async find(db: DbOrTx, tenantId: string, id: string): Promise<MemberRow | undefined> {
    const [row] = await db.select().from(members).where(and(eq(members.tenantId, tenantId), eq(members.id, id)));
    return row;
  },
  async findByQr(db: DbOrTx, tenantId: string, qrToken: string): Promise<MemberRow | undefined> {
    const [row] = await db.select().from(members).where(and(eq(members.tenantId, tenantId), eq(members.qrToken, qrToken)));
    return row;
  },
};
