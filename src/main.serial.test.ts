import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../test/wait.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-main-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

function run(script: string, env: Record<string, string>, folder = dataDir) {
  // Node itself with tsx's loader, not the tsx CLI: its wrapper process relays signals and exits
  // 143 when it judges the child has no SIGTERM handler, which is not what is under test here.
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), DATA_DIR: folder, HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

async function ready(server: ReturnType<typeof run>, port: number) {
  await waitFor(
    async () => {
      if (server.child.exitCode !== null) throw new Error(`server exited early: ${server.stderr()}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 90_000, intervalMs: 250, what: '/ready' },
  );
}

describe('the server process', () => {
  it('holds the data folder lock, refuses a second process and a PGlite worker, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = run('src/main.ts', { PORT: String(port) });
    await ready(server, port);
    const lockFile = path.join(dataDir, '.threshold.lock');
    expect(existsSync(lockFile)).toBe(true);

    const second = run('src/main.ts', { PORT: String(await freePort()) });
    expect(await second.exited).not.toBe(0);
    expect(second.stderr()).toContain('database_locked');

    const worker = run('src/worker.ts', {});
    expect(await worker.exited).not.toBe(0);
    expect(worker.stderr()).toMatch(/database_locked: a separate worker needs PostgreSQL/);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  }, 150_000);

  it('makes a new PGlite folder in a first-start process of its own: the demo sign-in is printed once and works, and a restart keeps it', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'threshold-first-'));
    try {
      const port = await freePort();
      const first = run('src/main.ts', { PORT: String(port), SEED_DEMO: '1', PUBLIC_URL: `http://127.0.0.1:${port}` }, folder);
      await ready(first, port);
      expect(first.stdout().match(/Demo tenant created/g)).toHaveLength(1);
      // What a newcomer needs next: how to get back in without the password, and where the kiosk is.
      expect(first.stdout()).toContain('"Forgot your password?" on the sign-in page: without SMTP the reset link is written to this log');
      expect(first.stdout()).toContain(`open http://127.0.0.1:${port}/kiosk on the tablet`);
      // And what the kiosk will show of the Central Record: who is refused, and why.
      expect(first.stdout()).toContain('Staff sign in against the Central Record: Priya Shah is refused (no enhanced DBS check recorded); everyone else signs in.');
      const password = /password: (\S+)/.exec(first.stdout())![1]!;
      const login = () => fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` }, body: JSON.stringify({ email: 'owner@demo.threshold.test', password }) });
      expect((await login()).status).toBe(200);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const again = run('src/main.ts', { PORT: String(port), SEED_DEMO: '1', PUBLIC_URL: `http://127.0.0.1:${port}` }, folder);
      await ready(again, port);
      expect(again.stdout()).not.toContain('Demo tenant created');
      expect((await login()).status).toBe(200);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 200_000);

  it('refuses a bad variable at boot with one line naming it (server and worker)', async () => {
    const server = run('src/main.ts', { PORT: 'three thousand' });
    expect(await server.exited).toBe(78);
    expect(server.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^invalid configuration: PORT: /)]);
    const worker = run('src/worker.ts', { DATABASE_URL: 'postgres://127.0.0.1:1/none', SECRET_KEY: 'short' });
    expect(await worker.exited).not.toBe(0);
    expect(worker.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^invalid configuration: SECRET_KEY: /)]);
  });
});

