import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../../test/global-setup.js';
import { openDatabase, type Database } from './database.js';
import { MIGRATIONS_FOLDER, migrationsCurrent, runMigrations } from './migrate.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** An empty database whose statements are collected: in-memory PGlite, or a new PostgreSQL database. */
async function emptyDatabase(statements: string[]): Promise<Database> {
  const onStatement = (text: string) => statements.push(text);
  if (process.env.TEST_DB !== 'postgres') {
    const database = await openDatabase({ kind: 'pglite', onStatement });
    cleanups.push(() => database.close());
    return database;
  }
  const url = process.env.TEST_DATABASE_URL!;
  const name = `${new URL(url).pathname.slice(1)}_migrate_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const database = await openDatabase({ kind: 'postgres', url: withDatabase(url, name), max: 2, onStatement });
  cleanups.push(async () => {
    await database.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  return database;
}

/** A copy of the migrations folder with one more migration, newer than every other. */
function folderWithOneMore(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threshold-migrations-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ idx: number; version: string; when: number; tag: string; breakpoints: boolean }> };
  const last = journal.entries.at(-1)!;
  journal.entries.push({ idx: last.idx + 1, version: last.version, when: last.when + 1, tag: '9999_boot_probe', breakpoints: true });
  writeFileSync(journalPath, JSON.stringify(journal));
  writeFileSync(path.join(dir, '9999_boot_probe.sql'), 'CREATE TABLE "boot_probe" ("id" integer PRIMARY KEY);');
  return dir;
}

describe('migrations at boot', () => {
  it('are skipped with one query when the database is up to date, and a new one is still applied', async () => {
    const statements: string[] = [];
    const database = await emptyDatabase(statements);
    expect(await runMigrations(database)).toBe('migrated');
    expect(await migrationsCurrent(database)).toBe(true);

    statements.length = 0;
    expect(await runMigrations(database)).toBe('current');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT max\(created_at\) AS created_at FROM drizzle\.__drizzle_migrations$/);

    const folder = folderWithOneMore();
    expect(await runMigrations(database, folder)).toBe('migrated');
    const { rows } = await database.query<{ n: string | number }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'boot_probe'");
    expect(Number(rows[0]!.n)).toBe(1);
    expect(await runMigrations(database, folder)).toBe('current');
  }, 120_000);
});
