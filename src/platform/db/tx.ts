import type { Db, DbOrTx, Tx } from './database.js';

/**
 * Runs `fn` in a transaction. When `db` already is a transaction, `fn` joins it (drizzle opens a
 * savepoint), so services compose without deadlocking PGlite's single connection.
 */
export function inTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (db as Db).transaction(fn);
}
