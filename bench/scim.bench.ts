// SCIM figures (issue 4, Performance). With 10,000 users in one SCIM group, on PGlite and on
// PostgreSQL (TEST_DATABASE_URL or DATABASE_URL; otherwise reported as skipped): an Okta-style
// initial import (userName lookup, then create; 5 concurrent) in total seconds, then req/s and p99
// of filter by userName, get by id, list count=100, POST and PATCH active=false, each beside a bare
// node:http server answering a fixed SCIM user. Prints the figures and writes
// bench/results/scim.json. Nothing here passes or fails on time.
//
// The group's rate limit (default: bursts of 1,000 then 200/s) is raised for the run, so the
// figures show the server, not the limiter. Server and load generator share this process.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import autocannonLib, { type Result } from 'autocannon';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Database } from '../src/platform/db/database.js';
import { runMigrations } from '../src/platform/db/migrate.js';
import { installJobSchema } from '../src/platform/jobs/pgboss.js';
import { createPlatform } from '../src/platform/bootstrap.js';
import { createLogger } from '../src/platform/logger.js';
import { buildApp } from '../src/app.js';
import { createAccountsService } from '../src/contexts/accounts/index.js';
import { composeContexts } from '../src/contexts/compose.js';
import { createGroupsPort } from '../src/contexts/signin/index.js';
import { createScimAccessService } from '../src/contexts/scim/index.js';
import { systemActor } from '../src/platform/audit/audit.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USERS = Number(process.env.BENCH_SCIM_USERS ?? 10_000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const IMPORT_CONCURRENCY = 5;

type Req = { method?: string; path?: string; body?: string; headers?: Record<string, string>; setupRequest?: (req: Req) => Req };
type Options = { url: string; connections: number; duration: number; headers?: Record<string, string>; requests?: Req[] };
const autocannon = autocannonLib as unknown as (o: Options) => Promise<Result>;

const figures = (r: Result) => ({ reqPerSec: Math.round(r.requests.average), p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors });

function userBody(i: number, prefix: string) {
  const userName = `${prefix}${String(i).padStart(5, '0')}@bench.example`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: 'Bench', familyName: `User${i}` },
    emails: [{ value: userName, type: 'work', primary: true }],
    displayName: `Bench User${i}`,
    active: true,
  };
}

async function startBare(body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/scim+json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function openFor(kind: 'pglite' | 'postgres', pgUrl: string | undefined, dataDir: string): Promise<Database> {
  if (kind === 'pglite') return openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
  const base = new URL(pgUrl!);
  const name = `${base.pathname.slice(1) || 'postgres'}_scim_bench`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  base.pathname = `/${name}`;
  return openDatabase({ kind: 'postgres', url: base.toString(), max: 10 });
}

async function runOn(kind: 'pglite' | 'postgres', pgUrl?: string) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-scim-bench-'));
  const log = createLogger('silent');
  const database = await openFor(kind, pgUrl, dataDir);
  try {
    await runMigrations(database);
    await installJobSchema(database, log);
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, SECRET_KEY: 'b'.repeat(64), LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1', SEED_DEMO: '0' });
    const platform = await createPlatform(config, { database, log });
    const app = await buildApp(platform, { logger: false, serveWeb: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    try {
      const { tenant } = await createAccountsService(platform).createTenant({ name: 'Bench', kind: 'school', ownerEmail: `owner-${kind}@bench.example`, ownerPassword: 'bench password long enough' });
      const group = await composeContexts(platform).signin.groups.create(tenant.id, { name: 'Staff', type: 'scim' }, systemActor);
      const access = createScimAccessService({ ...platform, groups: createGroupsPort() });
      const { token } = await access.generateToken(tenant.id, group.id, systemActor);
      await access.setRateLimit(tenant.id, group.id, { burst: 1_000_000, perSecond: 1_000_000 });
      const base = `http://127.0.0.1:${port}/scim/v2/groups/${group.id}`;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };

      // Okta-style initial import: lookup, then create; 5 at a time.
      const ids: string[] = new Array(USERS);
      let next = 0;
      const importStarted = Date.now();
      await Promise.all(
        Array.from({ length: IMPORT_CONCURRENCY }, async () => {
          for (let i = next++; i < USERS; i = next++) {
            const body = userBody(i, 'u');
            const found = await fetch(`${base}/Users?filter=${encodeURIComponent(`userName eq "${body.userName}"`)}&startIndex=1&count=100`, { headers });
            if (found.status !== 200 || ((await found.json()) as { totalResults: number }).totalResults !== 0) throw new Error(`lookup ${i}: ${found.status}`);
            const made = await fetch(`${base}/Users`, { method: 'POST', headers, body: JSON.stringify(body) });
            if (made.status !== 201) throw new Error(`create ${i}: ${made.status} ${await made.text()}`);
            ids[i] = ((await made.json()) as { id: string }).id;
            if (i > 0 && i % 2000 === 0) process.stdout.write(`  ${kind}: ${i} users imported (${((Date.now() - importStarted) / 1000).toFixed(0)} s)\n`);
          }
        }),
      );
      const importSeconds = +((Date.now() - importStarted) / 1000).toFixed(1);
      // The tables as a running server keeps them after such an import: analysed by autovacuum on
      // PostgreSQL (this machine's server runs without it), by the analyze job on PGlite (decision
      // 038, within a minute of a table doubling; this bench starts no jobs). Without it, the
      // prepared lookups kept the plans made while the group was empty: on PGlite, `userName eq`
      // walked the whole group (62–67 r/s at 10,000 users, decision 048).
      await database.exec('VACUUM ANALYZE');

      const sample = ids[Math.floor(USERS / 2)]!;
      const sampleName = userBody(Math.floor(USERS / 2), 'u').userName;
      const fixedUser = await (await fetch(`${base}/Users/${sample}`, { headers })).text();
      const bare = await startBare(fixedUser);
      let posted = 0;
      let patched = 0;
      const cases: Array<[string, Req]> = [
        ['GET /Users?filter=userName eq', { method: 'GET', path: `/Users?filter=${encodeURIComponent(`userName eq "${sampleName}"`)}` }],
        ['GET /Users/{id}', { method: 'GET', path: `/Users/${sample}` }],
        ['GET /Users?startIndex=1&count=100', { method: 'GET', path: '/Users?startIndex=1&count=100' }],
        ['POST /Users', { method: 'POST', path: '/Users', setupRequest: (r) => ({ ...r, body: JSON.stringify(userBody(posted++, 'p')) }) }],
        [
          'PATCH /Users/{id} active=false',
          {
            method: 'PATCH',
            path: `/Users/${sample}`,
            setupRequest: (r) => ({ ...r, path: `${new URL(base).pathname}/Users/${ids[patched++ % USERS]}`, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] }) }),
          },
        ],
      ];
      const routes: Record<string, { threshold: ReturnType<typeof figures>; bareNodeHttp: ReturnType<typeof figures> }> = {};
      for (const [name, req] of cases) {
        const basePath = new URL(base).pathname;
        const withBase = { ...req, path: `${basePath}${req.path}` };
        const threshold = figures(await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: DURATION, headers, requests: [withBase] }));
        const bareReq: Req = { method: req.method, path: withBase.path, ...(req.method === 'GET' ? {} : { body: '{}' }) };
        const bareFig = figures(await autocannon({ url: bare.url, connections: CONNECTIONS, duration: DURATION, headers, requests: [bareReq] }));
        routes[name] = { threshold, bareNodeHttp: bareFig };
        process.stdout.write(`  ${kind}: ${name.padEnd(36)} ${String(threshold.reqPerSec).padStart(6)} req/s p99 ${String(threshold.p99Ms).padStart(4)} ms | bare ${String(bareFig.reqPerSec).padStart(6)} req/s p99 ${bareFig.p99Ms} ms${threshold.non2xx ? ` (${threshold.non2xx} non-2xx)` : ''}\n`);
      }
      await bare.close();
      return { usersInGroup: USERS + posted, import: { users: USERS, concurrency: IMPORT_CONCURRENCY, seconds: importSeconds, usersPerSecond: Math.round(USERS / importSeconds) }, routes };
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const loadBefore = +os.loadavg()[0]!.toFixed(1);
  const pgUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  const result: Record<string, unknown> = {
    at: new Date().toISOString(),
    machine: { loadAverage1mBefore: loadBefore, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
    settings: { users: USERS, durationSeconds: DURATION, connections: CONNECTIONS, importConcurrency: IMPORT_CONCURRENCY, rateLimit: 'raised for the run', inProcess: 'server, bare server and autocannon share one process' },
  };
  console.log(`PGlite: importing ${USERS} users…`);
  result.pglite = await runOn('pglite');
  if (pgUrl) {
    console.log(`PostgreSQL: importing ${USERS} users…`);
    result.postgres = await runOn('postgres', pgUrl);
  } else {
    console.log('PostgreSQL: SKIPPED (set TEST_DATABASE_URL or DATABASE_URL)');
    result.postgres = 'skipped: neither TEST_DATABASE_URL nor DATABASE_URL was set';
  }
  const outDir = path.join(root, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'scim.json'), JSON.stringify(result, null, 2) + '\n');
  for (const kind of ['pglite', 'postgres'] as const) {
    const r = result[kind];
    if (typeof r === 'object' && r) {
      const imp = (r as { import: { seconds: number; usersPerSecond: number } }).import;
      console.log(`${kind}: Okta-style import of ${USERS} users (5 concurrent): ${imp.seconds} s (${imp.usersPerSecond} users/s)`);
    }
  }
  console.log('wrote bench/results/scim.json');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
