// Offline kiosk figures (issue 15): a kiosk's queue of 500 offline events (250 members signing in,
// then the same 250 signing out, with answers) replayed through POST /api/kiosk/replay in batches of
// 200, as the kiosk sends them; then the same 500 again (all duplicates, the "response was lost"
// case). In-process server (app.inject). Target: 500 events in ≤ 5 s.
//
// On PostgreSQL when BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL is set (a database
// `<name>_offline_bench` is made afresh), else on a fresh PGlite folder. Beside the wall time (which
// the machine's load moves), two figures the load does not: the statements sent per event (every
// statement through the database adapter, the kiosk's authentication included), and on a local
// PostgreSQL the CPU time its server processes spent per event (from /proc, the backends of the
// bench's database). Prints the figures and writes bench/results/offline.json (offline-pglite.json
// on PGlite); never passes or fails on time.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/app.js';
import { createPlatform } from '../src/platform/bootstrap.js';
import { createLogger } from '../src/platform/logger.js';
import { openDatabase } from '../src/platform/db/database.js';
import { runMigrations } from '../src/platform/db/migrate.js';
import { installJobSchema } from '../src/platform/jobs/pgboss.js';
import { createAccountsService } from '../src/contexts/accounts/index.js';
import { composeContexts } from '../src/contexts/compose.js';
import { members } from '../src/contexts/signin/signin.tables.js';
import { systemActor } from '../src/platform/audit/audit.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PEOPLE = 250;
const BATCH = 200;

async function admin<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

/**
 * CPU seconds (user + system) each server process of database `dbName` has used so far, by pid
 * (a local server only; null when /proc cannot tell).
 */
async function serverCpuSeconds(url: string, dbName: string): Promise<Map<number, number> | null> {
  const pids = await admin(url, async (c) => (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName])).rows.map((r) => r.pid));
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / 100); // utime, stime (fields 14 and 15 of stat), in USER_HZ
    } catch {
      if (existsSync('/proc/self/stat')) continue; // the process ended meanwhile
      return null;
    }
  }
  return out;
}

/** The CPU the server's processes spent between two samples: per process alive at the end (one that ended, an idle pool connection, is left out). */
function cpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0);
  return sum;
}

async function main() {
  const loadBefore = os.loadavg().map((l) => +l.toFixed(1));
  const pgUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  let dbUrl: string | null = null;
  let dbName = '';
  if (pgUrl) {
    const base = new URL(pgUrl);
    dbName = `${base.pathname.slice(1) || 'postgres'}_offline_bench`;
    await admin(pgUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${dbName}"`);
    });
    base.pathname = `/${dbName}`;
    dbUrl = base.toString();
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-bench-offline-'));
  const config = loadConfig({ DATA_DIR: dataDir, ...(dbUrl ? { DATABASE_URL: dbUrl, SECRET_KEY: 'b'.repeat(64) } : {}), LOG_LEVEL: 'silent', SEED_DEMO: 'false', RATE_LIMIT_PER_MINUTE: '0', WORKER: 'off' });
  let statements = 0;
  const onStatement = () => void statements++;
  const database = dbUrl ? await openDatabase({ kind: 'postgres', url: dbUrl, onStatement }) : await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'db'), onStatement });
  const platform = await createPlatform(config, { log: createLogger('silent'), database });
  try {
    await runMigrations(platform.database);
    await installJobSchema(platform.database, platform.log);
    const app = await buildApp(platform, { logger: false, serveWeb: false });
    const { tenant } = await createAccountsService(platform).createTenant({ name: 'Bench School', ownerEmail: 'owner@bench.test', ownerPassword: 'a long bench password' });
    const s = composeContexts(platform).signin;
    const site = await s.sites.create(tenant.id, { name: 'Bench Site', timezone: 'Europe/London' }, systemActor);
    const staff = await s.groups.create(
      tenant.id,
      { name: 'Staff', type: 'repeat', options: { safetyCheckMode: 'reject', customFields: [{ id: 'car', label: 'Car registration', type: 'text', required: false }] } },
      systemActor,
    );
    await s.sites.setGroups(tenant.id, null, site.id, [staff.id], systemActor);
    const rows = await platform.db
      .insert(members)
      .values(Array.from({ length: PEOPLE }, (_, i) => ({ tenantId: tenant.id, groupId: staff.id, fullName: `Person ${i}`, role: 'Staff', qrToken: `thr_qr_bench_offline_${i}` })))
      .returning({ id: members.id });
    const { code } = await s.kiosk.createPairing(tenant.id, null, site.id, systemActor);
    const token = (await s.kiosk.pair(code, 'Bench kiosk', '10.0.0.1')).deviceToken;

    const start = Date.now() - 3 * 3_600_000;
    const events = [
      ...rows.map((m, i) => ({ key: `ev-${randomUUID()}`, kind: 'sign_in', at: new Date(start + i * 1000).toISOString(), groupId: staff.id, memberId: m.id, answers: { car: `AB${i}` }, admitted: true })),
      ...rows.map((m, i) => ({ key: `ev-${randomUUID()}`, kind: 'sign_out', at: new Date(start + 3_600_000 + i * 1000).toISOString(), memberId: m.id })),
    ];
    async function replayAll() {
      const statementsBefore = statements;
      const cpuBefore = dbUrl ? await serverCpuSeconds(dbUrl, dbName) : null;
      const clientCpuBefore = process.cpuUsage();
      const started = performance.now();
      const statuses: Record<string, number> = {};
      for (let i = 0; i < events.length; i += BATCH) {
        const res = await app.inject({ method: 'POST', url: '/api/kiosk/replay', headers: { authorization: `Bearer ${token}` }, payload: { sentAt: new Date().toISOString(), events: events.slice(i, i + BATCH) } });
        if (res.statusCode !== 200) throw new Error(`replay: ${res.statusCode} ${res.body}`);
        for (const r of res.json().results as Array<{ status: string }>) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
      const seconds = +((performance.now() - started) / 1000).toFixed(2);
      const sent = statements - statementsBefore;
      const clientCpu = process.cpuUsage(clientCpuBefore);
      const cpuAfter = dbUrl ? await serverCpuSeconds(dbUrl, dbName) : null;
      return {
        seconds,
        statuses,
        statements: sent,
        statementsPerEvent: +(sent / events.length).toFixed(2),
        /** The app's own CPU (this process: the app and the bench's client) per event. */
        appCpuMsPerEvent: +((clientCpu.user + clientCpu.system) / 1000 / events.length).toFixed(2),
        /** The PostgreSQL server's CPU per event (its backends for this database), when readable. */
        serverCpuMsPerEvent: ((cpu) => (cpu === null ? null : +((cpu * 1000) / events.length).toFixed(2)))(cpuBetween(cpuBefore, cpuAfter)),
      };
    }
    // How busy the machine is: 1,000 trivial statements on the same database, for comparison.
    const calStart = performance.now();
    for (let i = 0; i < 1000; i++) await platform.db.execute(sql`SELECT 1`);
    const calibrationMsPerStatement = +((performance.now() - calStart) / 1000).toFixed(3);
    const first = await replayAll();
    const again = await replayAll();
    const figures = {
      when: new Date().toISOString(),
      database: database.kind,
      node: process.version,
      loadBefore,
      loadAfter: os.loadavg().map((l) => +l.toFixed(1)),
      calibrationMsPerStatement,
      events: events.length,
      batch: BATCH,
      firstReplay: { ...first, eventsPerSecond: Math.round(events.length / first.seconds) },
      duplicateReplay: { ...again, eventsPerSecond: Math.round(events.length / again.seconds) },
      targetSeconds: 5,
    };
    console.log(JSON.stringify(figures, null, 2));
    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    writeFileSync(path.join(root, `bench/results/${dbUrl ? 'offline' : 'offline-pglite'}.json`), JSON.stringify(figures, null, 2) + '\n');
    await app.close();
  } finally {
    await platform.jobs.stop().catch(() => undefined);
    await platform.database.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    if (pgUrl) await admin(pgUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)).catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
