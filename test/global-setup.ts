import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/platform/db/database.js';
import { runMigrations } from '../src/platform/db/migrate.js';
import { installJobSchema } from '../src/platform/jobs/pgboss.js';
import { createLogger } from '../src/platform/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplateDb: string;
  }
}

export const TEMPLATE_DIR = path.resolve('.tmp');

/** Replaces the database name in a postgres URL. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Migrates a template once per run: a PGlite data-dir tarball that each test file clones, and on
 * PostgreSQL a template database that each worker's database is created from.
 */
export default async function setup(project: TestProject) {
  const kind = (project.config.env as Record<string, string> | undefined)?.TEST_DB ?? 'pglite';
  const log = createLogger('silent');
  if (kind === 'pglite') {
    mkdirSync(TEMPLATE_DIR, { recursive: true });
    const database = await openDatabase({ kind: 'pglite' });
    await runMigrations(database);
    await installJobSchema(database, log);
    const dump = await database.pglite!.dumpDataDir('none');
    const file = path.join(TEMPLATE_DIR, `pglite-template-${process.pid}.tar`);
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    await database.close();
    project.provide('pgliteTemplate', file);
    return;
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is required for the postgres project');
  const base = new URL(url).pathname.slice(1);
  const template = `${base}_tmpl`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [template, `${base}\\_w%`],
    );
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ kind: 'postgres', url: withDatabase(url, template), max: 2 });
  await runMigrations(database);
  await installJobSchema(database, log);
  await database.close();
  project.provide('pgTemplateDb', template);
}
