import { sql } from 'drizzle-orm';
import { date, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { inTransaction } from './tx.js';
import { preparedStatement } from './prepared.js';
import { insertRowPlaceholders, insertRows } from './values.js';

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
