import { getTableColumns, is, SQL, sql, type Placeholder } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

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

/**
 * `valuesTable` for a statement built once and prepared: each column one named array placeholder,
 * `<prefix><column name>` (`unnest($many_id::uuid[], …) AS alias(id, …)`), its values given by
 * name when the statement runs (an array per column, a row's values at the same place in each).
 */
export function placeholderTable(alias: string, columns: readonly ValuesColumn[], prefix: string): SQL {
  const arrays = columns.map((c) => sql`${sql.placeholder(`${prefix}${c.name}`)}::${sql.raw(c.type)}[]`);
  return sql`unnest(${sql.join(arrays, sql`, `)}) AS ${sql.identifier(alias)}(${sql.join(columns.map((c) => sql.identifier(c.name)), sql`, `)})`;
}

/** A column of a `valuesTable`, to use in `SET` or `WHERE`. */
export const valuesColumn = (alias: string, name: string): SQL => sql`${sql.identifier(alias)}.${sql.identifier(name)}`;

/** The table's insertable columns in its order: what an `INSERT … SELECT` of every column selects. */
function insertableColumns(table: PgTable): Array<[string, PgColumn]> {
  return Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(([, c]) => !(c as unknown as { shouldDisableInsert(): boolean }).shouldDisableInsert());
}

/** Whether drizzle computes a column left unset per row (`$defaultFn`, or `$onUpdateFn` without a default), and that value. */
const computedPerRow = (col: PgColumn): boolean => col.defaultFn !== undefined || (!col.default && col.onUpdateFn !== undefined);
const computedValue = (col: PgColumn): unknown => (col.defaultFn ? col.defaultFn() : col.onUpdateFn!());

/** What a column no row gives is selected as: its declared default as drizzle would write it, or NULL. */
function unsetColumn(col: PgColumn, type: SQL, who: string): SQL {
  if (!col.hasDefault) return sql`NULL::${type}`;
  if (is(col.default, SQL)) return col.default;
  if (col.default !== undefined) return sql`${sql.param(col.mapToDriverValue(col.default))}::${type}`;
  throw new Error(`${who}: column ${col.name} has a default drizzle cannot state (serial or identity); give it`);
}

/**
 * The rows of a multi-row INSERT as `SELECT … FROM unnest($1::uuid[], $2::text[], …)`, for
 * `tx.insert(table).select(insertRows(table, rows))`: one array parameter per column, so drizzle
 * builds a handful of fragments however many rows there are (its `values(rows)` builds one
 * parameter, with its own mapping, per cell, and that was most of a bulk import's CPU, decision
 * 027). Every insertable column of the table is selected, in the table's order: a column given by
 * some row takes each row's value (NULL where a row leaves a column without a default unset), a
 * `$defaultFn` is called per row as drizzle does, and a column no row gives gets its declared
 * default (or NULL), so the rows land exactly as `values(rows)` would put them. A row that leaves
 * unset a column another row sets, where that column has a database default, is refused (drizzle
 * would write DEFAULT for that row alone): give the column in every row. Values that are `sql`
 * fragments are refused too. `rows` must not be empty.
 */
export function insertRows<T extends PgTable>(table: T, rows: ReadonlyArray<T['$inferInsert']>): SQL {
  if (rows.length === 0) throw new Error('insertRows needs at least one row');
  const arrays: SQL[] = [];
  const names: SQL[] = [];
  const selected: SQL[] = [];
  for (const [key, col] of insertableColumns(table)) {
    const type = sql.raw(col.getSQLType());
    const values = rows.map((r) => (r as Record<string, unknown>)[key]);
    const perRow = computedPerRow(col);
    if (values.some((v) => v !== undefined) || perRow) {
      const cells = values.map((v) => {
        let value = v;
        if (value === undefined) {
          if (perRow) value = computedValue(col);
          else if (col.hasDefault) throw new Error(`insertRows: column ${col.name} is set by some rows and not others; give it in every row`);
        }
        if (is(value, SQL)) throw new Error(`insertRows: column ${col.name} has an sql value; use values() for such rows`);
        return value === null || value === undefined ? null : col.mapToDriverValue(value);
      });
      const alias = sql.raw(`c${arrays.length}`);
      arrays.push(sql`${sql.param(cells)}::${type}[]`);
      names.push(alias);
      selected.push(sql`v.${alias}`);
    } else selected.push(unsetColumn(col, type, 'insertRows'));
  }
  if (arrays.length === 0) throw new Error('insertRows: no column is given');
  return sql`SELECT ${sql.join(selected, sql`, `)} FROM unnest(${sql.join(arrays, sql`, `)}) AS v(${sql.join(names, sql`, `)})`;
}

/**
 * `insertRows` for one row whose given columns are `keys`, over placeholders, for a statement
 * built once and prepared (`preparedStatement`): `select` is the same `SELECT` as `insertRows`
 * makes for such a row (every insertable column in the table's order, the given ones as
 * `$n::type`, the others their declared default or NULL), and `values(row)` the placeholder values
 * for a row, mapped for the driver as drizzle maps them (JSON, dates), a `$defaultFn` called per
 * row. A row must give exactly `keys` (undefined counts as not given: refused, as a prepared
 * statement cannot fall back to the default for one row).
 */
export function insertRowPlaceholders<T extends PgTable>(table: T, keys: ReadonlyArray<keyof T['$inferInsert'] & string>) {
  const given = new Set<string>(keys);
  const selected: SQL[] = [];
  const mapped: Array<{ key: string; col: PgColumn; perRow: boolean }> = [];
  for (const [key, col] of insertableColumns(table)) {
    const type = sql.raw(col.getSQLType());
    const perRow = !given.has(key) && computedPerRow(col);
    if (given.has(key) || perRow) {
      const placeholder: Placeholder = sql.placeholder(`row_${key}`);
      selected.push(sql`${placeholder}::${type}`);
      mapped.push({ key, col, perRow });
    } else selected.push(unsetColumn(col, type, 'insertRowPlaceholders'));
  }
  return {
    select: sql`SELECT ${sql.join(selected, sql`, `)}`,
    values(row: T['$inferInsert']): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const { key, col, perRow } of mapped) {
        let value = (row as Record<string, unknown>)[key];
        if (perRow) value = computedValue(col);
        else if (value === undefined) throw new Error(`insertRowPlaceholders: the row does not give ${col.name}`);
        if (is(value, SQL)) throw new Error(`insertRowPlaceholders: column ${col.name} has an sql value`);
        out[`row_${key}`] = value === null ? null : col.mapToDriverValue(value);
      }
      return out;
    },
  };
}
