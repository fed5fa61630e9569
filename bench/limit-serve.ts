// Threshold as its own process for bench/limit.bench.ts: migrates the given PostgreSQL database,
// makes a tenant, a SCIM group with a token (its rate limit raised out of reach), USERS SCIM users
// and a signed-in owner session, listens, then prints one JSON line with what the bench needs.
// Logs as production does (LOG_LEVEL, default info: Fastify's two lines per request, gathered
// into writes of 4 KiB as standard output is: `logDestination`), to stderr.
// Run by the bench, not by hand: DATABASE_URL=… PORT=… USERS=1000 tsx bench/limit-serve.ts
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/platform/db/database.js';
import { runMigrations } from '../src/platform/db/migrate.js';
import { installJobSchema } from '../src/platform/jobs/pgboss.js';
import { createPlatform } from '../src/platform/bootstrap.js';
import { createLogger, logDestination } from '../src/platform/logger.js';
import { buildApp } from '../src/app.js';
import { createAccountsService } from '../src/contexts/accounts/index.js';
import { composeContexts } from '../src/contexts/compose.js';
import { createGroupsPort } from '../src/contexts/signin/index.js';
import { createScimAccessService } from '../src/contexts/scim/index.js';
import { systemActor } from '../src/platform/audit/audit.js';

const USERS = Number(process.env.USERS ?? 1000);
const url = process.env.DATABASE_URL!;
const logLevel = process.env.LOG_LEVEL ?? 'info';
const log = createLogger(logLevel, {}, logDestination(2));
// PGLITE_DIR: Threshold on PGlite in that folder instead (the embedded default), for the PGlite goals.
const pgliteDir = process.env.PGLITE_DIR;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-limit-bench-'));
const config = loadConfig({
  NODE_ENV: 'production',
  DATA_DIR: dataDir,
  ...(pgliteDir ? {} : { DATABASE_URL: url }),
  SECRET_KEY: 'b'.repeat(64),
  LOG_LEVEL: logLevel,
  PUBLIC_URL: 'http://127.0.0.1',
  SEED_DEMO: '0',
  RATE_LIMIT_PER_MINUTE: '1000000000',
  ...(process.env.PGLITE_WASM_COMPILER ? { PGLITE_WASM_COMPILER: process.env.PGLITE_WASM_COMPILER } : {}),
});
// PGlite as `npm start` opens it (its compiler choice from the config), in the bench's folder.
const database = config.database.kind === 'pglite' ? await openDatabase({ kind: 'pglite', dataDir: pgliteDir, wasmCompiler: config.database.wasmCompiler }) : await openDatabase({ kind: 'postgres', url, max: 10 });
await runMigrations(database);
await installJobSchema(database, log);
const platform = await createPlatform(config, { database, log });
const app = await buildApp(platform, { serveWeb: false });
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
const { port } = app.server.address() as AddressInfo;

const password = 'bench password long enough';
const email = `owner-${Date.now()}@bench.example`;
const { tenant } = await createAccountsService(platform).createTenant({ name: 'Bench', kind: 'school', ownerEmail: email, ownerPassword: password });
const group = await composeContexts(platform).signin.groups.create(tenant.id, { name: 'Staff', type: 'scim' }, systemActor);
const access = createScimAccessService({ ...platform, groups: createGroupsPort() });
const { token } = await access.generateToken(tenant.id, group.id, systemActor);
await access.setRateLimit(tenant.id, group.id, { burst: 1_000_000_000, perSecond: 1_000_000_000 });
const base = `http://127.0.0.1:${port}/scim/v2/groups/${group.id}`;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
const ids: string[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (let i = next++; i < USERS; i = next++) {
      const userName = `user${i + 1}@example.com`;
      const made = await fetch(`${base}/Users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'User', familyName: String(i + 1) }, emails: [{ value: userName, type: 'work', primary: true }], active: true }),
      });
      if (made.status !== 201) throw new Error(`create ${i}: ${made.status} ${await made.text()}`);
      ids[i] = ((await made.json()) as { id: string }).id;
    }
  }),
);
// The tables as autovacuum keeps them on a live server (this machine's PostgreSQL runs with
// autovacuum off): planner statistics, without which the generic plan of a prepared statement
// (from its sixth run on a connection) may walk the whole group (decision 028), and the visibility
// map, without which a count cannot be answered from an index alone (decision 031).
await database.exec('VACUUM ANALYZE');
const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
if (login.status !== 200) throw new Error(`login: ${login.status}`);
const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
// A second signed-in user, an admin of one site only, whose members page is never kept in memory
// (decision 047): the bench's measure of the page read from the database each time.
const owner = { cookie, 'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken, 'content-type': 'application/json' };
const asOwner = async (method: string, route: string, body: unknown) => {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, { method, headers: owner, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
};
const site = await asOwner('POST', '/api/signin/sites', { name: 'Main', timezone: 'Europe/London' });
await asOwner('PUT', `/api/signin/sites/${site.id}/groups`, { groupIds: [group.id] });
const scopedEmail = `site-admin-${Date.now()}@bench.example`;
const scopedUser = await createAccountsService(platform).createUser(tenant.id, { email: scopedEmail, password, role: 'admin' }, systemActor);
await asOwner('PUT', `/api/users/${scopedUser.id}/scopes`, { scopes: [{ kind: 'site', refId: site.id, level: 'administer' }] });
const scopedLogin = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: scopedEmail, password }) });
if (scopedLogin.status !== 200) throw new Error(`login (site admin): ${scopedLogin.status}`);
const scopedCookie = (scopedLogin.headers.get('set-cookie') ?? '').split(';')[0]!;
// BENCH_PROFILE=<file>: a CPU profile of what follows (the bench's load, not the set-up above), written on SIGTERM.
const profiler = process.env.BENCH_PROFILE ? new (await import('node:inspector/promises')).Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  await profiler.post('Profiler.start');
}
process.stdout.write(`${JSON.stringify({ port, groupId: group.id, token, cookie, scopedCookie, ids, sampleName: `user${Math.floor(USERS / 2)}@example.com` })}\n`);

const stop = async () => {
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
  }
  await app.close();
  await platform.jobs.stop();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
