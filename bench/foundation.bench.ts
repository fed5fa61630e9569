// Foundation figures (issue 2, Performance): cold start of `npm start` to /ready on a fresh PGlite
// data folder and the server's peak memory; GET /health and an authenticated GET /api/auth/me with
// autocannon, side by side with a bare node:http server answering the same JSON. Prints the figures
// and writes bench/results/foundation.json. Nothing here passes or fails on time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { peakRssMb } from './process-cpu.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 10;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The process and all its descendants (npm → sh → tsx → node). */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** The largest process of the tree (the server itself, under npm and tsx) and its peak RSS (VmHWM) in MB. */
function serverProcess(pid: number): { pid: number; peakRssMb: number } {
  let best = { pid, peakRssMb: 0 };
  for (const p of tree(pid)) {
    const peak = peakRssMb(p); // undefined: gone
    if (peak !== undefined && peak > best.peakRssMb) best = { pid: p, peakRssMb: peak };
  }
  return best;
}

function summary(r: Result) {
  return { reqPerSec: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

async function load(url: string, headers: Record<string, string> = {}) {
  return summary(await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers }));
}

const BARE = `
const http = require('node:http');
const bodies = JSON.parse(process.env.BODIES);
http.createServer((req, res) => {
  const body = bodies[req.url];
  if (!body) { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\\n'));
`;

async function main() {
  const loadBefore = +os.loadavg()[0]!.toFixed(1); // other work on the machine skews every figure
  const children: ChildProcess[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-bench-'));
  try {
    // The web app is built once by `npm start` when stale; build it first so the cold start below
    // measures the server (the build time is reported separately).
    const buildStarted = Date.now();
    const build = spawnSync('node', ['scripts/build-web-if-needed.mjs'], { cwd: root, stdio: 'inherit' });
    const webBuild = { seconds: +((Date.now() - buildStarted) / 1000).toFixed(1), ok: build.status === 0 };
    const command = webBuild.ok ? ['npm', 'start'] : [path.join(root, 'node_modules/.bin/tsx'), 'src/main.ts'];

    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000' };
    delete env.DATABASE_URL;
    delete env.SEED_DEMO;
    const started = Date.now();
    const server = spawn(command[0]!, command.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    children.push(server);
    let stdout = '';
    server.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await until('/ready', 180_000, async () => {
      if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200 ? true : undefined;
      } catch {
        return undefined;
      }
    });
    const coldStartSeconds = +((Date.now() - started) / 1000).toFixed(2);
    const rssAtReadyMb = serverProcess(server.pid!).peakRssMb;

    // Sign in as the demo owner printed on first start.
    const email = /email:\s+(\S+)/.exec(stdout)?.[1];
    const password = /password:\s+(\S+)/.exec(stdout)?.[1];
    if (!email || !password) throw new Error('the demo owner sign-in was not printed');
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const auth = { cookie };
    const meBody = await (await fetch(`http://127.0.0.1:${port}/api/auth/me`, { headers: auth })).text();
    const healthBody = await (await fetch(`http://127.0.0.1:${port}/health`)).text();

    const barePort = await freePort();
    const bare = spawn(process.execPath, ['-e', BARE], {
      env: { ...process.env, PORT: String(barePort), BODIES: JSON.stringify({ '/health': healthBody, '/api/auth/me': meBody }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(bare);
    await new Promise<void>((r) => bare.stdout!.once('data', () => r()));

    const threshold = { health: await load(`http://127.0.0.1:${port}/health`), me: await load(`http://127.0.0.1:${port}/api/auth/me`, auth) };
    const bareHttp = { health: await load(`http://127.0.0.1:${barePort}/health`), me: await load(`http://127.0.0.1:${barePort}/api/auth/me`) };
    const { pid: serverPid, peakRssMb } = serverProcess(server.pid!);

    // SIGTERM to the server process itself (as a supervisor would); npm then exits with its code.
    process.kill(serverPid, 'SIGTERM');
    const shutdownStarted = Date.now();
    const exitCode = await new Promise<number | null>((r) => (server.exitCode !== null ? r(server.exitCode) : server.on('exit', (c) => r(c))));
    const shutdownSeconds = +((Date.now() - shutdownStarted) / 1000).toFixed(2);

    const result = {
      at: new Date().toISOString(),
      machine: { loadAverage1mBefore: loadBefore, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      settings: { durationSeconds: DURATION, connections: CONNECTIONS, logLevel: 'warn', database: 'pglite', seedDemo: true, rateLimit: 'on (database store, limit set out of reach)' },
      coldStart: { command: command.join(' '), seconds: coldStartSeconds, webBuild, rssAtReadyMb, note: 'fresh data folder: migrations, job schema and demo seed included' },
      peakRssMb,
      shutdown: { seconds: shutdownSeconds, exitCode },
      throughput: {
        'GET /health': { threshold: threshold.health, bareNodeHttp: bareHttp.health },
        'GET /api/auth/me (session cookie)': { threshold: threshold.me, bareNodeHttp: bareHttp.me },
      },
    };
    const outDir = path.join(root, 'bench/results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'foundation.json'), JSON.stringify(result, null, 2) + '\n');

    console.log(`cold start (${result.coldStart.command}) to /ready: ${coldStartSeconds} s; RSS at ready ${rssAtReadyMb} MB; peak RSS ${peakRssMb} MB`);
    console.log(`shutdown on SIGTERM: ${shutdownSeconds} s, exit ${exitCode}`);
    console.log(`\n${'route'.padEnd(36)} ${'threshold req/s'.padStart(16)} ${'p99 ms'.padStart(8)} ${'bare req/s'.padStart(12)} ${'p99 ms'.padStart(8)}`);
    for (const [route, r] of Object.entries(result.throughput)) {
      console.log(`${route.padEnd(36)} ${String(r.threshold.reqPerSec).padStart(16)} ${String(r.threshold.p99Ms).padStart(8)} ${String(r.bareNodeHttp.reqPerSec).padStart(12)} ${String(r.bareNodeHttp.p99Ms).padStart(8)}`);
      if (r.threshold.non2xx || r.threshold.errors) console.log(`  (threshold: ${r.threshold.non2xx} non-2xx, ${r.threshold.errors} errors)`);
    }
    console.log('\nwrote bench/results/foundation.json');
  } finally {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(c === children[0] ? -c.pid! : c.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
