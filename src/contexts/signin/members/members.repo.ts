import { and, eq, getTableColumns, ilike, inArray, isNotNull, isNull, ne, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Database, Db, DbOrTx } from '../../../platform/db/database.js';
import { preparedQuery, preparedStatement } from '../../../platform/db/prepared.js';
import { auditActorValues, auditRowsOf, type Actor } from '../../../platform/audit/audit.js';
import { groups, members, siteGroups } from '../signin.tables.js';
import { placeholderTable, valuesColumn, valuesTable, type ValuesColumn } from '../../../platform/db/values.js';
import type { ChangeSource, MemberRow, MemberWithGroup } from './members.port.js';
import { MEMBERS_CHANGED_CHANNEL } from './members.counts.js';
import { storedNameKey } from '../../../platform/db/name-order.js';

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

/** The columns of `createdMany`'s rows (`manyValues`), and of the request ids its audit rows read. */
const MANY_VALUES: ValuesColumn[] = [...MEMBER_VALUES, { name: 'qr_token', type: 'text' }, { name: 'at', type: 'timestamptz' }];
const MANY_REQUESTS: ValuesColumn[] = [
  { name: 'id', type: 'uuid' },
  { name: 'request_id', type: 'text' },
];

const { doc: _doc, fullNameKey: _fullNameKey, ...columns } = getTableColumns(members);
/**
 * Every column of `members` but the stored document (`doc`, ~400 bytes a member) and the name's
 * sort key, which only the members page reads: what the repo's reads and writes return as a `MemberRow`.
 */
export const memberColumns = columns;

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
 * The members page (decisions 025, 031, 034, 037) as statements prepared once per service
 * (`Database.prepare`: named on PostgreSQL, PREPARE/EXECUTE on PGlite; rows as arrays, no row
 * mapping). `docs` is the page: the stored JSON text of each member (`members.doc`, kept by the
 * table's trigger as `memberDocSql` writes it), in name order (the page stops at its last row on
 * the name index), one row each; PostgreSQL builds no JSON and joins nothing, and a page with rows
 * needs no other check (its rows are the tenant's group's; a site-scoped caller's statement also
 * checks that the group is at one of its sites). `count` is the group's total under the page's
 * filters, on the group's row: none when the tenant has no such group, or none the caller's sites
 * may see; the service asks it only when neither the page nor a kept total (members.counts.ts)
 * tells it, and for an empty page (a group with no rows yet, or a page past the end).
 * One statement per `archived` choice, with and without a search, for callers with and without a
 * site scope. Two forms for the scope, not `$sites is null or exists (…)`: that one PostgreSQL
 * plans afresh on every execution (a custom plan folds the null away), which costs more than the
 * statement runs.
 */
export function preparedMemberPage(database: Pick<Database, 'db' | 'prepare'>) {
  const { db } = database;
  const p = {
    tenantId: sql.placeholder('tenantId'),
    groupId: sql.placeholder('groupId'),
    pattern: sql.placeholder('pattern'),
    limit: sql.placeholder('limit'),
    offset: sql.placeholder('offset'),
    sites: sql.placeholder('sites'),
  };
  // The group at one of the caller's sites (`$sites`: a PostgreSQL array literal, so PGlite's
  // EXECUTE can take it as text); uncorrelated, so PostgreSQL checks it once per execution.
  const atSites = sql`exists (select 1 from ${siteGroups} where ${siteGroups.tenantId} = ${p.tenantId} and ${siteGroups.groupId} = ${p.groupId} and ${siteGroups.siteId} = any(${p.sites}::uuid[]))`;
  function build(archived: MemberListQuery['archived'], search: boolean, scoped: boolean) {
    const where = listConds(sql`${p.tenantId}`, sql`${p.groupId}`, archived, search ? sql`${p.pattern}` : undefined);
    const suffix = `${archived}${search ? '_search' : ''}${scoped ? '_scoped' : ''}`;
    const docs = preparedQuery(
      database,
      `signin_members_docs_${suffix}`,
      db
        .select({ doc: members.doc })
        .from(members)
        .where(and(where, scoped ? atSites : undefined))
        .orderBy(storedNameKey(members.fullNameKey), members.id)
        .limit(p.limit)
        .offset(p.offset)
        .toSQL(),
    );
    const count = preparedQuery(
      database,
      `signin_members_count_${suffix}`,
      db
        .select({ total: sql`(select count(*) from ${members} where ${where})::int` })
        .from(groups)
        .where(and(eq(groups.tenantId, p.tenantId), eq(groups.id, p.groupId), scoped ? atSites : undefined))
        .toSQL(),
    );
    return { docs, count };
  }
  const statements = new Map<string, ReturnType<typeof build>>();
  for (const archived of ['active', 'archived', 'all'] as const) {
    for (const search of [false, true]) for (const scoped of [false, true]) statements.set(`${archived}:${search}:${scoped}`, build(archived, search, scoped));
  }
  const values = (tenantId: string, sites: readonly string[] | null, groupId: string, q: MemberListQuery) => ({
    tenantId,
    groupId,
    sites: sites === null ? null : `{${sites.join(',')}}`,
    pattern: q.q ? `%${likeEscape(q.q)}%` : null,
    limit: q.limit,
    offset: q.offset,
  });
  const of = (sites: readonly string[] | null, q: MemberListQuery) => statements.get(`${q.archived}:${Boolean(q.q)}:${sites !== null}`)!;
  return {
    /** The page's members as JSON texts, each in `presentMember`'s shape; `sites`: a site scope (null: every site). */
    async docs(tenantId: string, sites: readonly string[] | null, groupId: string, q: MemberListQuery): Promise<string[]> {
      const rows = await of(sites, q).docs(values(tenantId, sites, groupId, q));
      return rows.map((r) => r[0] as string);
    },
    /** How many members the group has under the page's filters; undefined when the tenant has no such group or `sites` do not hold it. */
    async count(tenantId: string, sites: readonly string[] | null, groupId: string, q: MemberListQuery): Promise<number | undefined> {
      const [row] = await of(sites, q).count(values(tenantId, sites, groupId, q));
      return row === undefined ? undefined : Number(row[0]);
    },
  };
}

/** A new member's columns, as the create writes them (normalised). */
export type NewMember = Pick<MemberRow, 'fullName' | 'role' | 'email' | 'phone' | 'startDate' | 'endDate' | 'customFields' | 'qrToken'>;

/**
 * The members port's single-member writes (decision 029), each one prepared statement that
 * checks the group, writes the member and its audit row together (a data-modifying CTE), so a
 * SCIM create or deactivation costs one round trip here and drizzle builds no SQL per request.
 * The group check is `assertRosterWritable`'s rule in SQL: never a standard group, a SCIM group
 * only for source `scim`, never an archived group (no source that archives, restores or removes a
 * member, or adds one, may write an archived group's roster; only the sync's `update` may). No row:
 * the member (or group) is gone or refuses, and the service reads them to say which. Rows and audit
 * rows are those the built statements wrote before.
 *
 * The archive is checked by the statement that writes, so it cannot be overtaken as a check made
 * before the write could: the create holds the group's row (FOR SHARE, what its foreign key takes
 * anyway), so it and the group's archive (FOR UPDATE) serialise. The changes add no row and take no
 * lock (the SCIM PATCH's hot path: a lock would be a write of the group's row each time): as one
 * statement, they read the group archived or not in the one snapshot they write from, so a change
 * is ordered before an archive it overlaps, never after one that committed before it began.
 */
export function preparedMemberWrites(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  const m = (column: string) => sql`${sql.identifier('m')}.${sql.identifier(column)}`;
  const writable = and(ne(groups.type, 'standard'), or(ne(groups.type, 'scim'), sql`${p('scimSource')}::boolean`));
  /** `a`: the audit row of each member `m` wrote; `perRequest`: each from its own request (`r.request_id`, joined on `r.id`) instead of the actor's. */
  const audited = (action: string, perRequest?: SQL) =>
    db.$with('a').as(
      auditRowsOf(db, perRequest ? sql`${sql.identifier('m')} JOIN ${perRequest} ON r.id = ${m('id')}` : sql`${sql.identifier('m')}`, {
        tenantId: m('tenant_id'),
        action: sql`${action}::text`,
        targetType: sql`'member'::text`,
        targetId: sql`${m('id')}::text`,
        summary: sql`${`${action.replace('member.', 'Member ')}: `}::text || ${m('full_name')}`,
        data: sql`jsonb_build_object('source', ${p('source')}::text, 'groupId', ${m('group_id')})`,
        ...(perRequest ? { requestId: sql`r.request_id` } : {}),
      }).returning({ id: sql`1` }),
    );

  const at = sql`${p('at')}::timestamptz`;
  const created = db.$with('m').as(
    db
      .insert(members)
      // As SQL: drizzle's builder form asks the select for every column, the generated
      // `full_name_key` too, which an INSERT cannot name (PostgreSQL computes it).
      .select(
        db
          .select({
            id: sql`gen_random_uuid()`.as('id'),
            tenantId: groups.tenantId,
            groupId: groups.id,
            fullName: sql`${p('fullName')}::text`.as('fullName'),
            role: sql`${p('role')}::text`.as('role'),
            email: sql`${p('email')}::text`.as('email'),
            phone: sql`${p('phone')}::text`.as('phone'),
            startDate: sql`${p('startDate')}::date`.as('startDate'),
            endDate: sql`${p('endDate')}::date`.as('endDate'),
            customFields: sql`${p('customFields')}::jsonb`.as('customFields'),
            photoKey: sql`NULL::text`.as('photoKey'),
            qrToken: sql`${p('qrToken')}::text`.as('qrToken'),
            archivedAt: sql`NULL::timestamptz`.as('archivedAt'),
            deletedAt: sql`NULL::timestamptz`.as('deletedAt'),
            version: sql`1`.as('version'),
            createdAt: at.as('createdAt'),
            updatedAt: at.as('updatedAt'),
            doc: sql`''`.as('doc'), // the table's trigger writes it
          })
          .from(groups)
          .where(and(eq(groups.tenantId, p('tenantId')), eq(groups.id, p('groupId')), writable, isNull(groups.archivedAt)))
          // Held until the member commits: an archive under way is waited for and the row read
          // again (archived: no member), an archive after waits for the member. Free here: the
          // member's foreign key locks the same row (FOR KEY SHARE) as it is inserted anyway.
          .for('share', { of: groups })
          .getSQL(),
      )
      .returning(memberColumns),
  );
  const createdAudit = audited('member.created');

  // Many new members of one group (`createdMany`): each row's values from array placeholders
  // (`manyValues`), the member ids given by the caller, each its own time (created and updated, so
  // a batch lists in the order its requests came) and request id (for its audit row).
  const manyRows = (columns: readonly ValuesColumn[]) => placeholderTable('r', columns, 'many_');
  const groupWritable = and(eq(groups.tenantId, p('tenantId')), eq(groups.id, p('groupId')), writable, isNull(groups.archivedAt));
  const createdMany = db.$with('m').as(
    db
      .insert(members)
      // Every column in the table's order, as `created` selects them; the group held FOR SHARE as there.
      .select(
        sql`SELECT r.id, ${groups.tenantId}, ${groups.id}, r.full_name, r.role, r.email, r.phone, r.start_date, r.end_date, r.custom_fields, NULL::text, r.qr_token, NULL::timestamptz, NULL::timestamptz, 1, r.at, r.at, '' FROM ${groups} CROSS JOIN ${manyRows(MANY_VALUES)} WHERE ${groupWritable} FOR SHARE OF ${groups}`,
      )
      .returning(memberColumns),
  );
  const createdManyAudit = audited('member.created', manyRows(MANY_REQUESTS));
  const create = preparedStatement(db, 'signin_member_create', (d) => d.with(created, createdAudit).select().from(created));

  /** `m`: the live member `memberId` (of the group `groupId` when given) changed, if its group is writable; `a`: its audit row. */
  const changedCtes = (action: 'member.archived' | 'member.restored' | 'member.removed', set: PgUpdateSetSource<typeof members>, memberId: SQL | Placeholder, groupId?: Placeholder) => {
    const changed = db.$with('m').as(
      db
        .update(members)
        .set({ ...set, version: sql`${members.version} + 1`, updatedAt: at })
        .where(
          and(
            eq(members.tenantId, p('tenantId')),
            eq(members.id, memberId),
            isNull(members.deletedAt),
            groupId && eq(members.groupId, groupId),
            inArray(members.groupId, db.select({ id: groups.id }).from(groups).where(and(eq(groups.tenantId, p('tenantId')), writable, isNull(groups.archivedAt)))),
          ),
        )
        .returning(memberColumns),
    );
    return { m: changed, a: audited(action) };
  };
  const CHANGES = {
    archive: ['member.archived', { archivedAt: sql`coalesce(${members.archivedAt}, ${at})` }],
    restore: ['member.restored', { archivedAt: null }],
    remove: ['member.removed', { deletedAt: at, archivedAt: at }],
  } as const satisfies Record<string, readonly ['member.archived' | 'member.restored' | 'member.removed', PgUpdateSetSource<typeof members>]>;
  const change = (action: keyof typeof CHANGES) => {
    const { m: changed, a: audit } = changedCtes(CHANGES[action][0], CHANGES[action][1], p('memberId'));
    return preparedStatement(db, `signin_${CHANGES[action][0].replace('.', '_')}`, (d) => d.with(changed, audit).select().from(changed));
  };
  const changes = { archive: change('archive'), restore: change('restore'), remove: change('remove') };
  const common = (tenantId: string, actor: Actor, source: ChangeSource, now: Date) => ({ tenantId, source, scimSource: source === 'scim', at: now.toISOString(), ...auditActorValues(actor) });

  return {
    /**
     * The parts of these writes for a statement another context builds around them (decision 033;
     * reached only through the members port's `composed`): `created` is `m`, the new member, and
     * `a`, its audit row (placeholders: `values`' names and `groupId`); `changed` is `m`, the live
     * member whose id is `memberId` (SQL over the caller's own CTEs) in group `$groupId` archived
     * or restored, and `a`, its audit row.
     */
    parts: {
      created: { m: created, a: createdAudit },
      /** `m`: the new members (`manyValues`' rows) of group `$groupId`, none when it refuses; `a`: their audit rows, each with its own request id. */
      createdMany: { m: createdMany, a: createdManyAudit },
      changed: (action: 'archive' | 'restore', memberId: SQL) => changedCtes(CHANGES[action][0], CHANGES[action][1], memberId, p('groupId')),
    },
    /**
     * Sets the placeholder values of a create (`row`) or a change (none) in `parts` on `into` (the
     * caller's values; set one by one, not spread: this runs on every SCIM write).
     */
    setValues(into: Record<string, unknown>, tenantId: string, groupId: string, actor: Actor, source: ChangeSource, now: Date, row?: NewMember): Record<string, unknown> {
      into.tenantId = tenantId;
      into.groupId = groupId;
      into.source = source;
      into.scimSource = source === 'scim';
      into.at = now.toISOString();
      Object.assign(into, auditActorValues(actor));
      if (row) {
        into.fullName = row.fullName;
        into.role = row.role;
        into.email = row.email;
        into.phone = row.phone;
        into.startDate = row.startDate;
        into.endDate = row.endDate;
        into.customFields = JSON.stringify(row.customFields);
        into.qrToken = row.qrToken;
      }
      return into;
    },
    /**
     * The placeholder values of `createdMany`'s rows, set on `into`: each new member's id (the
     * caller's), its columns and the request its audit row names.
     */
    manyValues(into: Record<string, unknown>, rows: ReadonlyArray<{ id: string; row: NewMember; requestId: string | null; at: string }>): Record<string, unknown> {
      into.many_id = rows.map((r) => r.id);
      into.many_full_name = rows.map((r) => r.row.fullName);
      into.many_role = rows.map((r) => r.row.role);
      into.many_email = rows.map((r) => r.row.email);
      into.many_phone = rows.map((r) => r.row.phone);
      into.many_start_date = rows.map((r) => r.row.startDate);
      into.many_end_date = rows.map((r) => r.row.endDate);
      into.many_custom_fields = rows.map((r) => JSON.stringify(r.row.customFields));
      into.many_qr_token = rows.map((r) => r.row.qrToken);
      into.many_request_id = rows.map((r) => r.requestId);
      into.many_at = rows.map((r) => r.at);
      return into;
    },
    /** A new member of a group `source` may write, with its `member.created` audit row; undefined when the group refuses or is not there. */
    async create(tx: DbOrTx, tenantId: string, groupId: string, row: NewMember, actor: Actor, source: ChangeSource, now: Date): Promise<MemberRow | undefined> {
      const [made] = await create.execute(tx, { ...common(tenantId, actor, source, now), groupId, ...row, customFields: JSON.stringify(row.customFields) });
      return made;
    },
    /** Archives, restores or removes a live member of a group `source` may write, with its audit row; undefined when it cannot. */
    async change(tx: DbOrTx, action: keyof typeof changes, tenantId: string, memberId: string, actor: Actor, source: ChangeSource, now: Date): Promise<MemberRow | undefined> {
      const [row] = await changes[action].execute(tx, { ...common(tenantId, actor, source, now), memberId });
      return row;
    },
    /**
     * Announces on MEMBERS_CHANGED_CHANNEL that these groups' members changed, in a statement of its
     * own (never in a write's transaction: a transaction that NOTIFYs holds a database-wide lock
     * from its NOTIFY's queueing to its commit's end, so concurrent writers would commit one at a time).
     */
    async announce(payload: string): Promise<void> {
      await db.execute(sql`select pg_notify(${MEMBERS_CHANGED_CHANNEL}::text, ${payload}::text)`);
    },
  };
}

/** The CTEs of the members port's single writes that another context's statement may contain (`ComposedMemberWrites`). */
export type MemberWriteParts = ReturnType<typeof preparedMemberWrites>['parts'];

export const membersRepo = {
  /** Live members of the groups (only `memberIds`, when given), oldest first, with their group's name and staff flag. */
  async listWithGroups(db: DbOrTx, tenantId: string, groupIds: readonly string[], memberIds?: readonly string[]): Promise<MemberWithGroup[]> {
    if (groupIds.length === 0 || memberIds?.length === 0) return [];
    const conds = [eq(members.tenantId, tenantId), inArray(members.groupId, [...groupIds]), isNull(members.deletedAt)];
    if (memberIds) conds.push(inArray(members.id, [...memberIds]));
    const rows = await db
      .select({ member: memberColumns, groupName: groups.name, isStaffGroup: groups.isStaffGroup })
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
    const q = db.select(memberColumns).from(members).where(and(eq(members.tenantId, tenantId), inArray(members.id, [...ids])));
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
      .returning(memberColumns);
  },
  async find(db: DbOrTx, tenantId: string, id: string): Promise<MemberRow | undefined> {
    const [row] = await db.select(memberColumns).from(members).where(and(eq(members.tenantId, tenantId), eq(members.id, id)));
    return row;
  },
  async findByQr(db: DbOrTx, tenantId: string, qrToken: string): Promise<MemberRow | undefined> {
    const [row] = await db.select(memberColumns).from(members).where(and(eq(members.tenantId, tenantId), eq(members.qrToken, qrToken)));
    return row;
  },
};
