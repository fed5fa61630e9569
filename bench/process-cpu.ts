// Two things the side-by-side benches need (issue 11):
// - `cpuMs(pid)`: CPU time (user + system, all threads) a process has used so far, read from
//   /proc/<pid>/stat. Taken before and after a fixed run of requests it gives the CPU each request
//   cost that process, a figure the other sessions' load on a shared machine does not distort (a
//   starved process answers fewer requests per second but spends the same CPU on each).
// - `postgresCpuMs(database)`: the same for the local PostgreSQL's backends serving one database,
//   so a run also gives what each request cost the database server.
// - `serverNodeFlags()`: the Node.js flags `npm start` gives the server (package.json's start
//   script), so a bench's Threshold runs with the heap production has.
// - `peakRssMb(pid)`: the most memory a process has held (VmHWM).
// - `compiledServe(file)`: a bench's Threshold serve script (bench/*-serve.ts, importing ../src/…)
//   compiled to plain JavaScript that imports the compiled server in build/ (built if out of date),
//   so the bench runs Threshold as production does (`node build/main.js`), not through tsx.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Linux clock ticks per second (`getconf CLK_TCK`: 100 on every Linux Node supports). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds the process has used (undefined when it is gone or this is not Linux). */
export function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU milliseconds each of the local PostgreSQL server's backends serving `database` has used so
 * far, by pid (every backend process whose title names the database; undefined when none is
 * readable, e.g. a remote server). `postgresCpuSpent` turns two readings into the CPU spent between.
 */
export function postgresCpuMs(database: string): Map<number, number> | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const out = new Map<number, number>();
  for (const pid of pids) {
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    // A backend's title: "postgres: 15/main: <user> <database> <client> <state>".
    if (!title.startsWith('postgres: ') || !title.split(' ').includes(database)) continue;
    const ms = cpuMs(Number(pid));
    if (ms !== undefined) out.set(Number(pid), ms);
  }
  return out.size > 0 ? out : undefined;
}

/**
 * CPU ms PostgreSQL's backends spent between two `postgresCpuMs` readings: what each backend
 * alive at the second used since the first (all of it for a backend started since). A backend
 * that exited meanwhile (a pool closing an idle connection) is left out, with what it spent.
 */
export function postgresCpuSpent(before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | undefined {
  if (!after) return undefined;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before?.get(pid) ?? 0);
  return total;
}

/** CPU ms per request between two `cpuMs` readings (2 decimals), or null when unknown. */
export function perRequest(before: number | undefined, after: number | undefined, requests: number): number | null {
  if (before === undefined || after === undefined || requests <= 0) return null;
  return +((after - before) / requests).toFixed(3);
}

/** The flags between `node` and the script in package.json's start script (`npm start`'s server), e.g. the young generation's size (decision 049). */
export function serverNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  const words = start.split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json's start script does not run node: ${start}`);
  const flags: string[] = [];
  for (const w of words.slice(1)) {
    if (!w.startsWith('--')) break; // the script: what follows is its own
    flags.push(w);
  }
  return flags;
}

/** The most resident memory the process has held, in MB (VmHWM), or undefined when it is gone or this is not Linux. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Path of `bench/<name>.ts` compiled to `build/bench-<name>.js` against build/ (builds the server first). */
export async function compiledServe(name: string): Promise<string> {
  const { buildServer } = (await import(path.join(root, 'scripts/build-server.mjs'))) as { buildServer: (o: { quiet: boolean }) => Promise<boolean> };
  await buildServer({ quiet: true });
  const { transform, stop } = await import('esbuild');
  try {
    const source = readFileSync(path.join(root, `bench/${name}.ts`), 'utf8');
    const { code } = await transform(source, { loader: 'ts', format: 'esm', platform: 'node', target: 'node20' });
    const out = path.join(root, `build/bench-${name}.js`);
    // build/ mirrors src/: `../src/x.js` from bench/ is `./x.js` from build/.
    writeFileSync(out, code.replace(/(['"])\.\.\/src\//g, '$1./'));
    return out;
  } finally {
    await stop();
  }
}
