import { sql } from 'drizzle-orm';
import { date, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { inTransaction } from './tx.js';
import { preparedStatement } from './prepared.js';
import { insertRowPlaceholders, insertRows, placeholderTable } from './values.js';

const env = useTestEnv();

// Two tables of the same shape, temporary to the test's transaction: one written by drizzle's
// values(rows), one by insertRows; the rows must land the same.
const shape = (name: string) =>
  pgTable(name, {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull().unique(),
    note: text(),
    email: text().notNull().default(''),
    facts: jsonb().$type<Record<string, unknown>>().notNull().default({ a: true }),
    version: integer().notNull().default(1),
    day: date({ mode: 'string' }),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    tag: text()
      .notNull()
      .$defaultFn(() => 'from defaultFn'),
  });
const byValues = shape('t_by_values');
const byUnnest = shape('t_by_unnest');
const create = (name: string) =>
  sql.raw(`CREATE TEMP TABLE ${name} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL UNIQUE, note text, email text NOT NULL DEFAULT '', facts jsonb NOT NULL DEFAULT '{"a": true}', version integer NOT NULL DEFAULT 1, day date, at timestamptz NOT NULL DEFAULT now(), tag text NOT NULL) ON COMMIT DROP`);

const rows = [
  { name: 'plain', note: null, facts: { x: 1, y: 'two' }, day: '2024-02-29', at: new Date('2024-01-02T03:04:05.678Z') },
  { name: `quote ' and "double" {brace} , comma \\ backslash`, note: 'NULL', facts: { s: '{"not": "json"}', n: null }, day: null, at: new Date('1999-12-31T23:59:59.000Z') },
  { name: 'null text', note: '', facts: { list: [1, 'a'] }, day: '2020-09-01', at: new Date('2030-06-15T12:00:00.000Z') },
];

describe('insertRows (a multi-row INSERT as one array parameter per column)', () => {
  it('lands rows exactly as values(rows) does: given values, NULLs, quotes, JSON, dates, declared defaults and $defaultFn', async () => {
    await inTransaction(env.platform.db, async (tx) => {
      await tx.execute(create('t_by_values'));
      await tx.execute(create('t_by_unnest'));
      const a = await tx.insert(byValues).values(rows).returning();
      const b = await tx.insert(byUnnest).select(insertRows(byUnnest, rows)).returning();
      const strip = (r: (typeof a)[number]) => ({ ...r, id: typeof r.id });
      expect(b.map(strip)).toEqual(a.map(strip));
      expect(b.map((r) => r.name)).toEqual(rows.map((r) => r.name));
      expect(b[1]).toMatchObject({ note: 'NULL', email: '', version: 1, tag: 'from defaultFn', day: null, facts: { s: '{"not": "json"}', n: null } });
      expect(b[0]!.note).toBeNull();
      expect(new Set(b.map((r) => r.id)).size).toBe(3);

      // ON CONFLICT DO NOTHING keeps the first row of a name; the new one lands.
      const again = await tx
        .insert(byUnnest)
        .select(insertRows(byUnnest, [{ name: 'plain', version: 7 }, { name: 'new one', version: 7 }]))
        .onConflictDoNothing()
        .returning();
      expect(again.map((r) => [r.name, r.version, r.facts])).toEqual([['new one', 7, { a: true }]]);
    });
  });

  it('refuses rows that disagree on a column with a default (values() would write DEFAULT for some) and an empty list', async () => {
    expect(() => insertRows(byUnnest, [{ name: 'a', version: 2 }, { name: 'b' }])).toThrow(/version is set by some rows and not others/);
    expect(() => insertRows(byUnnest, [])).toThrow(/at least one row/);
    // A column without a default may be left unset by some rows: NULL, as values() writes.
    await inTransaction(env.platform.db, async (tx) => {
      await tx.execute(create('t_by_unnest'));
      const b = await tx.insert(byUnnest).select(insertRows(byUnnest, [{ name: 'a', note: 'n' }, { name: 'b' }])).returning();
      expect(b.map((r) => r.note)).toEqual(['n', null]);
    });
  });
});

describe('insertRowPlaceholders (one row of a prepared INSERT, over placeholders)', () => {
  it('lands each row as values() does, and refuses a row that leaves a given column out', async () => {
    const row = insertRowPlaceholders(byUnnest, ['name', 'note', 'facts', 'day', 'at']);
    // (Named afresh: the statement names a temporary table, gone when the test's transaction ends.)
    const insert = preparedStatement(env.platform.db, `t_by_placeholders_${Date.now()}`, (d) => d.insert(byUnnest).select(row.select).onConflictDoNothing().returning());
    await inTransaction(env.platform.db, async (tx) => {
      await tx.execute(create('t_by_values'));
      await tx.execute(create('t_by_unnest'));
      const a = await tx.insert(byValues).values(rows).returning();
      const b = [];
      for (const r of rows) b.push(...(await insert.execute(tx, row.values(r))));
      const strip = (r: (typeof a)[number]) => ({ ...r, id: typeof r.id });
      expect(b.map(strip)).toEqual(a.map(strip));
      expect(b[1]).toMatchObject({ note: 'NULL', email: '', version: 1, tag: 'from defaultFn', day: null, facts: { s: '{"not": "json"}', n: null } });
      expect(new Set(b.map((r) => r.id)).size).toBe(3);
      // The same statement again: ON CONFLICT DO NOTHING keeps the first row of a name.
      expect(await insert.execute(tx, row.values(rows[0]!))).toEqual([]);
    });
    expect(() => row.values({ name: 'no note or facts' })).toThrow(/does not give/);
  });
});

describe('placeholderTable (many rows of a prepared statement, one named array placeholder per column)', () => {
  it('gives back each row as given, in order: NULLs beside the text NULL, quotes, braces, backslashes, JSON, booleans, dates', async () => {
    const columns = [
      { name: 'id', type: 'uuid' },
      { name: 'name', type: 'text' },
      { name: 'facts', type: 'jsonb' },
      { name: 'on', type: 'boolean' },
      { name: 'day', type: 'date' },
    ] as const;
    const select = preparedStatement(env.platform.db, 'placeholder_table_probe', (d) =>
      d
        .select({ id: sql<string>`t.id::text`, name: sql<string | null>`t.name`, facts: sql<unknown>`t.facts`, on: sql<boolean | null>`t."on"`, day: sql<string | null>`t.day::text` })
        .from(placeholderTable('t', columns, 'probe_')),
    );
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];
    const out = await select.execute(env.platform.db, {
      probe_id: ids,
      probe_name: [rows[1]!.name, 'NULL', null],
      probe_facts: [JSON.stringify({ s: '{"not": "json"}' }), JSON.stringify([1, 'a']), null],
      probe_on: [true, false, null],
      probe_day: ['2024-02-29', null, '1999-12-31'],
    });
    expect(out).toEqual([
      { id: ids[0], name: rows[1]!.name, facts: { s: '{"not": "json"}' }, on: true, day: '2024-02-29' },
      { id: ids[1], name: 'NULL', facts: [1, 'a'], on: false, day: null },
      { id: ids[2], name: null, facts: null, on: null, day: '1999-12-31' },
    ]);
  });
});
