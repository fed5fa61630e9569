import { sql, type SQL } from 'drizzle-orm';

/** A column of an inline `VALUES` list: its name and PostgreSQL type (every cell is cast to it). */
export type ValuesColumn = { name: string; type: 'uuid' | 'text' | 'date' | 'integer' | 'jsonb' | 'timestamptz' | 'boolean' };

function cell(value: unknown, type: ValuesColumn['type']): SQL {
  if (value === null || value === undefined) return sql`${null}::${sql.raw(type)}`;
  if (type === 'jsonb') return sql`${JSON.stringify(value)}::jsonb`;
  if (value instanceof Date) return sql`${value.toISOString()}::${sql.raw(type)}`;
  return sql`${value}::${sql.raw(type)}`;
}

/**
 * `(VALUES (…), (…)) AS alias(col, …)`: many rows' own values as a table, for one
 * `UPDATE … FROM` (or a join) instead of one statement per row. Every cell is a parameter cast to
 * its column's type, so the list means the same on PostgreSQL and PGlite. `rows` must not be empty.
 */
export function valuesTable(alias: string, columns: readonly ValuesColumn[], rows: ReadonlyArray<readonly unknown[]>): SQL {
  if (rows.length === 0) throw new Error('valuesTable needs at least one row');
  const list = sql.join(
    rows.map((r) => sql`(${sql.join(columns.map((c, i) => cell(r[i], c.type)), sql`, `)})`),
    sql`, `,
  );
  return sql`(VALUES ${list}) AS ${sql.identifier(alias)}(${sql.join(columns.map((c) => sql.identifier(c.name)), sql`, `)})`;
}

/** A column of a `valuesTable`, to use in `SET` or `WHERE`. */
export const valuesColumn = (alias: string, name: string): SQL => sql`${sql.identifier(alias)}.${sql.identifier(name)}`;
