// The yardstick both limit.bench.ts and kiosk.bench.ts run beside Threshold:
// ../shared/peers/limit/server.mjs (bare node:http + one raw `pg` statement per request), started
// in its own process on the bench's database, and autocannon's figures as every bench prints them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import autocannonLib, { type Result } from 'autocannon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type Req = { method?: string; path?: string; body?: string; headers?: Record<string, string>; setupRequest?: (req: Req) => Req };
type Options = { url: string; connections: number; duration: number; headers?: Record<string, string>; requests?: Req[]; connectionRate?: number };
export const autocannon = autocannonLib as unknown as (o: Options) => Promise<Result>;

export type Figures = { reqPerSec: number; p50Ms: number; p99Ms: number; requests: number; non2xx: number; errors: number; timeouts: number };
export const figures = (r: Result): Figures => ({
  reqPerSec: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  requests: r.requests.total,
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
});

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** The child's first line on stdout (a server's "ready" line); rejects if it exits first. */
export function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready`)));
  });
}

/** The limit server lives in ../shared beside the project (the main checkout) or further up (a worktree). */
export function limitServer(): string {
  const candidates = [process.env.LIMIT_SERVER, path.resolve(root, '../shared/peers/limit/server.mjs'), path.resolve(root, '../../shared/peers/limit/server.mjs')];
  const found = candidates.find((c): c is string => Boolean(c && existsSync(c)));
  if (!found) throw new Error('../shared/peers/limit/server.mjs not found (set LIMIT_SERVER)');
  return found;
}

/**
 * Starts the limit server on `dbUrl` with `seed` rows (its bearer token is `t`) and waits until it
 * is ready; `ids` are the first 1,000 of its users' ids, for get-by-id requests. The caller stops
 * `child` when done.
 */
export async function startLimit(dbUrl: string, seed: number): Promise<{ child: ChildProcess; port: number; ids: string[] }> {
  const port = await freePort();
  const child = spawn(process.execPath, [limitServer()], { cwd: root, env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), TOKEN: 't', SEED: String(seed) }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await firstLine(child, 'the limit server');
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ id: string }>('select id from limit_users order by id limit 1000');
      return { child, port, ids: rows.map((r) => r.id) };
    } finally {
      await c.end();
    }
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
}

/** Loads the limit's get-by-id (`GET /Users/{id}`, walking `ids`) as a bench loads Threshold. */
export async function measureLimitGetById(limit: { port: number; ids: readonly string[] }, connections: number, duration: number): Promise<Figures> {
  let picked = 0;
  return figures(
    await autocannon({
      url: `http://127.0.0.1:${limit.port}`,
      connections,
      duration,
      headers: { authorization: 'Bearer t' },
      requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/Users/${limit.ids[picked++ % limit.ids.length]}` }) }],
    }),
  );
}
