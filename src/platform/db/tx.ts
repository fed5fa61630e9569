import type { Db, DbOrTx, Tx } from './database.js';
import { PgTransaction } from 'drizzle-orm/pg-core';

/**
 * Runs `fn` in a transaction. When `db` already is a transaction, `fn` joins it (drizzle opens a
 * savepoint), so services compose without deadlocking PGlite's single connection.
 */
export function inTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (db as Db).transaction(fn);
}

/**
 * Runs `fn` in `db`'s transaction when `db` already is one, with no savepoint (two statements
 * fewer); otherwise in a new transaction. For writers whose callers never catch an error and go
 * on in the same transaction: a failed statement aborts the caller's whole transaction.
 */
export function joinTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db instanceof PgTransaction ? fn(db as Tx) : (db as Db).transaction(fn);
}

/** Whether `db` is a transaction (a caller's, that commits when the caller's code says so), not the database. */
export function isTransaction(db: DbOrTx): db is Tx {
  return db instanceof PgTransaction;
}
