import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { Database } from './database.js';

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations');
const LOCK_ID = 7_421_001; // advisory lock so several instances never migrate at once

type Journal = { entries: Array<{ tag: string; when: number }> };

function readJournal(folder: string): Journal {
  return JSON.parse(readFileSync(path.join(folder, 'meta/_journal.json'), 'utf8')) as Journal;
}

/**
 * True when the database's newest applied migration is at least the folder's newest: drizzle's
 * migrator applies exactly the migrations newer than that, so there is nothing to do. One read of
 * the journal and one query, where the migrator reads and hashes every file and runs four
 * statements (a start on an up-to-date database takes this path).
 */
async function upToDate(database: Database, folder: string): Promise<boolean> {
  const newest = Math.max(0, ...readJournal(folder).entries.map((e) => e.when));
  try {
    const { rows } = await database.query<{ created_at: string | number | null }>(
      'SELECT max(created_at) AS created_at FROM drizzle.__drizzle_migrations',
    );
    return rows[0]?.created_at != null && Number(rows[0].created_at) >= newest;
  } catch {
    return false; // no migrations table yet
  }
}

export type MigrationOutcome = 'current' | 'migrated';

/**
 * Applies every pending migration ('current' when there was none). Safe to call from several
 * instances at once. `folder` is for tests (a copy of the migrations with one more).
 */
export async function runMigrations(database: Database, folder: string = MIGRATIONS_FOLDER): Promise<MigrationOutcome> {
  if (await upToDate(database, folder)) return 'current';
  await database.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS citext;');
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: folder });
    return 'migrated';
  }
  const client = await database.pool!.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    await migratePg(database.db as unknown as NodePgDatabase, { migrationsFolder: folder });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    client.release();
  }
  return 'migrated';
}

export function journalEntryCount(): number {
  return readJournal(MIGRATIONS_FOLDER).entries.length;
}

/** True when every migration of the folder has been applied. */
export async function migrationsCurrent(database: Database): Promise<boolean> {
  try {
    const { rows } = await database.query<{ n: string | number }>(
      'SELECT count(*) AS n FROM drizzle.__drizzle_migrations',
    );
    return Number(rows[0]?.n ?? 0) >= journalEntryCount();
  } catch {
    return false;
  }
}
