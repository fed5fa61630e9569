import { composeContexts } from '../../compose.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { testConfig, type TestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { buildApp } from '../../../app.js';
import { createPlatform } from '../../../platform/bootstrap.js';
import { runMigrations } from '../../../platform/db/migrate.js';
import { installJobSchema } from '../../../platform/jobs/pgboss.js';
import { createLogger } from '../../../platform/logger.js';
import type { Platform } from '../../../platform/platform.js';
import { integrationJobRuns, integrationPersonLinks } from '../integration.tables.js';
import { integrationTenant } from '../test/integration.testkit.js';

const MEMBERS = 1000; // two batches of 500
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-runs-kill-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const childEnv = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? os.tmpdir(),
  DATA_DIR: dataDir,
  SECRET_KEY: 'a'.repeat(64),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  SEED_DEMO: '0',
  ...extra,
});

function spawnTsx(script: string, args: string[], env: Record<string, string> = {}) {
  // node with tsx's loader, one process: the tsx command would run the script in a child that a
  // SIGKILL of the parent leaves running.
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited, stderr: () => stderr };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** The data folder opened in this process (the child processes must be stopped). */
async function withPlatform<T>(fn: (platform: Platform) => Promise<T>): Promise<T> {
  const platform = await createPlatform(testConfig(dataDir), { log: createLogger('silent') });
  try {
    return await fn(platform);
  } finally {
    await platform.database.close();
  }
}

describe('a run whose process is killed', () => {
  it('kill -9 in the middle of an import: after a restart the run resumes by itself and ends with every member imported once', async () => {
    // A tenant with a linked staff group of 2,000 members, made in this process.
    const { tenantId, cookie } = await withPlatform(async (platform) => {
      await runMigrations(platform.database);
      await installJobSchema(platform.database, platform.log);
      const contexts = composeContexts(platform);
      const app = await buildApp(platform, { logger: false, serveWeb: false, contexts });
      await app.ready();
      const env = { platform, app, contexts, config: platform.config } as TestEnv;
      const x = await integrationTenant(env);
      const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
      await x.link(staff.id);
      for (let i = 0; i < MEMBERS; i++) await x.member(staff.id, { fullName: `Person ${i} Kill`, email: `p${i}@school.test`, role: 'Teacher' });
      await app.close();
      return { tenantId: x.t.tenantId, cookie: x.h.cookie };
    });

    // The CLI works the import in its own process; it is killed after its first batch.
    const cli = spawnTsx('src/cli/main.ts', ['integration', 'import', '--tenant', tenantId]);
    const runId = await waitFor(
      () => {
        if (cli.child.exitCode !== null) throw new Error(`the import ended before it was killed: ${cli.stderr()}`);
        const started = /run ([0-9a-f-]{36}) started/.exec(cli.stderr());
        return started && /import: [1-9]\d*\/1000/.test(cli.stderr()) ? started[1]! : false;
      },
      { timeoutMs: 180_000, intervalMs: 20, what: 'the first batch of the import' },
    );
    cli.child.kill('SIGKILL');
    await cli.exited;
    const crashed = await withPlatform(async (platform) => (await platform.db.select().from(integrationJobRuns).where(eq(integrationJobRuns.id, runId)))[0]!);
    expect(crashed.status).toBe('running'); // left behind as a crash leaves it
    expect(crashed.done).toBeGreaterThan(0);
    expect(crashed.done).toBeLessThan(MEMBERS);

    // Restart: the server with its inline worker. Nobody touches the run: the sweep must resume it.
    const port = await freePort();
    const server = spawnTsx('src/main.ts', [], { PORT: String(port) });
    let last = 'no answer yet';
    const finished = await waitFor(
      async () => {
        if (server.child.exitCode !== null) throw new Error(`server exited: ${server.stderr()}`);
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/integration/runs/${runId}`, { headers: { cookie } });
          last = `${res.status} ${(await res.clone().text()).slice(0, 300)}`;
          if (res.status !== 200) return false;
          const run = (await res.json()) as { status: string; done: number; total: number; created: number; skipped: number; attempts: number };
          return run.status === 'done' ? run : false;
        } catch {
          return false; // not listening yet
        }
      },
      { timeoutMs: 400_000, intervalMs: 1000, what: 'the resumed import to finish' },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}; last answer: ${last}; server: ${server.stderr().slice(-500)}`);
    });
    expect(finished).toMatchObject({ done: MEMBERS, total: MEMBERS });
    expect(finished.created + finished.skipped).toBe(MEMBERS);
    expect(finished.attempts).toBeGreaterThanOrEqual(2);
    server.child.kill('SIGTERM');
    await server.exited;

    // Every member linked to exactly one profile: no batch ran twice. (Members the resumed run
    // found linked were imported meanwhile by the new-member jobs their creation queued, which the
    // restarted worker also works: the run counts those as skipped, so links can exceed `created`.)
    await withPlatform(async (platform) => {
      const [links] = await platform.db
        .select({ n: sql<number>`count(*)::int`, members: sql<number>`count(DISTINCT ${integrationPersonLinks.memberId})::int` })
        .from(integrationPersonLinks)
        .where(eq(integrationPersonLinks.tenantId, tenantId));
      expect(links).toEqual({ n: MEMBERS, members: MEMBERS });
    });
  }, 600_000);
});
