import { sql, type SQL } from 'drizzle-orm';

/** A column of an inline table of rows: its name and PostgreSQL type. */
export type ValuesColumn = { name: string; type: 'uuid' | 'text' | 'date' | 'integer' | 'jsonb' | 'timestamptz' | 'boolean' };

function driverValue(value: unknown, type: ValuesColumn['type']): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'jsonb') return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * `unnest($1::uuid[], $2::text[], …) AS alias(col, …)`: many rows' own values as a table, for one
 * `UPDATE … FROM` (or a join) instead of one statement per row. Each column is one array
 * parameter, so a statement has as many parameters as columns whatever the number of rows, and
 * building it costs next to nothing; it means the same on PostgreSQL and PGlite (both tested with
 * NULLs, quotes, braces and the text "NULL"). `rows` must not be empty.
 */
export function valuesTable(alias: string, columns: readonly ValuesColumn[], rows: ReadonlyArray<readonly unknown[]>): SQL {
  if (rows.length === 0) throw new Error('valuesTable needs at least one row');
  const arrays = columns.map((c, i) => sql`${sql.param(rows.map((r) => driverValue(r[i], c.type)))}::${sql.raw(c.type)}[]`);
  return sql`unnest(${sql.join(arrays, sql`, `)}) AS ${sql.identifier(alias)}(${sql.join(columns.map((c) => sql.identifier(c.name)), sql`, `)})`;
}

/** A column of a `valuesTable`, to use in `SET` or `WHERE`. */
export const valuesColumn = (alias: string, name: string): SQL => sql`${sql.identifier(alias)}.${sql.identifier(name)}`;
