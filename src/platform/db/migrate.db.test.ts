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

/** A copy of the migrations folder holding those up to and including `tag` only. */
function folderUpTo(tag: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threshold-migrations-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at < 0) throw new Error(`no migration ${tag}`);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at + 1) }));
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

  it('carry the SCIM request log kept a row a request into batches of one (0026), which the SCIM tab reads alike', async () => {
    const database = await emptyDatabase([]);
    await runMigrations(database, folderUpTo('0025_tenant_tied_members'));
    const { rows: [tenant] } = await database.query<{ id: string }>("INSERT INTO tenants (name) VALUES ('School') RETURNING id");
    const { rows: [group] } = await database.query<{ id: string }>("INSERT INTO groups (tenant_id, name, type) VALUES ($1, 'Staff', 'scim') RETURNING id", [tenant!.id]);
    await database.query(
      `INSERT INTO scim_request_log (tenant_id, group_id, at, method, path, status, duration_ms, scim_type, error_detail, request_id)
       VALUES ($1, $2, '2026-12-01T10:00:00.123Z', 'POST', '/Users', 400, 7, 'invalidValue', 'userName is required', 'req-1'),
              ($1, $2, '2026-12-01T10:00:01.5Z', 'GET', '/Users?filter=userName eq "a"', 200, 2, NULL, NULL, NULL)`,
      [tenant!.id, group!.id],
    );
    expect(await runMigrations(database)).toBe('migrated');
    const { rows } = await database.query<{ first_at: Date; last_at: Date; entries: string }>('SELECT first_at, last_at, entries FROM scim_request_log_batches WHERE group_id = $1 ORDER BY last_at', [group!.id]);
    expect(rows).toHaveLength(2);
    const entries = rows.map((r) => JSON.parse(r.entries) as Array<Record<string, unknown>>);
    expect(entries.map((e) => e.length)).toEqual([1, 1]);
    expect(entries[0]![0]).toMatchObject({ method: 'POST', path: '/Users', status: 400, durationMs: 7, scimType: 'invalidValue', errorDetail: 'userName is required', requestId: 'req-1' });
    expect(entries[1]![0]).toMatchObject({ method: 'GET', path: '/Users?filter=userName eq "a"', status: 200, durationMs: 2, scimType: null, errorDetail: null, requestId: null });
    // Each entry's time is the row's, as the SCIM tab's page reads it (`new Date`).
    expect(new Date(entries[0]![0]!.at as string).toISOString()).toBe('2026-12-01T10:00:00.123Z');
    expect(new Date(entries[1]![0]!.at as string).toISOString()).toBe('2026-12-01T10:00:01.500Z');
    expect(new Date(rows[1]!.last_at).toISOString()).toBe('2026-12-01T10:00:01.500Z');
    const { rows: gone } = await database.query<{ n: string | number }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'scim_request_log'");
    expect(Number(gone[0]!.n)).toBe(0);
  }, 120_000);
});
