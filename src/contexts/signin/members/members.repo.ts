import { and, eq, ilike, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../platform/db/database.js';
import { groups, members, siteGroups } from '../signin.tables.js';
import { valuesColumn, valuesTable, type ValuesColumn } from '../../../platform/db/values.js';
import type { MemberRow, MemberWithGroup } from './members.port.js';
import { memberColumnsSql } from './members.presenters.js';

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
 * The members page (decisions 025, 031) as prepared statements of `db`, built once per service:
 * one statement per request, on the group's row (none: no such group, or none the caller's sites
 * may see), whose one column is the whole answer, `{"items":[…],"total":n}`, as JSON text:
 * PostgreSQL presents the page (`memberColumnsSql`, the row's JSON is `presentMember`'s shape), in
 * name order, and the page stops at its last row on the name index. The total counts the group
 * only when the page cannot tell it: a page with some rows but fewer than `limit` ends the list,
 * so the total is `offset` + its rows (and an empty first page is 0); a full page, or an empty
 * one past the end, counts (PostgreSQL runs the count's subplan only when that branch is taken).
 * One statement per `archived` choice, with and without a search, for callers with and without a
 * site scope.
 */
export function preparedMemberPage(db: Db) {
  const p = {
    tenantId: sql.placeholder('tenantId'),
    groupId: sql.placeholder('groupId'),
    pattern: sql.placeholder('pattern'),
    limit: sql.placeholder('limit'),
    offset: sql.placeholder('offset'),
    sites: sql.placeholder('sites'),
  };
  // A site-scoped caller's statement also checks that the group is at one of its sites. Two forms,
  // not `$sites is null or exists (…)`: that one PostgreSQL plans afresh on every execution (a
  // custom plan folds the null away), which costs more than the statement runs.
  const atSites = sql`exists (select 1 from ${siteGroups} where ${siteGroups.tenantId} = ${p.tenantId} and ${siteGroups.groupId} = ${groups.id} and ${siteGroups.siteId} = any(${p.sites}::uuid[]))`;
  function build(archived: MemberListQuery['archived'], search: boolean, scoped: boolean) {
    const where = listConds(sql`${p.tenantId}`, sql`${p.groupId}`, archived, search ? sql`${p.pattern}` : undefined);
    const page = sql`select ${memberColumnsSql()} from ${members} where ${where} order by ${members.fullName}, ${members.id} limit ${p.limit} offset ${p.offset}`;
    const rows = sql`count(*)`;
    const total = sql`case when (${rows} > 0 and ${rows} < ${p.limit}) or (${rows} = 0 and ${p.offset}::bigint = 0) then ${p.offset}::bigint + ${rows} else (select count(*) from ${members} where ${where}) end`;
    return db
      .select({
        body: sql<string>`(select '{"items":' || coalesce(json_agg(page order by page."fullName", page.id)::text, '[]') || ',"total":' || ${total} || '}' from (${page}) as page)`,
      })
      .from(groups)
      .where(and(eq(groups.tenantId, sql`${p.tenantId}`), eq(groups.id, sql`${p.groupId}`), scoped ? atSites : undefined))
      .prepare(`signin_members_page_${archived}${search ? '_search' : ''}${scoped ? '_scoped' : ''}`);
  }
  const statements = new Map<string, ReturnType<typeof build>>();
  for (const archived of ['active', 'archived', 'all'] as const) {
    for (const search of [false, true]) for (const scoped of [false, true]) statements.set(`${archived}:${search}:${scoped}`, build(archived, search, scoped));
  }
  return {
    /**
     * The answer of a page as JSON text (`{"items":[…presented members],"total":n}`); undefined
     * when the tenant has no such group or `sites` (a site scope; null: every site) do not hold it.
     */
    async page(tenantId: string, sites: readonly string[] | null, groupId: string, q: MemberListQuery): Promise<string | undefined> {
      const [found] = await statements.get(`${q.archived}:${Boolean(q.q)}:${sites !== null}`)!.execute({ tenantId, groupId, sites, pattern: q.q ? `%${likeEscape(q.q)}%` : undefined, limit: q.limit, offset: q.offset });
      return found?.body;
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
