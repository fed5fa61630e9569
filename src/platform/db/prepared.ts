import type { PgPreparedQuery, PreparedQueryConfig } from 'drizzle-orm/pg-core';
import { fillPlaceholders } from 'drizzle-orm';
import type { Database, Db, DbOrTx } from './database.js';

/** What drizzle keeps of a built statement besides its SQL text (how to map its rows). */
type Built = PgPreparedQuery<PreparedQueryConfig> & {
  fields?: unknown;
  _isResponseInArrayMode: boolean;
  customResultMapper?: unknown;
  joinsNotNullableMap?: unknown;
};

/**
 * A statement drizzle builds once (its SQL text, with `sql.placeholder`s for the values), run on
 * the database or **inside a transaction**, on the transaction's connection.
 *
 * drizzle's own `.prepare(name)` is bound to the handle it was built on: a statement prepared on
 * `db` runs on a pooled connection of its own, outside any transaction. Building it on the
 * transaction instead costs what a built query costs (0.3 ms of CPU a statement, decision 025).
 * Here the SQL text and the row mapping are taken once from the statement built on `db`, and
 * each run asks the transaction's session for a prepared query over them (a small object, no
 * SQL building). On PostgreSQL the statement is named, so each connection parses it once.
 * `prepared.db.test.ts` shows it runs in the caller's transaction on both databases (a drizzle
 * upgrade that changed what is taken here fails there).
 */
export function preparedStatement<R>(db: Db, name: string, build: (db: Db) => { prepare(name: string): PgPreparedQuery<PreparedQueryConfig & { execute: R }> }) {
  const onDb = build(db).prepare(name) as unknown as Built;
  const query = onDb.getQuery();
  return {
    /** The SQL text (for tests and logs). */
    sql: query.sql,
    /** Runs it on `tx` (a transaction: on its connection) with these placeholder values. */
    execute(tx: DbOrTx, values: Record<string, unknown>): Promise<R> {
      if (tx === db) return onDb.execute(values) as Promise<R>;
      const session = tx._.session;
      const onTx = session.prepareQuery(query, onDb.fields as never, name, onDb._isResponseInArrayMode, onDb.customResultMapper as never) as Built;
      onTx.joinsNotNullableMap = onDb.joinsNotNullableMap;
      return onTx.execute(values) as Promise<R>;
    },
  };
}

export type PreparedStatement<R> = ReturnType<typeof preparedStatement<R>>;

/**
 * A statement of drizzle's building (`query.toSQL()` of a query builder, or `PgDialect.sqlToQuery`
 * of an `sql` template: its text with `sql.placeholder`s) prepared through `Database.prepare`
 * (decision 028: named on PostgreSQL, PREPARE/EXECUTE on PGlite), run with its placeholders'
 * values by name; its rows come back as arrays, mapped by nobody. Outside any transaction.
 */
export function preparedQuery(database: Pick<Database, 'prepare'>, name: string, query: { sql: string; params: unknown[] }): (values: Record<string, unknown>) => Promise<unknown[][]> {
  const run = database.prepare(name, query.sql);
  return (values) => run(fillPlaceholders(query.params, values));
}
