// Threshold beside the yardstick (issue 11): ../shared/peers/limit/server.mjs (bare node:http + one
// raw `pg` statement per request) and Threshold, each in its own process, on the same PostgreSQL
// server in one run, loaded in turn by autocannon from this process. Prints, per goal, Threshold's
// req/s and p99, the limit's, and the ratio; non-2xx answers and connection errors are counted
// apart. Then the same SCIM reads on PGlite (Threshold in its own process on a fresh PGlite folder,
// the same users; BENCH_PGLITE=0 skips them, BENCH_PGLITE_PROFILE=<file> profiles them) beside the
// issue's PGlite figures of 2026-11-22 (goal: 5× each). Writes bench/results/limit.json and
// limit.svg, the ratios of the first run, the one before decision 025 and this one as a chart
// (bench/chart.ts). Nothing passes or fails on time.
//
// Needs PostgreSQL: BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (a database
// `<name>_limit_bench` is made afresh on that server). BENCH_SECONDS (5), BENCH_USERS (1000),
// BENCH_CONNECTIONS (10). BENCH_CPU_PROF=1 starts Threshold with `--cpu-prof` (profiles land in
// bench/results/profiles/, git-ignored) and BENCH_PROFILE=<file> writes a profile of the load
// alone (not the set-up) there. BENCH_ONLY=<regexp> runs only the goals whose name matches it. Threshold runs compiled (build/, as `npm start` runs it);
// BENCH_TSX=1 runs it from src/ through tsx instead. Beside req/s, each row gives the CPU time each
// request cost each server's process (/proc/<pid>/stat before and after the run): the figure the
// shared machine's load does not distort; when PostgreSQL runs on this machine (its /proc readable), a
// line under it gives what each request cost PostgreSQL's backends for the bench's database.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import autocannonLib, { type Result } from 'autocannon';
import { firstLine, freePort, limitServer } from './limit-peer.js';
import { writeLimitChart } from './chart.js';
import { compiledServe, cpuMs, peakRssMb, perRequest, postgresCpuMs, postgresCpuSpent, serverNodeFlags } from './process-cpu.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

type Req = { method?: string; path?: string; body?: string; headers?: Record<string, string>; setupRequest?: (req: Req) => Req };
type Options = { url: string; connections: number; duration: number; headers?: Record<string, string>; requests?: Req[] };
const autocannon = autocannonLib as unknown as (o: Options) => Promise<Result>;
type Figures = { reqPerSec: number; p50Ms: number; p99Ms: number; requests: number; non2xx: number; errors: number; timeouts: number; cpuMsPerRequest: number | null; pgCpuMsPerRequest: number | null };
const figures = (r: Result, cpu: { before?: number; after?: number }, pgCpuSpent: number | undefined): Figures => ({
  reqPerSec: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  requests: r.requests.total,
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
  cpuMsPerRequest: perRequest(cpu.before, cpu.after, r.requests.total),
  pgCpuMsPerRequest: perRequest(0, pgCpuSpent, r.requests.total),
});
/** autocannon's figures for one run, with the CPU the server's process and (when local) PostgreSQL's backends for `database` spent meanwhile. */
async function load(pid: number | undefined, database: string, o: Options): Promise<Figures> {
  const before = cpuMs(pid);
  const pgBefore = postgresCpuMs(database);
  const r = await autocannon(o);
  return figures(r, { before, after: cpuMs(pid) }, postgresCpuSpent(pgBefore, postgresCpuMs(database)));
}

async function freshDatabase(url: string): Promise<string> {
  const base = new URL(url);
  const name = `${base.pathname.slice(1) || 'postgres'}_limit_bench`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  base.pathname = `/${name}`;
  return base.toString();
}

function user(i: number) {
  const userName = `post${i}-${Date.now()}@bench.example`;
  return JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'Bench', familyName: `P${i}` }, emails: [{ value: userName, type: 'work', primary: true }], active: true });
}
/**
 * The n-th PATCH of a run over `users` users: active false on the first pass over them, true on
 * the next, and so on, so every request changes its user (a PATCH that sets what is already there
 * writes nothing in Threshold, and would make a fast run look cheaper than a slow one).
 */
const patchBody = (n: number, users: number) => JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: Math.floor(n / users) % 2 === 1 } }] });

/**
 * Whether the limit server's PATCH, and the PATCH peer's, write: each is sent PATCH active false
 * for one of the limit's users (set active true first), and the row is read back after each.
 */
async function limitPatchWrites(limitPort: number, peerPort: number, dbUrl: string, id: string): Promise<{ limit: boolean; peer: boolean; after: unknown }> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const active = async () => (await c.query<{ a: unknown }>(`select body->'active' as a from limit_users where id = $1`, [id])).rows[0]?.a;
    const patch = (port: number) =>
      fetch(`http://127.0.0.1:${port}/Users/${id}`, { method: 'PATCH', headers: { authorization: 'Bearer t', 'content-type': 'application/scim+json' }, body: patchBody(0, 1) }).then((r) => r.text());
    await c.query(`update limit_users set body = jsonb_set(body, '{active}', 'true') where id = $1`, [id]);
    await patch(limitPort);
    const after = await active();
    await c.query(`update limit_users set body = jsonb_set(body, '{active}', 'true') where id = $1`, [id]);
    await patch(peerPort);
    const peer = (await active()) === false;
    return { limit: after === false, peer, after };
  } finally {
    await c.end();
  }
}

async function main() {
  const pgUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (!pgUrl) {
    console.log('limit bench: SKIPPED (set BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL to a PostgreSQL server)');
    return;
  }
  const loadBefore = os.loadavg().map((l) => +l.toFixed(1));
  const dbUrl = await freshDatabase(pgUrl);
  const dbName = new URL(dbUrl).pathname.slice(1);
  const children: ChildProcess[] = [];
  try {
    const limitPort = await freePort();
    const limit = spawn(process.execPath, [limitServer()], { cwd: root, env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(limitPort), TOKEN: 't', SEED: String(USERS) }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(limit);
    await firstLine(limit, 'the limit server');
    // The limit's PATCH branch alone (bench/limit-write-peer.mjs): the limit server's own PATCH
    // answers with a read (see `limitPatchWrites`), so a write is also measured against a write.
    const writePeerPort = await freePort();
    const writePeer = spawn(process.execPath, [path.join(root, 'bench/limit-write-peer.mjs')], { cwd: root, env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(writePeerPort), TOKEN: 't' }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(writePeer);
    await firstLine(writePeer, "the limit's PATCH peer");

    const profDir = path.join(root, 'bench/results/profiles');
    // Node's flags as `npm start` gives them (package.json), then the bench's own.
    const nodeArgs = [...serverNodeFlags(), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    if (process.env.BENCH_CPU_PROF) mkdirSync(profDir, { recursive: true });
    const started = Date.now();
    const tsx = process.env.BENCH_TSX === '1';
    const entry = tsx ? ['--import', 'tsx', 'bench/limit-serve.ts'] : [await compiledServe('limit-serve')];
    // Its log (info: two lines a request, as in production) goes to a file: stdout carries the ready line.
    const logFile = path.join(root, 'bench/results/limit-threshold.log');
    const threshold = spawn(process.execPath, [...nodeArgs, ...entry], { cwd: root, env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: dbUrl, PORT: '0', USERS: String(USERS) }, stdio: ['ignore', 'pipe', openSync(logFile, 'w')] });
    children.push(threshold);
    const info = JSON.parse(await firstLine(threshold, 'Threshold')) as { port: number; groupId: string; token: string; cookie: string; scopedCookie: string; ids: string[]; sampleName: string };
    console.log(`Threshold ready with ${USERS} SCIM users in ${((Date.now() - started) / 1000).toFixed(1)} s; limit server seeded ${USERS} rows`);

    const { rows: limitIds } = await (async () => {
      const c = new pg.Client({ connectionString: dbUrl });
      await c.connect();
      try {
        return await c.query<{ id: string }>('select id from limit_users order by id limit 1000');
      } finally {
        await c.end();
      }
    })();
    const tBase = `/scim/v2/groups/${info.groupId}`;
    const tHeaders = { authorization: `Bearer ${info.token}`, 'content-type': 'application/scim+json' };
    const lHeaders = { authorization: 'Bearer t', 'content-type': 'application/scim+json' };
    const sampleId = info.ids[Math.floor(USERS / 2)]!;
    const limitSample = limitIds[Math.floor(limitIds.length / 2)]!.id;
    const filter = (name: string) => `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`;
    let tPosted = 0;
    let lPosted = 0;
    let tPatched = 0;
    let lPatched = 0;
    const groupsPath = `/api/signin/groups/${info.groupId}/members?limit=50`;

    // Every PATCH changes its user, on either server (`patchBody`); the two PATCH rows share the walk.
    const patch: { threshold: Req; thresholdHeaders: Record<string, string>; limit: Req } = {
      threshold: { method: 'PATCH', path: `${tBase}/Users/${sampleId}`, setupRequest: (r) => {
        const n = tPatched++;
        return { ...r, path: `${tBase}/Users/${info.ids[n % info.ids.length]}`, body: patchBody(n, info.ids.length) };
      } },
      thresholdHeaders: tHeaders,
      limit: { method: 'PATCH', path: `/Users/${limitSample}`, setupRequest: (r) => {
        const n = lPatched++;
        return { ...r, path: `/Users/${limitIds[n % limitIds.length]!.id}`, body: patchBody(n, limitIds.length) };
      } },
    };
    // goal name → [Threshold request, limit request, goal ratio]
    const goals: Array<{ name: string; threshold: Req; thresholdHeaders: Record<string, string>; limit: Req; goal: number; peer?: { port: number; pid: number | undefined; what: string } }> = [
      { name: 'SCIM GET /Users?filter=userName eq', threshold: { method: 'GET', path: `${tBase}${filter(info.sampleName)}` }, thresholdHeaders: tHeaders, limit: { method: 'GET', path: filter(info.sampleName) }, goal: 0.5 },
      { name: 'SCIM GET /Users/{id}', threshold: { method: 'GET', path: `${tBase}/Users/${sampleId}` }, thresholdHeaders: tHeaders, limit: { method: 'GET', path: `/Users/${limitSample}` }, goal: 0.5 },
      { name: 'SCIM GET /Users?startIndex=1&count=100', threshold: { method: 'GET', path: `${tBase}/Users?startIndex=1&count=100` }, thresholdHeaders: tHeaders, limit: { method: 'GET', path: '/Users?startIndex=1&count=100' }, goal: 0.5 },
      {
        name: 'SCIM POST /Users (new userName)',
        threshold: { method: 'POST', path: `${tBase}/Users`, setupRequest: (r) => ({ ...r, body: user(tPosted++) }) },
        thresholdHeaders: tHeaders,
        limit: { method: 'POST', path: '/Users', setupRequest: (r) => ({ ...r, body: user(lPosted++) }) },
        goal: 0.35,
      },
      { name: 'SCIM PATCH /Users/{id} active=false (then true)', ...patch, goal: 0.35 },
      { name: "SCIM PATCH /Users/{id} vs the limit's PATCH statement", ...patch, goal: 0.35, peer: { port: writePeerPort, pid: writePeer.pid, what: "bench/limit-write-peer.mjs: the limit server's PATCH branch alone, which its own routing never reaches" } },
      { name: 'portal GET /api/auth/me (vs limit get-by-id)', threshold: { method: 'GET', path: '/api/auth/me' }, thresholdHeaders: { cookie: info.cookie }, limit: { method: 'GET', path: `/Users/${limitSample}` }, goal: 0.5 },
      { name: 'portal members page of 50 (vs limit get-by-id)', threshold: { method: 'GET', path: groupsPath }, thresholdHeaders: { cookie: info.cookie }, limit: { method: 'GET', path: `/Users/${limitSample}` }, goal: 0.5 },
      // Not a goal of its own: the same page for a site-scoped admin, whose pages are never kept
      // (decision 047), so each is read from the database: what the page costs when it is not kept.
      { name: 'portal members page, never kept (site admin)', threshold: { method: 'GET', path: groupsPath }, thresholdHeaders: { cookie: info.scopedCookie }, limit: { method: 'GET', path: `/Users/${limitSample}` }, goal: 0 },
    ];

    const results: Record<string, { threshold: Figures; limit: Figures; ratio: number; p99Ratio: number; cpuRatio: number | null; goal: string; met: boolean | null }> = {};
    console.log(`\n${'goal'.padEnd(48)} ${'threshold r/s, p99, CPU/req'.padStart(27)} ${'limit r/s, p99, CPU/req'.padStart(27)} ${'ratio'.padStart(6)} ${'CPU×'.padStart(5)}  goal`);
    for (const g of goals.filter((x) => !process.env.BENCH_ONLY || new RegExp(process.env.BENCH_ONLY).test(x.name))) {
      const t = await load(threshold.pid, dbName, { url: `http://127.0.0.1:${info.port}`, connections: CONNECTIONS, duration: DURATION, headers: g.thresholdHeaders, requests: [g.threshold] });
      const l = await load(g.peer?.pid ?? limit.pid, dbName, { url: `http://127.0.0.1:${g.peer?.port ?? limitPort}`, connections: CONNECTIONS, duration: DURATION, headers: lHeaders, requests: [g.limit] });
      const ratio = l.reqPerSec > 0 ? +(t.reqPerSec / l.reqPerSec).toFixed(2) : 0;
      const p99Ratio = l.p99Ms > 0 ? +(t.p99Ms / l.p99Ms).toFixed(2) : 0;
      // How many times the limit's CPU per request Threshold spends (1 / this is the ratio an idle machine would allow).
      const cpuRatio = t.cpuMsPerRequest && l.cpuMsPerRequest ? +(t.cpuMsPerRequest / l.cpuMsPerRequest).toFixed(1) : null;
      results[g.name] = { threshold: t, limit: l, ratio, p99Ratio, cpuRatio, goal: g.goal ? `≥ ${g.goal * 100}% of the limit's req/s` : 'none (shown beside the goal above it)', met: g.goal ? ratio >= g.goal : null, ...(g.peer ? { yardstick: g.peer.what } : {}) };
      const cell = (f: Figures) => `${String(f.reqPerSec).padStart(6)} r/s ${String(f.p99Ms).padStart(4)} ms ${String(f.cpuMsPerRequest ?? '?').padStart(5)} ms`;
      console.log(`${g.name.padEnd(48)} ${cell(t)} ${cell(l)} ${String(ratio).padStart(6)} ${String(cpuRatio ?? '?').padStart(5)}  ${g.goal ? `≥ ${g.goal}${ratio >= g.goal ? ' met' : ''}` : '(no goal)'}`);
      for (const [who, f] of [['threshold', t], ['limit', l]] as const) {
        if (f.non2xx || f.errors || f.timeouts) console.log(`  ${who}: ${f.non2xx} non-2xx answers, ${f.errors} errors, ${f.timeouts} timeouts (of ${f.requests})`);
      }
      if (t.pgCpuMsPerRequest !== null || l.pgCpuMsPerRequest !== null) console.log(`  PostgreSQL's CPU per request (its backends for this database): Threshold ${t.pgCpuMsPerRequest ?? '?'} ms, limit ${l.pgCpuMsPerRequest ?? '?'} ms`);
    }

    const thresholdPeakRssMb = peakRssMb(threshold.pid);
    console.log(`\nThreshold's peak resident memory (PostgreSQL, after the goals above): ${thresholdPeakRssMb ?? '?'} MB; its Node.js flags: ${nodeArgs.join(' ') || 'none'}`);
    const limitWrites = await limitPatchWrites(limitPort, writePeerPort, dbUrl, limitSample);
    console.log(
      limitWrites.limit
        ? "\nThe limit server's PATCH wrote its row."
        : `\nThe limit server's PATCH wrote nothing (its row still says active ${limitWrites.after} after PATCH active false): its \`/Users/{id}\` branch answers every method with the get by id's SELECT, so its PATCH row compares Threshold's write with the limit's read. The row after it loads its PATCH statement alone (bench/limit-write-peer.mjs${limitWrites.peer ? ', which did write' : ', which did NOT write either'}).`,
    );

    // PGlite (the embedded default, in Threshold's own process): the same SCIM reads, beside the
    // issue's figures of 2026-11-22 (in-process bench, 10,000 users): the goal is 5× each.
    const pglite: Record<string, Figures & { goalReqPerSec: number; met: boolean }> = {};
    const pgliteGoals = [
      { name: 'PGlite SCIM GET /Users?filter=userName eq', before: 76, path: (b: string, i: typeof info) => `${b}${filter(i.sampleName)}` },
      { name: 'PGlite SCIM GET /Users/{id}', before: 185, path: (b: string, i: typeof info) => `${b}/Users/${i.ids[Math.floor(i.ids.length / 2)]}` },
      { name: 'PGlite SCIM GET /Users?startIndex=1&count=100', before: 59, path: (b: string) => `${b}/Users?startIndex=1&count=100` },
    ].filter((g) => process.env.BENCH_PGLITE !== '0' && (!process.env.BENCH_ONLY || new RegExp(process.env.BENCH_ONLY).test(g.name)));
    if (pgliteGoals.length > 0) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'threshold-limit-pglite-'));
      const pgStarted = Date.now();
      const onPglite = spawn(process.execPath, [...nodeArgs, ...entry], {
        cwd: root,
        env: { ...process.env, NODE_ENV: 'production', PGLITE_DIR: dir, BENCH_PROFILE: process.env.BENCH_PGLITE_PROFILE ?? '', PORT: '0', USERS: String(USERS) },
        stdio: ['ignore', 'pipe', openSync(path.join(root, 'bench/results/limit-threshold-pglite.log'), 'w')],
      });
      children.push(onPglite);
      const pInfo = JSON.parse(await firstLine(onPglite, 'Threshold on PGlite')) as typeof info;
      console.log(`\nThreshold on PGlite ready with ${USERS} SCIM users in ${((Date.now() - pgStarted) / 1000).toFixed(1)} s`);
      const pBase = `/scim/v2/groups/${pInfo.groupId}`;
      for (const g of pgliteGoals) {
        const f = await load(onPglite.pid, '(PGlite: in the process)', { url: `http://127.0.0.1:${pInfo.port}`, connections: CONNECTIONS, duration: DURATION, headers: { authorization: `Bearer ${pInfo.token}` }, requests: [{ method: 'GET', path: g.path(pBase, pInfo) }] });
        const goalReqPerSec = g.before * 5;
        pglite[g.name] = { ...f, goalReqPerSec, met: f.reqPerSec >= goalReqPerSec };
        console.log(`${g.name.padEnd(48)} ${String(f.reqPerSec).padStart(6)} r/s ${String(f.p99Ms).padStart(4)} ms ${String(f.cpuMsPerRequest ?? '?').padStart(5)} ms   (was ${g.before} r/s) ≥ ${goalReqPerSec} r/s${f.reqPerSec >= goalReqPerSec ? ' met' : ''}`);
        if (f.non2xx || f.errors || f.timeouts) console.log(`  ${f.non2xx} non-2xx answers, ${f.errors} errors, ${f.timeouts} timeouts (of ${f.requests})`);
      }
      onPglite.kill('SIGTERM');
      await new Promise((r) => onPglite.on('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }

    const out = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg().map((l) => +l.toFixed(1)) },
      settings: { database: 'postgres', users: USERS, durationSeconds: DURATION, connections: CONNECTIONS, threshold: `own process (${tsx ? 'tsx, src/' : 'compiled, build/'}), rate limits raised out of reach`, thresholdNodeFlags: nodeArgs, limit: 'own process, ../shared/peers/limit/server.mjs' },
      thresholdPeakRssMb,
      goals: results,
      limitPatchWrites: limitWrites,
      pglite: { note: 'Threshold on PGlite in its own process (compiled), the same users; goal: 5× the figures of 2026-11-22', goals: pglite },
    };
    const dir = path.join(root, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'limit.json'), `${JSON.stringify(out, null, 2)}\n`);
    writeLimitChart(dir, (f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined), (f, text) => writeFileSync(f, text));
    console.log(`\nload average before ${loadBefore.join(' ')}, after ${out.machine.loadAverageAfter.join(' ')}; wrote bench/results/limit.json and limit.svg (the ratios as a chart)`);
  } finally {
    for (const c of children.reverse()) {
      if (c.exitCode === null) {
        c.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            c.kill('SIGKILL');
            r(undefined);
          }, 10_000);
          c.on('exit', () => {
            clearTimeout(t);
            r(undefined);
          });
        });
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
