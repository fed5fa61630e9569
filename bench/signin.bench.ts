// Sign-in figures (issue 3, Performance): kiosk name search over 5,000 members (p50/p99 of single
// searches, typed prefixes, surnames and typos) and kiosk sign-in through a 5-check safety check with
// 10 concurrent kiosks (req/s and p99), beside a bare node:http server answering the same JSON.
// The data is made in this process on a fresh PGlite folder, then the server runs as its own
// process on it. Prints the figures and writes bench/results/signin.json; never passes or fails on time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import autocannon, { type Options, type Result } from 'autocannon';
import { loadConfig } from '../src/config.js';
import { createPlatform } from '../src/platform/bootstrap.js';
import { createLogger } from '../src/platform/logger.js';
import { runMigrations } from '../src/platform/db/migrate.js';
import { installJobSchema } from '../src/platform/jobs/pgboss.js';
import { createAccountsService } from '../src/contexts/accounts/index.js';
import { composeContexts } from '../src/contexts/compose.js';
import { members } from '../src/contexts/signin/signin.tables.js';
import { systemActor } from '../src/platform/audit/audit.js';
import { searchQuery } from '../src/contexts/signin/kiosk/kiosk.search.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const KIOSKS = 10;
const MEMBERS = 5000;
const SEARCHES = 400;

const FIRST = ['Amelia', 'Oliver', 'Priya', 'Daniel', 'Sophie', 'Liam', 'Hannah', 'Mohammed', 'Grace', 'Noah', 'Isla', 'Jacob', 'Freya', 'Leo', 'Ava', 'Arthur', 'Maya', 'Oscar', 'Zara', 'Henry', 'Chloe', 'Ethan', 'Ruby', 'Lucas', 'Emily'];
const LAST = ['Hughes', 'Bennett', 'Sharma', 'Okafor', 'Reyes', 'OConnor', 'Kowalski', 'Ali', 'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Thomas', 'Roberts', 'Khan', 'Patel', 'Walker', 'Wright', 'Robinson', 'Thompson', 'White', 'Green', 'Hall', 'Wood', 'Clarke', 'Jackson', 'Harris'];

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pct = (sorted: number[], p: number) => +sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2);
const summary = (r: Result) => ({ reqPerSec: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors });

async function setUp(dataDir: string) {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_DEMO: 'false' });
  const platform = await createPlatform(config, { log: createLogger('silent') });
  try {
    await runMigrations(platform.database);
    await installJobSchema(platform.database, platform.log);
    const { tenant, owner } = await createAccountsService(platform).createTenant({ name: 'Bench School', ownerEmail: 'owner@bench.test', ownerPassword: 'a long bench password' });
    const s = composeContexts(platform).signin;
    const site = await s.sites.create(tenant.id, { name: 'Bench Site', timezone: 'Europe/London' }, systemActor);
    const staff = await s.groups.create(tenant.id, { name: 'Staff', type: 'repeat' }, systemActor);
    // A visitors group whose sign-in runs all five built-in checks: a custom field with a rejecting
    // answer, the agreement, the block list (with entries), and the member checks (visitors pass).
    const visitors = await s.groups.create(
      tenant.id,
      {
        name: 'Visitors',
        type: 'standard',
        contactIds: [owner.id],
        options: {
          safetyCheckMode: 'reject',
          customFields: [
            { id: 'unwell', label: 'Unwell?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Stay home' } },
            { id: 'car', label: 'Car registration', type: 'text', required: false },
          ],
          agreement: { text: 'I will wear my badge.' },
        },
      },
      systemActor,
    );
    await s.sites.setGroups(tenant.id, null, site.id, [staff.id, visitors.id], systemActor);
    for (let i = 0; i < 50; i++) await s.blocks.create(tenant.id, { fullName: `Blocked Person ${i}`, email: `blocked${i}@example.org` }, systemActor);
    const rows = Array.from({ length: MEMBERS }, (_, i) => ({
      tenantId: tenant.id,
      groupId: staff.id,
      fullName: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`,
      role: 'Staff',
      qrToken: `thr_qr_bench_${i}`,
    }));
    for (let i = 0; i < rows.length; i += 500) await platform.db.insert(members).values(rows.slice(i, i + 500));
    await platform.db.execute(sql`ANALYZE members`);
    const tokens: string[] = [];
    for (let i = 0; i < KIOSKS; i++) {
      const { code } = await s.kiosk.createPairing(tenant.id, null, site.id, systemActor);
      tokens.push((await s.kiosk.pair(code, `Kiosk ${i}`, `10.0.0.${i}`)).deviceToken);
    }
    // The search is one statement with no settings of its own before it (decision 030).
    const plan = (await platform.db.execute(sql`EXPLAIN ${searchQuery(tenant.id, staff.id, 'sha', null, 20)}`)) as unknown as { rows: Array<Record<string, string>> };
    return { staffId: staff.id, visitorsId: visitors.id, tokens, plan: plan.rows.map((r) => Object.values(r)[0]!) };
  } finally {
    await platform.jobs.stop();
    await platform.database.close();
  }
}

const BARE = `
const http = require('node:http');
const bodies = JSON.parse(process.env.BODIES);
http.createServer((req, res) => {
  let n = 0; req.on('data', (c) => (n += c.length)); req.on('end', () => {
    const body = bodies[req.url.split('?')[0]];
    if (!body) { res.writeHead(404); return res.end(); }
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\\n'));
`;

async function main() {
  const loadBefore = +os.loadavg()[0]!.toFixed(1);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-bench-signin-'));
  const children: ChildProcess[] = [];
  try {
    const setupStarted = Date.now();
    const data = await setUp(dataDir);
    const setupSeconds = +((Date.now() - setupStarted) / 1000).toFixed(1);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000', SEED_DEMO: 'false', WORKER: 'off' };
    delete env.DATABASE_URL;
    const server = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/main.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
    children.push(server);
    const base = `http://127.0.0.1:${port}`;
    await until('/ready', 180_000, async () => {
      if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
      return fetch(`${base}/ready`).then((r) => r.status === 200, () => false);
    });
    const auth = (i: number) => ({ authorization: `Bearer ${data.tokens[i % KIOSKS]}` });

    // Search: one kiosk typing, one query at a time (what a person waits for).
    const queries = Array.from({ length: SEARCHES }, (_, i) => {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[(i * 7) % LAST.length]!;
      return [first.slice(0, 2), first.slice(0, 4), last.slice(0, 3), `${first} ${last.slice(0, 2)}`, `${last.slice(0, 1)}${last.slice(2)}` /* a typo */][i % 5]!;
    });
    for (const q of queries.slice(0, 20)) await fetch(`${base}/api/kiosk/search?groupId=${data.staffId}&q=${encodeURIComponent(q)}`, { headers: auth(0) });
    const times: number[] = [];
    let hits = 0;
    for (const q of queries) {
      const t0 = performance.now();
      const r = await fetch(`${base}/api/kiosk/search?groupId=${data.staffId}&q=${encodeURIComponent(q)}`, { headers: auth(0) });
      const body = (await r.json()) as { items: unknown[] };
      times.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`search failed: ${r.status}`);
      if (body.items.length > 0) hits++;
    }
    times.sort((a, b) => a - b);
    const search = { members: MEMBERS, queries: SEARCHES, withResults: hits, p50Ms: pct(times, 50), p99Ms: pct(times, 99), maxMs: +times.at(-1)!.toFixed(2) };
    const searchLoad = summary(await autocannon({ url: `${base}/api/kiosk/search?groupId=${data.staffId}&q=sha`, connections: KIOSKS, duration: DURATION, headers: auth(0) }));

    // Sign-in: 10 kiosks at once, visitors through the five checks (all pass, so each is a new visit).
    const body = JSON.stringify({ groupId: data.visitorsId, visitor: { fullName: 'Bench Visitor', company: 'ACME' }, answers: { unwell: 'no', car: 'AB12 CDE' }, agreementAccepted: true });
    const sample = await fetch(`${base}/api/kiosk/sign-in`, { method: 'POST', headers: { ...auth(0), 'content-type': 'application/json' }, body });
    if (sample.status !== 201) throw new Error(`sign-in failed: ${sample.status} ${await sample.text()}`);
    const sampleBody = await sample.text();
    let n = 0;
    const signInOpts = {
      url: `${base}/api/kiosk/sign-in`,
      connections: KIOSKS,
      duration: DURATION,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      requests: [{ setupRequest: (req: { headers: Record<string, string> }) => ({ ...req, headers: { ...req.headers, ...auth(n++) } }) }],
    } as Options;
    const signIn = summary(await autocannon(signInOpts));

    const barePort = await freePort();
    const bare = spawn(process.execPath, ['-e', BARE], { env: { ...process.env, PORT: String(barePort), BODIES: JSON.stringify({ '/api/kiosk/sign-in': sampleBody, '/api/kiosk/search': JSON.stringify({ items: [] }) }) }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(bare);
    await new Promise<void>((r) => bare.stdout!.once('data', () => r()));
    const bareSignIn = summary(await autocannon({ url: `http://127.0.0.1:${barePort}/api/kiosk/sign-in`, connections: KIOSKS, duration: DURATION, method: 'POST', headers: { 'content-type': 'application/json' }, body } as Options));
    const bareSearch = summary(await autocannon({ url: `http://127.0.0.1:${barePort}/api/kiosk/search?q=sha`, connections: KIOSKS, duration: DURATION }));

    const result = {
      at: new Date().toISOString(),
      machine: { loadAverage1mBefore: loadBefore, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
      settings: { durationSeconds: DURATION, kiosks: KIOSKS, database: 'pglite', worker: 'off', setupSeconds },
      search: { ...search, plan: data.plan, underLoad: { threshold: searchLoad, bareNodeHttp: bareSearch } },
      signIn: { checks: ['custom_fields', 'agreement', 'block_list (50 entries)', 'member_active', 'member_dates'], threshold: signIn, bareNodeHttp: bareSignIn },
    };
    const outDir = path.join(root, 'bench/results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'signin.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(`kiosk search over ${MEMBERS} members, ${SEARCHES} single searches: p50 ${search.p50Ms} ms, p99 ${search.p99Ms} ms, max ${search.maxMs} ms (${hits} with results)`);
    console.log(`plan: ${data.plan.filter((l) => /Scan/.test(l)).map((l) => l.trim()).join(' | ')}`);
    console.log(`\n${'route'.padEnd(40)} ${'threshold req/s'.padStart(16)} ${'p99 ms'.padStart(8)} ${'bare req/s'.padStart(12)} ${'p99 ms'.padStart(8)}`);
    for (const [route, t, b] of [
      [`GET /api/kiosk/search (${KIOSKS} conns)`, searchLoad, bareSearch],
      [`POST /api/kiosk/sign-in (${KIOSKS} kiosks)`, signIn, bareSignIn],
    ] as const) {
      console.log(`${route.padEnd(40)} ${String(t.reqPerSec).padStart(16)} ${String(t.p99Ms).padStart(8)} ${String(b.reqPerSec).padStart(12)} ${String(b.p99Ms).padStart(8)}`);
      if (t.non2xx || t.errors) console.log(`  (threshold: ${t.non2xx} non-2xx, ${t.errors} errors)`);
    }
    console.log('\nwrote bench/results/signin.json');
  } finally {
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      try {
        process.kill(c === children[0] ? -c.pid! : c.pid!, 'SIGKILL'); // the server runs under tsx: kill its process group
      } catch {
        /* gone */
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
