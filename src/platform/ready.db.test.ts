import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { testConfig } from '../../test/harness.js';
import { withDatabase } from '../../test/global-setup.js';
import { buildApp } from '../app.js';
import { createPlatform } from './bootstrap.js';
import { openDatabase, type Database } from './db/database.js';
import { runMigrations } from './db/migrate.js';
import { createLogger } from './logger.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** An empty database: a fresh in-memory PGlite, or a new database on the test PostgreSQL server. */
async function emptyDatabase(): Promise<Database> {
  if (process.env.TEST_DB !== 'postgres') return openDatabase({ kind: 'pglite' });
  const url = process.env.TEST_DATABASE_URL!;
  const name = `${new URL(url).pathname.slice(1)}_fresh_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  return openDatabase({ kind: 'postgres', url: withDatabase(url, name), max: 2 });
}

describe('/ready', () => {
  it('answers 503 "migrations pending" on an unmigrated database, then 200 once migrated', async () => {
    const database = await emptyDatabase();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-ready-'));
    const platform = await createPlatform(testConfig(dataDir), { database, log: createLogger('silent') });
    const app: FastifyInstance = await buildApp(platform, { logger: false, serveWeb: false });
    cleanups.push(async () => {
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const before = await app.inject({ method: 'GET', url: '/ready' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({ status: 'not_ready', reason: 'migrations pending' });
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    await runMigrations(database);
    const after = await app.inject({ method: 'GET', url: '/ready' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ status: 'ready' });
  }, 90_000);
});
