import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../src/config.js';
import { openDatabase, type Database } from '../src/platform/db/database.js';
import { createPlatform } from '../src/platform/bootstrap.js';
import { createLogger } from '../src/platform/logger.js';
import type { Platform } from '../src/platform/platform.js';
import { buildApp } from '../src/app.js';
import { composeContexts, type ComposeOptions, type Contexts } from '../src/contexts/compose.js';
import { withDatabase } from './global-setup.js';

export type TestEnv = {
  platform: Platform;
  app: FastifyInstance;
  /** The graph of contexts the app serves (composed once, as main.ts does): use its services directly. */
  contexts: Contexts;
  config: Config;
  /** Moves the clock the platform sees (e.g. to expire a lock-out). */
  clock: { now: Date; advance(ms: number): void; reset(): void };
};

const workerId = () => process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? '1';

/** The PostgreSQL database a test file runs on: the worker's, or its own one with `defaults` set (ALTER DATABASE … SET). */
export async function testDatabaseUrl(defaults?: Record<string, string>): Promise<string> {
  const url = process.env.TEST_DATABASE_URL!;
  const base = new URL(url).pathname.slice(1);
  // A database of its own per set of defaults (named by their hash), so two files asking for different ones never share.
  const suffix = defaults ? `_d${createHash('sha256').update(JSON.stringify(Object.entries(defaults).sort())).digest('hex').slice(0, 8)}` : '';
  const name = `${base}_w${workerId()}${suffix}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('pgTemplateDb')}"`);
    for (const [k, v] of Object.entries(defaults ?? {})) await admin.query(`ALTER DATABASE "${name}" SET ${pg.escapeIdentifier(k)} = ${pg.escapeLiteral(v)}`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // exists: made by an earlier file of this worker
  } finally {
    await admin.end();
  }
  return withDatabase(url, name);
}

async function openTestDatabase(onStatement?: (sql: string) => void, databaseDefaults?: Record<string, string>): Promise<Database> {
  if (process.env.TEST_DB === 'postgres') {
    return openDatabase({ kind: 'postgres', url: await testDatabaseUrl(databaseDefaults), max: 5, onStatement });
  }
  const tar = readFileSync(inject('pgliteTemplate'));
  return openDatabase({ kind: 'pglite', loadDataDir: new Blob([tar]), onStatement });
}

export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return loadConfig(
    { NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SECRET_KEY: 'a'.repeat(64), LOG_LEVEL: 'silent', PUBLIC_URL: 'http://threshold.test', RATE_LIMIT_PER_MINUTE: '1000000' },
    overrides,
  );
}

/**
 * One database per test file (PGlite) or per worker (PostgreSQL), an app built on it, and a
 * movable clock. `databaseDefaults` (PostgreSQL only) gives the file a database of its own with
 * those settings as its defaults, as a server configured otherwise than ours would have them. `compose` adds hooks to the graph (extra visit sinks, safety checks). Each test makes its own tenant with the factories, so nothing is truncated.
 */
export function useTestEnv(opts: { configOverrides?: Partial<Config>; onStatement?: (sql: string) => void; compose?: ComposeOptions; databaseDefaults?: Record<string, string> } = {}): TestEnv {
  const env = {} as TestEnv;
  let dataDir = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-test-'));
    const database = await openTestDatabase(opts.onStatement, opts.databaseDefaults);
    const config = testConfig(dataDir, opts.configOverrides);
    let offset = 0;
    const clock = {
      get now() {
        return new Date(Date.now() + offset);
      },
      advance(ms: number) {
        offset += ms;
      },
      reset() {
        offset = 0;
      },
    };
    const platform = await createPlatform(config, { database, log: createLogger('silent'), now: () => clock.now });
    const contexts = composeContexts(platform, opts.compose);
    const app = await buildApp(platform, { logger: false, serveWeb: false, contexts });
    await app.ready();
    Object.assign(env, { platform, app, contexts, config, clock });
  });
  afterAll(async () => {
    await env.app?.close();
    await env.platform?.jobs.stop();
    await env.platform?.database.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return env;
}

/**
 * The statements of a window that are not writes behind the app's back: the API writes its rate
 * counters and the members' totals NOTIFY on timers, and under load one lands in any window a test
 * counts. For tests that count a read's statements (the writes a test makes itself are its own).
 */
export const withoutBackgroundWrites = (statements: readonly string[]): string[] => statements.filter((q) => !/^\s*(insert|update|delete)\b/i.test(q) && !/^\s*select pg_notify\(/i.test(q));

/**
 * A write the app makes behind a test's back, on a timer: the API's rate counters, a session's or
 * API key's last-seen stamp, and the members' totals NOTIFY (members.repo's, a second after a
 * member write). For tests that count the statements of a write.
 */
export const isBackgroundWrite = (q: string): boolean => /^\s*(insert into|update)\s+"(rate_counters|sessions|api_keys)"/i.test(q) || /^\s*select pg_notify\(\$1::text, \$2::text\)/i.test(q);
