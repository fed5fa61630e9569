import { randomUUID } from 'node:crypto';
import { and, asc, count as countFn, eq, getTableColumns, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Database, Db, DbOrTx } from '../../../platform/db/database.js';
import { preparedQuery, preparedStatement } from '../../../platform/db/prepared.js';
import { scimGroupMembers, scimGroups, scimUsers, type ScimMultiValue } from '../scim.tables.js';
import { URN } from '../scim.schema.js';
import { isObject, type Doc, type Element } from '../resource/canonical.js';
import { afterPosition, positionOf, type Position, type SortWhitelist } from '../resource/listing.js';
import { BASE_MARK, baseForDoc, withBase } from './users.presenters.js';
import { PgDialect } from 'drizzle-orm/pg-core';
import { createCoalescer, settle } from '../../../platform/coalesce.js';
import { placeholderTable, type ValuesColumn } from '../../../platform/db/values.js';
import type { Actor } from '../../../platform/audit/audit.js';
import type { ComposedMemberWrites, MemberInput } from '../../signin/index.js';

export type ScimUserRow = typeof scimUsers.$inferSelect;
export type ScimUserColumns = Omit<typeof scimUsers.$inferInsert, 'memberId' | 'tenantId' | 'groupId' | 'version' | 'createdAt' | 'updatedAt' | 'deletedAt'>;

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const list = (v: unknown): ScimMultiValue[] => (Array.isArray(v) ? (v as ScimMultiValue[]) : []);

/** A canonical User document → the columns that store it (absent attributes become null / []). */
export function columnsFromDoc(doc: Doc): ScimUserColumns & { userName: string } {
  const name = isObject(doc.name) ? doc.name : {};
  const ent = isObject(doc[URN.enterprise]) ? (doc[URN.enterprise] as Doc) : {};
  const manager = isObject(ent.manager) ? ent.manager : {};
  return {
    userName: str(doc.userName) ?? '',
    externalId: str(doc.externalId),
    formattedName: str(name.formatted),
    familyName: str(name.familyName),
    givenName: str(name.givenName),
    middleName: str(name.middleName),
    honorificPrefix: str(name.honorificPrefix),
    honorificSuffix: str(name.honorificSuffix),
    displayName: str(doc.displayName),
    nickName: str(doc.nickName),
    profileUrl: str(doc.profileUrl),
    title: str(doc.title),
    userType: str(doc.userType),
    preferredLanguage: str(doc.preferredLanguage),
    locale: str(doc.locale),
    timezone: str(doc.timezone),
    active: typeof doc.active === 'boolean' ? doc.active : true,
    emails: list(doc.emails),
    phoneNumbers: list(doc.phoneNumbers),
    addresses: list(doc.addresses),
    employeeNumber: str(ent.employeeNumber),
    costCenter: str(ent.costCenter),
    organization: str(ent.organization),
    division: str(ent.division),
    department: str(ent.department),
    manager: str(manager.value),
  };
}

/** Stored row → canonical User document (no id/meta; the presenter adds those). */
export function docFromRow(row: ScimUserRow): Doc {
  const doc: Doc = {};
  const put = (target: Doc, key: string, v: unknown) => {
    if (v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) target[key] = v;
  };
  put(doc, 'userName', row.userName);
  put(doc, 'externalId', row.externalId);
  const name: Doc = {};
  put(name, 'formatted', row.formattedName);
  put(name, 'familyName', row.familyName);
  put(name, 'givenName', row.givenName);
  put(name, 'middleName', row.middleName);
  put(name, 'honorificPrefix', row.honorificPrefix);
  put(name, 'honorificSuffix', row.honorificSuffix);
  if (Object.keys(name).length > 0) doc.name = name;
  put(doc, 'displayName', row.displayName);
  put(doc, 'nickName', row.nickName);
  put(doc, 'profileUrl', row.profileUrl);
  put(doc, 'title', row.title);
  put(doc, 'userType', row.userType);
  put(doc, 'preferredLanguage', row.preferredLanguage);
  put(doc, 'locale', row.locale);
  put(doc, 'timezone', row.timezone);
  doc.active = row.active;
  put(doc, 'emails', row.emails as Element[]);
  put(doc, 'phoneNumbers', row.phoneNumbers as Element[]);
  put(doc, 'addresses', row.addresses as Element[]);
  const ent: Doc = {};
  put(ent, 'employeeNumber', row.employeeNumber);
  put(ent, 'costCenter', row.costCenter);
  put(ent, 'organization', row.organization);
  put(ent, 'division', row.division);
  put(ent, 'department', row.department);
  if (row.manager) ent.manager = { value: row.manager };
  if (Object.keys(ent).length > 0) doc[URN.enterprise] = ent;
  return doc;
}

const live = (tenantId: string, groupId: string) =>
  and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.groupId, groupId), isNull(scimUsers.deletedAt));

/** A page of users as PostgreSQL presents them: the JSON text of each (its stored `doc`, the base URL put in), comma-separated, and the count of all matches. */
export type PresentedPage = { total: number; itemsJson: string; items: number };

/**
 * The protocol's hottest reads as prepared statements (decision 028), built once per service: get
 * by id, an unfiltered page in the default order, and `filter=userName eq "…"` (what identity
 * providers send before every create). Each is one statement, prepared once per connection (on
 * PGlite once per session: `Database.prepare`), that PostgreSQL answers with the users already
 * presented as JSON text (the stored `doc`, `userDocSql`, with `base` put in: the group's base URL
 * JSON-escaped, `baseForDoc`), so the server maps no row
 * and serialises nothing; a page comes back as one text value with the count of all matches beside
 * it (the same statement, so the same snapshot), its base put in by the server (decision 049).
 * Same matches and order as `scimUsersRepo.list`.
 */
export function preparedScimUserReads(database: Pick<Database, 'db' | 'prepare'>) {
  const { db } = database;
  const p = { tenantId: sql.placeholder('tenantId'), groupId: sql.placeholder('groupId'), base: sql`${sql.placeholder('base')}` };
  const livePlaced = and(eq(scimUsers.tenantId, p.tenantId), eq(scimUsers.groupId, p.groupId), isNull(scimUsers.deletedAt))!;
  const prepare = (name: string, query: { toSQL(): { sql: string; params: unknown[] } }) => preparedQuery(database, name, query.toSQL());
  const byId = prepare(
    'scim_user_json_by_id',
    db
      .select({ version: scimUsers.version, json: sql<string>`${withBase(sql`${scimUsers.doc}`, p.base)}` })
      .from(scimUsers)
      .where(and(livePlaced, eq(scimUsers.memberId, sql.placeholder('id')))),
  );
  /** The matches of `where`: one row, their count and the page (in `order`) as one text value. */
  const page = (name: string, where: SQL, order: SQL) =>
    prepare(
      name,
      db
        .select({
          total: sql`count(*)::int`,
          itemsJson: sql`(select string_agg(page.doc, ',' order by page.created_at, page.member_id) from (select ${scimUsers.doc}, ${scimUsers.createdAt}, ${scimUsers.memberId} from ${scimUsers} where ${where} order by ${order} limit ${sql.placeholder('limit')} offset ${sql.placeholder('offset')}) as page)`,
        })
        .from(scimUsers)
        .where(where),
    );
  const all = page('scim_users_json_page', livePlaced, sql`${scimUsers.createdAt}, ${scimUsers.memberId}`);
  // A live userName is unique in its group (the unique index on lower(user_name)), so the match is
  // one row or none: one index lookup, no count and no ordering.
  const named = prepare(
    'scim_user_json_by_user_name',
    db
      .select({ version: scimUsers.version, json: sql<string>`${withBase(sql`${scimUsers.doc}`, p.base)}` })
      .from(scimUsers)
      .where(and(livePlaced, sql`lower(${scimUsers.userName}) = lower(${sql.placeholder('userName')}::text)`)),
  );
  // Lookups of one group that arrive together are read together (decision 048): one statement
  // for the batch, each key with its place in it (`q.n`), so each caller gets exactly its rows. A
  // batch whose statement fails is read again key by key, each getting what it would alone.
  const dialect = new PgDialect();
  const live = sql`s.tenant_id = ${p.tenantId} and s.group_id = ${p.groupId} and s.deleted_at is null`;
  // Each key looked up on its own, by the index of its key alone: in a LATERAL subquery kept apart
  // by OFFSET 0 (no condition pushed into it) that names only that index's columns, the tenant and
  // group checked outside. So whatever the planner knows of the table (never analysed: it takes a
  // group for a handful of rows), it cannot walk the group's order index instead: joined plainly,
  // such a table was hashed whole, 21 ms for 22,000 users (decision 048).
  const byIds = preparedQuery(
    database,
    'scim_user_json_by_ids',
    dialect.sqlToQuery(sql`select q.n, s.version, ${withBase(sql`s.doc`, p.base)} from unnest(${sql.placeholder('ids')}::uuid[]) with ordinality as q(id, n) cross join lateral (select s.tenant_id, s.group_id, s.deleted_at, s.version, s.doc from scim_users s where s.member_id = q.id offset 0) s where ${live}`),
  );
  const byUserNames = preparedQuery(
    database,
    'scim_user_json_by_user_names',
    dialect.sqlToQuery(sql`select q.n, s.version, ${withBase(sql`s.doc`, p.base)} from unnest(${sql.placeholder('userNames')}::text[]) with ordinality as q(name, n) cross join lateral (select s.tenant_id, s.group_id, s.deleted_at, s.version, s.doc from scim_users s where s.group_id = ${p.groupId} and lower(s.user_name) = lower(q.name) and s.deleted_at is null offset 0) s where ${live}`),
  );
  type Found = { version: number; json: string } | undefined;
  type Lookup = { tenantId: string; groupId: string; key: string; base: string };
  const lookups = (alone: (l: Lookup) => Promise<unknown[][]>, many: (values: Record<string, unknown>) => Promise<unknown[][]>, keys: 'ids' | 'userNames') =>
    createCoalescer<Lookup, Found>({
      maxBatch: 100,
      maxInFlight: 2,
      async run(_key, items) {
        const first = (rows: unknown[][]) => {
          const [row] = rows as Array<[number, string]>;
          return row && { version: Number(row[0]), json: row[1] };
        };
        if (items.length === 1) return [await settle(alone(items[0]!).then(first))];
        const { tenantId, groupId, base } = items[0]!;
        const rows = (await many({ tenantId, groupId, base, [keys]: items.map((i) => i.key) }).catch(() => undefined)) as Array<[number | string, number, string]> | undefined;
        if (!rows) return Promise.all(items.map((i) => settle(alone(i).then(first))));
        const found = new Map(rows.map((r) => [Number(r[0]), { version: Number(r[1]), json: r[2] }]));
        return items.map((_, i) => ({ ok: true, value: found.get(i + 1) }));
      },
    });
  const groupKey = (l: Lookup) => `${l.tenantId}\n${l.groupId}\n${l.base}`;
  const idLookups = lookups((l) => byId({ tenantId: l.tenantId, groupId: l.groupId, id: l.key, base: l.base }), byIds, 'ids');
  const nameLookups = lookups((l) => named({ tenantId: l.tenantId, groupId: l.groupId, userName: l.key, base: l.base }), byUserNames, 'userNames');
  const lookup = (of: typeof idLookups, tenantId: string, groupId: string, key: string, base: string) => {
    const l = { tenantId, groupId, key, base: baseForDoc(base) };
    return of.submit(groupKey(l), l);
  };

  // The page's base URL is put in here, not by the statement: `replace` over the page's 50 KB cost
  // PostgreSQL more than the rest of the statement's text work, and JavaScript's replaceAll next to
  // nothing (decision 049). By a function, so a `$&` or `$'` in the base is text, not a pattern.
  const presented = async (run: Promise<unknown[][]>, offset: number, limit: number, base: string): Promise<PresentedPage> => {
    const [[total, itemsJson] = [0, null]] = (await run) as Array<[number, string | null]>;
    // The page is `limit` rows from `offset` of the `total` counted in the same statement.
    return { total: Number(total), itemsJson: itemsJson ? itemsJson.replaceAll(BASE_MARK, () => base) : '', items: Math.max(0, Math.min(limit, Number(total) - offset)) };
  };
  return {
    /** The user's JSON text and version, or undefined when the group has no such live user. */
    async find(tenantId: string, groupId: string, id: string, base: string): Promise<{ version: number; json: string } | undefined> {
      if (!UUID_RE.test(id)) return undefined;
      return lookup(idLookups, tenantId, groupId, id, base);
    },
    /** A page of the group's users in (created, id) order. */
    list: (tenantId: string, groupId: string, offset: number, limit: number, base: string) => presented(all({ tenantId, groupId, limit, offset }), offset, limit, baseForDoc(base)),
    /**
     * A page of the group's users with this userName (case-insensitive); text the database cannot
     * hold (NUL) matches nobody. A live userName is unique in its group, so the match is the whole total.
     */
    withUserName: async (tenantId: string, groupId: string, userName: string, offset: number, limit: number, base: string): Promise<PresentedPage> => {
      const found = userName.includes('\0') ? undefined : await lookup(nameLookups, tenantId, groupId, userName, base);
      const total = found === undefined ? 0 : 1;
      const items = offset === 0 && limit > 0 ? total : 0;
      return { total, itemsJson: items === 1 ? found!.json : '', items };
    },
  };
}

/** The columns a SCIM document sets (all but the keys, version and times). */
const DOC_COLUMNS = Object.keys(getTableColumns(scimUsers)).filter((k) => !['memberId', 'tenantId', 'groupId', 'version', 'createdAt', 'updatedAt', 'deletedAt', 'doc'].includes(k)) as Array<keyof ScimUserColumns>;

/**
 * The SCIM user writes of POST, PUT and PATCH as statements built once (decision 029), run in the
 * request's transaction (`preparedStatement`): the insert, the locked read of the user a PUT or
 * PATCH changes, its update (every column the document sets, from the values given), and the
 * one-column update of a change of `active` alone (deprovisioning, the commonest PATCH).
 */
export function preparedScimUserWrites(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  const doc = Object.fromEntries(DOC_COLUMNS.map((k) => [k, p(k)])) as unknown as ScimUserColumns & { userName: string };
  const one = and(eq(scimUsers.tenantId, p('tenantId')), eq(scimUsers.groupId, p('groupId')), isNull(scimUsers.deletedAt), eq(scimUsers.memberId, p('id')));
  const bump = { version: sql`${scimUsers.version} + 1`, updatedAt: p('at') as unknown as Date };
  const insert = preparedStatement(db, 'scim_user_insert', (d) =>
    d
      .insert(scimUsers)
      .values({ ...doc, memberId: p('id') as unknown as string, tenantId: p('tenantId') as unknown as string, groupId: p('groupId') as unknown as string, createdAt: p('at') as unknown as Date, updatedAt: p('at') as unknown as Date })
      .returning(),
  );
  const locked = preparedStatement(db, 'scim_user_for_update', (d) => d.select().from(scimUsers).where(one).for('update'));
  const update = preparedStatement(db, 'scim_user_update', (d) => d.update(scimUsers).set({ ...doc, ...bump }).where(one).returning());
  const setActive = preparedStatement(db, 'scim_user_set_active', (d) =>
    d
      .update(scimUsers)
      .set({ active: p('active') as unknown as boolean, ...bump })
      .where(one)
      .returning(),
  );
  // PATCH of `active` alone without If-Match (deprovisioning): the locked read and the write in one
  // statement. `b` is the user as it was (locked); `u` the write, made only when `active` changes.
  const before = db.$with('b').as(db.select().from(scimUsers).where(one).for('update'));
  const written = db.$with('u').as(
    db
      .update(scimUsers)
      .set({ active: p('active') as unknown as boolean, ...bump })
      .from(before)
      .where(and(eq(scimUsers.memberId, before.memberId), ne(before.active, p('active') as unknown as boolean)))
      .returning({ version: scimUsers.version, updatedAt: scimUsers.updatedAt, doc: scimUsers.doc }),
  );
  const activeInOne = preparedStatement(db, 'scim_user_set_active_locked', (d) => d.with(before, written).select().from(before).leftJoin(written, sql`true`));
  const docValues = (cols: ScimUserColumns) => Object.fromEntries(DOC_COLUMNS.map((k) => [k, cols[k] ?? null]));
  return {
    async insert(tx: DbOrTx, tenantId: string, groupId: string, id: string, cols: ScimUserColumns & { userName: string }, at: Date): Promise<ScimUserRow> {
      const [row] = await insert.execute(tx, { ...docValues(cols), tenantId, groupId, id, at });
      return row!;
    },
    /** The live user, locked until the transaction ends (a PUT or PATCH reads, checks and writes it). */
    async findForUpdate(tx: DbOrTx, tenantId: string, groupId: string, id: string): Promise<ScimUserRow | undefined> {
      if (!UUID_RE.test(id)) return undefined;
      const [row] = await locked.execute(tx, { tenantId, groupId, id });
      return row;
    },
    /**
     * Sets `active` on the live user in one statement (locked read and write); returns the user
     * before and after (the same row when `active` already had that value), or undefined when
     * there is no such user.
     */
    async setActive(tx: DbOrTx, tenantId: string, groupId: string, id: string, active: boolean, at: Date): Promise<{ before: ScimUserRow; after: ScimUserRow } | undefined> {
      if (!UUID_RE.test(id)) return undefined;
      const [row] = await activeInOne.execute(tx, { tenantId, groupId, id, active, at });
      if (!row) return undefined;
      return { before: row.b, after: row.u ? { ...row.b, active, version: row.u.version, updatedAt: row.u.updatedAt, doc: row.u.doc } : row.b }; // `doc` as the trigger rewrote it
    },
    /** Writes the document's columns (only `active` when nothing else changed), version + 1. */
    async update(tx: DbOrTx, tenantId: string, groupId: string, id: string, cols: ScimUserColumns, onlyActive: boolean, at: Date): Promise<ScimUserRow> {
      const [row] = onlyActive ? await setActive.execute(tx, { tenantId, groupId, id, active: cols.active, at }) : await update.execute(tx, { ...docValues(cols), tenantId, groupId, id, at });
      return row!;
    },
  };
}

/** A user as PostgreSQL presents it (its stored `doc` with the base URL put in): its id, version and JSON text. */
export type PresentedUser = { id: string; version: number; json: string };

/** The document's columns stored as JSON (sent as text to a placeholder cast to jsonb). */
const JSON_COLUMNS = new Set(DOC_COLUMNS.filter((k) => getTableColumns(scimUsers)[k].getSQLType() === 'jsonb'));

/** The values of a document's columns for the placeholders of a statement that casts them (JSON as text). */
function castDocValues(cols: ScimUserColumns): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const k of DOC_COLUMNS) values[k] = JSON_COLUMNS.has(k) ? JSON.stringify(cols[k] ?? []) : (cols[k] ?? null);
  return values;
}

/**
 * The SCIM user's writes that go with a member write of sign-in's as one statement, through the
 * members port's `composed` (decision 033): no `BEGIN`/`COMMIT` round trips when no member-change
 * listener hears the change (else the port runs it in a transaction and tells them).
 * - `create`: POST of an active user. `m` (sign-in's new member and its audit row) then
 *   `s`, the SCIM user inserted from `m`. A taken userName fails the whole statement on the unique
 *   index: nothing is written.
 * - `setActive`: PATCH of `active` alone. `b`, the user as it was (locked); `m`, sign-in's archive
 *   or restore of its member when `b.active` differs; `u`, the user's write, made only when `m`
 *   wrote the member. So either both are written or neither: `m` null with `b.active` differing
 *   means the member refused (gone, or its group) and nothing changed.
 */
export function composedScimUserWrites(composed: ComposedMemberWrites) {
  /** Every column of a CTE over the SCIM users table, as a nested selection. */
  const fieldsOf = <T extends Record<keyof typeof scimUsers._.columns, unknown>>(cte: T) => Object.fromEntries(Object.keys(getTableColumns(scimUsers)).map((k) => [k, cte[k as keyof T]])) as { [K in keyof typeof scimUsers._.columns]: T[K] };
  const p = (name: string) => sql.placeholder(name);
  const cast = (k: keyof typeof scimUsers._.columns) => sql`${p(k)}::${sql.raw(getTableColumns(scimUsers)[k].getSQLType())}`;
  const one = and(eq(scimUsers.tenantId, p('tenantId')), eq(scimUsers.groupId, p('groupId')), isNull(scimUsers.deletedAt), eq(scimUsers.memberId, p('id')));
  const create = composed.createWith('scim_user_create', ({ m, a }, d) => {
    const at = sql`${p('at')}::timestamptz`;
    const fields: Record<string, unknown> = {};
    for (const k of Object.keys(getTableColumns(scimUsers)) as Array<keyof typeof scimUsers._.columns>) {
      fields[k] =
        k === 'memberId' ? m.id
        : k === 'tenantId' ? m.tenantId
        : k === 'groupId' ? m.groupId
        : k === 'version' ? sql`1`.as(k)
        : k === 'createdAt' || k === 'updatedAt' ? at.as(k)
        : k === 'deletedAt' ? sql`NULL::timestamptz`.as(k)
        : k === 'doc' ? sql`''`.as(k) // the table's trigger writes it
        : cast(k).as(k);
    }
    const s = d.$with('s').as(
      d
        .insert(scimUsers)
        .select(d.select(fields as { memberId: typeof m.id }).from(m) as never)
        .returning(),
    );
    // Of the member, only what the port needs (its id and group); the user as PostgreSQL presents
    // it (the `doc` the trigger wrote, as a GET answers), so no row is mapped or presented here.
    return d
      .with(m, a, s)
      .select({ m: { id: m.id, groupId: m.groupId }, id: s.memberId, version: s.version, json: sql<string>`${withBase(sql`${s.doc}`, sql`${p('base')}`)}` })
      .from(m)
      .leftJoin(s, sql`true`);
  });
  // Many users at once (`createMany`): the member ids and each column of the document as array
  // placeholders (`users_<column>`), unnested beside `m`'s ids and joined to them.
  const columnsOf = getTableColumns(scimUsers);
  const manyUsers = placeholderTable('u', [{ name: 'member_id', type: 'uuid' }, ...DOC_COLUMNS.map((k) => ({ name: k, type: columnsOf[k].getSQLType() as ValuesColumn['type'] }))], 'users_');
  const createMany = composed.createManyWith('scim_user_create_many', ({ m, a }, d) => {
    const selected = Object.keys(columnsOf).map((key) => {
      const k = key as keyof typeof scimUsers._.columns;
      return k === 'memberId' ? sql`m.id`
        : k === 'tenantId' ? sql`m.tenant_id`
        : k === 'groupId' ? sql`m.group_id`
        : k === 'version' ? sql`1`
        : k === 'createdAt' || k === 'updatedAt' ? sql`m.created_at` // each its member's time
        : k === 'deletedAt' ? sql`NULL::timestamptz`
        : k === 'doc' ? sql`''` // the table's trigger writes it
        : sql`u.${sql.identifier(k)}`;
    });
    const s = d.$with('s').as(
      d
        .insert(scimUsers)
        .select(sql`SELECT ${sql.join(selected, sql`, `)} FROM ${m} JOIN ${manyUsers} ON u.member_id = m.id`)
        .returning(),
    );
    return d
      .with(m, a, s)
      .select({ m: { id: m.id, groupId: m.groupId }, id: s.memberId, version: s.version, json: sql<string>`${withBase(sql`${s.doc}`, sql`${p('base')}`)}` })
      .from(m)
      .leftJoin(s, eq(s.memberId, m.id));
  });
  const setActive = (action: 'archive' | 'restore') =>
    composed.changeWith(action, `scim_user_${action === 'archive' ? 'deactivate' : 'reactivate'}`, (member, d) => {
      const active = action === 'restore';
      const b = d.$with('b').as(d.select().from(scimUsers).where(one).for('update'));
      const { m, a } = member(sql`(select ${b.memberId} from ${b} where ${b.active} <> ${sql.raw(String(active))})`);
      const u = d.$with('u').as(
        d
          .update(scimUsers)
          .set({ active, version: sql`${scimUsers.version} + 1`, updatedAt: sql`${p('at')}::timestamptz` })
          .from(b)
          .where(and(eq(scimUsers.memberId, b.memberId), sql`exists (select 1 from ${m})`))
          .returning({ active: scimUsers.active, version: scimUsers.version, updatedAt: scimUsers.updatedAt, doc: scimUsers.doc }),
      );
      // `r`: the user after (as it was when `u` wrote nothing), with its `doc` as the trigger wrote it.
      const after = <T>(k: 'active' | 'version' | 'updatedAt' | 'doc', column: string) => sql<T>`coalesce(${u[k]}, ${b[k]})`.as(column);
      const r = d.$with('r').as(
        d
          .select({ ...fieldsOf(b), active: after<boolean>('active', 'active'), version: after<number>('version', 'version'), updatedAt: after<Date>('updatedAt', 'updated_at'), doc: after<string>('doc', 'doc') })
          .from(b)
          .leftJoin(u, sql`true`),
      );
      return d
        .with(b, m, a, u, r)
        .select({ m: { id: m.id, groupId: m.groupId }, written: sql<boolean>`${u.version} is not null`, active: sql<boolean>`r.active`, version: sql<number>`r.version`, json: sql<string>`${withBase(sql`r.doc`, sql`${p('base')}`)}` })
        .from(r)
        .leftJoin(m, sql`true`)
        .leftJoin(u, sql`true`);
    });
  const setters = { archive: setActive('archive'), restore: setActive('restore') };
  return {
    /** A new active user and its member, presented (its id, version and JSON text); the port's refusal, or a taken userName's unique violation, is thrown. */
    async create(db: DbOrTx, tenantId: string, groupId: string, member: MemberInput, actor: Actor, cols: ScimUserColumns & { userName: string }, base: string, at?: Date): Promise<PresentedUser> {
      const values = castDocValues(cols);
      values.base = baseForDoc(base);
      const row = await create(db, tenantId, groupId, member, actor, 'scim', values, at);
      return { id: row.id!, version: row.version!, json: row.json! };
    },
    /**
     * Many new active users of one group and their members, in one statement, all or none (a taken
     * userName fails it whole); each user's id is chosen here. The users written, presented, in the
     * order given; undefined for one not written (only when the group refused them all).
     */
    async createMany(db: DbOrTx, tenantId: string, groupId: string, users: ReadonlyArray<{ member: MemberInput; cols: ScimUserColumns & { userName: string }; requestId?: string | null; at?: Date }>, actor: Actor, base: string): Promise<Array<PresentedUser | undefined>> {
      const ids = users.map(() => randomUUID());
      const values: Record<string, unknown> = { base: baseForDoc(base), users_member_id: ids };
      const cast = users.map(({ cols }) => castDocValues(cols));
      for (const k of DOC_COLUMNS) values[`users_${k}`] = cast.map((c) => c[k]);
      const rows = await createMany(db, tenantId, groupId, users.map((u, i) => ({ id: ids[i]!, input: u.member, requestId: u.requestId, at: u.at })), actor, 'scim', values);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => {
        const row = byId.get(id);
        return row?.id ? { id: row.id, version: row.version!, json: row.json! } : undefined;
      });
    },
    /**
     * Sets `active` on the live user and archives or restores its member, in one statement; the
     * user after, presented. Undefined: no such user. `written` false with `active` other than
     * asked: the member refused and nothing was written (the caller's general path says why).
     */
    async setActive(db: DbOrTx, tenantId: string, groupId: string, id: string, active: boolean, actor: Actor, base: string): Promise<(PresentedUser & { written: boolean; active: boolean }) | undefined> {
      if (!UUID_RE.test(id)) return undefined;
      const row = await setters[active ? 'restore' : 'archive'](db, tenantId, groupId, actor, 'scim', { id, base: baseForDoc(base) });
      if (!row) return undefined;
      return { id, version: row.version, json: row.json, written: row.written, active: row.active };
    },
  };
}

export const scimUsersRepo = {
  async find(tx: DbOrTx, tenantId: string, groupId: string, id: string): Promise<ScimUserRow | undefined> {
    if (!UUID_RE.test(id)) return undefined;
    const [row] = await tx.select().from(scimUsers).where(and(live(tenantId, groupId), eq(scimUsers.memberId, id)));
    return row;
  },

  /** A live SCIM user of any SCIM group of the tenant (the member page). */
  async findInTenant(tx: DbOrTx, tenantId: string, id: string): Promise<ScimUserRow | undefined> {
    if (!UUID_RE.test(id)) return undefined;
    const [row] = await tx
      .select()
      .from(scimUsers)
      .where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.memberId, id), isNull(scimUsers.deletedAt)));
    return row;
  },

  /** Any live user of the group with this userName (case-insensitive), except `exceptId`. */
  async userNameTaken(tx: DbOrTx, tenantId: string, groupId: string, userName: string, exceptId?: string): Promise<boolean> {
    const conds = [live(tenantId, groupId), sql`lower(${scimUsers.userName}) = lower(${userName})`];
    if (exceptId) conds.push(sql`${scimUsers.memberId} <> ${exceptId}`);
    const [row] = await tx.select({ id: scimUsers.memberId }).from(scimUsers).where(and(...conds)).limit(1);
    return Boolean(row);
  },

  /**
   * One page and the count of all matches. A filtered page (the identity providers' hot path:
   * `userName eq` before every create) is one statement, the count riding along as a window; only
   * a page past the end or of size 0 counts separately. `orderBy` defaults to (created, id).
   */
  async list(tx: DbOrTx, tenantId: string, groupId: string, filter: SQL | undefined, offset: number, limit: number, orderBy?: SQL[]) {
    const where = filter ? and(live(tenantId, groupId), filter) : live(tenantId, groupId);
    const countAll = async () => {
      const [{ total } = { total: 0 }] = await tx.select({ total: countFn() }).from(scimUsers).where(where);
      return Number(total);
    };
    if (filter) {
      if (limit === 0) return { total: await countAll(), rows: [] };
      // Without a sortBy, order by an expression the order index cannot serve, so the planner uses
      // the filter's index (e.g. lower(user_name)) and sorts the few matches, instead of walking
      // the whole group in order and filtering (PGlite has no autovacuum: stale statistics).
      const found = await tx
        .select({ ...getTableColumns(scimUsers), matches: sql<number>`count(*) over ()`.mapWith(Number) })
        .from(scimUsers)
        .where(where)
        .orderBy(...(orderBy ?? [sql`${scimUsers.createdAt} + interval '0 seconds'`, asc(scimUsers.memberId)]))
        .limit(limit)
        .offset(offset);
      if (found.length === 0) return { total: offset === 0 ? 0 : await countAll(), rows: [] };
      return { total: found[0]!.matches, rows: found.map(({ matches: _m, ...row }) => row) };
    }
    const total = await countAll();
    const rows =
      limit > 0 && offset < total
        ? await tx
            .select()
            .from(scimUsers)
            .where(where)
            .orderBy(...(orderBy ?? [asc(scimUsers.createdAt), asc(scimUsers.memberId)]))
            .limit(limit)
            .offset(offset)
        : [];
    return { total, rows };
  },

  /** RFC 9865: the page after `after` in (created, id) order, the next cursor, and the count of all matches. */
  async walk(tx: DbOrTx, tenantId: string, groupId: string, filter: SQL | undefined, after: Position | undefined, limit: number) {
    const where = filter ? and(live(tenantId, groupId), filter) : live(tenantId, groupId);
    const [{ total } = { total: 0 }] = await tx.select({ total: countFn() }).from(scimUsers).where(where);
    if (limit === 0) return { total: Number(total), rows: [], next: undefined };
    const found = await tx
      .select({ ...getTableColumns(scimUsers), position: positionOf(scimUsers.createdAt) })
      .from(scimUsers)
      .where(after ? and(where, afterPosition(scimUsers.createdAt, scimUsers.memberId, after)) : where)
      .orderBy(asc(scimUsers.createdAt), asc(scimUsers.memberId))
      .limit(limit + 1);
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      total: Number(total),
      rows: page.map(({ position: _p, ...row }) => row),
      next: found.length > limit && last ? { at: last.position, id: last.memberId } : undefined,
    };
  },

  /** The sortable attributes of /Users (RFC 7644 §3.4.2.3); text sorts as its filter compares. */
  sortable: {
    urns: [URN.user.toLowerCase(), URN.enterprise.toLowerCase()],
    attrs: {
      id: scimUsers.memberId,
      username: sql`lower(${scimUsers.userName})`,
      displayname: sql`lower(${scimUsers.displayName})`,
      'name.familyname': sql`lower(${scimUsers.familyName})`,
      'name.givenname': sql`lower(${scimUsers.givenName})`,
      externalid: scimUsers.externalId,
      'meta.created': scimUsers.createdAt,
      'meta.lastmodified': scimUsers.updatedAt,
    },
  } satisfies SortWhitelist,

  async update(tx: DbOrTx, tenantId: string, groupId: string, id: string, set: Partial<typeof scimUsers.$inferInsert>, now: Date): Promise<ScimUserRow> {
    const [row] = await tx
      .update(scimUsers)
      .set({ ...set, version: sql`${scimUsers.version} + 1`, updatedAt: now })
      .where(and(live(tenantId, groupId), eq(scimUsers.memberId, id)))
      .returning();
    return row!;
  },

  async existing(tx: DbOrTx, tenantId: string, groupId: string, ids: string[]): Promise<ScimUserRow[]> {
    const valid = ids.filter((id) => UUID_RE.test(id));
    if (valid.length === 0) return [];
    return tx
      .select()
      .from(scimUsers)
      .where(and(live(tenantId, groupId), sql`${scimUsers.memberId} IN (${sql.join(valid.map((v) => sql`${v}::uuid`), sql`, `)})`));
  },
};

/** Bumps the version of every IdP group the member belongs to (its membership or display changed). */
export async function touchGroupsOf(tx: DbOrTx, tenantId: string, memberId: string, at: Date): Promise<void> {
  await tx
    .update(scimGroups)
    .set({ version: sql`${scimGroups.version} + 1`, updatedAt: at })
    .where(
      and(
        eq(scimGroups.tenantId, tenantId),
        sql`${scimGroups.id} IN (SELECT ${scimGroupMembers.scimGroupId} FROM ${scimGroupMembers} WHERE ${scimGroupMembers.tenantId} = ${tenantId} AND ${scimGroupMembers.memberId} = ${memberId})`,
      ),
    );
}

