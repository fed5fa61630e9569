/**
 * Browser test harness: the real server in-process (built web app, fresh PGlite data folder,
 * port 0) and Debian's Chromium through playwright-core.
 *
 *   const chromium = findChromiumOrSkip();          // loud skip, or throw under REQUIRE_ALL=1
 *   describe.skipIf(!chromium)('…', () => {
 *     const e2e = useE2e(chromium);                  // server + browser, per file
 *     it('…', async () => {
 *       const tenant = await e2e.createTenant();
 *       const page = await e2e.newPage();
 *       await signIn(page, e2e.url, tenant.owner);
 *     });
 *   });
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createPlatform } from '../../src/platform/bootstrap.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { installJobSchema } from '../../src/platform/jobs/pgboss.js';
import { registerJobs } from '../../src/contexts/jobs.js';
import { composeContexts, type Contexts } from '../../src/contexts/compose.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Platform } from '../../src/platform/platform.js';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';

export { TEST_PASSWORD };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** CHROMIUM_PATH, else `chromium` (or `chromium-browser`) on PATH; undefined when absent. */
export function findChromium(): string | undefined {
  const given = process.env.CHROMIUM_PATH;
  if (given) return given;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const p = path.join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * The Chromium to drive. When there is none, warns loudly (the file's tests are then skipped with
 * `describe.skipIf`), or throws when REQUIRE_ALL=1 forbids skipping.
 */
export function findChromiumOrSkip(): string | undefined {
  const found = findChromium();
  if (found) return found;
  const msg = 'Chromium was not found (set CHROMIUM_PATH or put `chromium` on PATH): the browser tests are SKIPPED.';
  if (process.env.REQUIRE_ALL === '1') throw new Error(`${msg} REQUIRE_ALL=1 forbids skipping.`);
  console.warn(`\n\x1b[33m${'!'.repeat(100)}\n!!! ${msg}\n${'!'.repeat(100)}\x1b[0m\n`);
  return undefined;
}

/** Builds web/dist when it is missing or older than the web sources (as `npm start` does). */
export function ensureWebBuilt(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-web-if-needed.mjs')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

export type E2eServer = { url: string; app: FastifyInstance; platform: Platform; contexts: Contexts; close(): Promise<void> };

/** A free TCP port on the loopback address (for a server whose PUBLIC_URL must be its own). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export type ServerOptions = {
  /** PUBLIC_URL is the server's own address, so redirects from outside (an identity provider) come back to it. */
  publicUrlIsServer?: boolean;
  /** More environment for the server's config, read when it starts (after the file's earlier `beforeAll`s, e.g. a fake's URL). */
  env?: () => Record<string, string>;
};

/** The real server, as `npm start` runs it, on a fresh PGlite data folder and a free port. */
export async function startServer(opts: ServerOptions = {}): Promise<E2eServer> {
  ensureWebBuilt();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-e2e-'));
  const listenPort = opts.publicUrlIsServer ? await freePort() : 0;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(listenPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SECRET_KEY: 'b'.repeat(64),
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: opts.publicUrlIsServer ? `http://127.0.0.1:${listenPort}` : 'http://threshold.test',
    SEED_DEMO: 'false',
    ...opts.env?.(),
  });
  const platform = await createPlatform(config, { log: createLogger(config.logLevel) });
  await runMigrations(platform.database);
  await installJobSchema(platform.database, platform.log);
  const contexts = composeContexts(platform);
  const app = await buildApp(platform, { logger: false, serveWeb: true, contexts });
  await registerJobs(platform, contexts); // as main.ts does with WORKER=inline
  await platform.jobs.start();
  await app.listen({ port: listenPort, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    platform,
    contexts,
    async close() {
      await app.close();
      await platform.jobs.stop();
      await platform.database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type E2e = {
  /** Base URL of the server, e.g. http://127.0.0.1:41234 */
  url: string;
  server: E2eServer;
  context: BrowserContext;
  /** A fresh tenant; its owner (and other roles via `as`) sign in with TEST_PASSWORD. */
  createTenant(opts?: { name?: string; kind?: 'school' | 'trust' | 'company' }): Promise<TestTenant>;
  /** A new tab with a clean cookie jar (sign-ins do not leak between tests). */
  newPage(opts?: { width?: number; height?: number }): Promise<Page>;
  /** A link the server made (PUBLIC_URL-based) pointed at this server instead. */
  local(link: string): string;
};

/** Starts the server and Chromium once for the file and closes both after it. */
/** Per-test timeout for browser tests (vitest projects do not inherit the root's timeouts). */
export const E2E_TEST_TIMEOUT = 90_000;

export function useE2e(executablePath: string | undefined, opts: ServerOptions = {}): E2e {
  const e2e = {} as E2e;
  let profileDir = '';
  // What the test's pages did, printed when it fails: a timeout alone says what was not seen, not why.
  const journal: string[] = [];
  const pages: Page[] = [];
  const note = (line: string) => {
    journal.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (journal.length > 300) journal.shift();
  };
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && pages.length > 0) {
      const texts = await Promise.all(pages.map((p) => p.locator('body').innerText({ timeout: 2_000 }).catch((err: Error) => `(unreadable: ${err.message})`)));
      const shown = pages.map((p, i) => `--- page ${i + 1}: ${p.url()}\n${texts[i]!.slice(0, 3_000)}`).join('\n');
      process.stderr.write(`\n=== e2e journal of "${ctx.task.name}" (last ${journal.length} events) ===\n${journal.join('\n')}\n=== what the pages show ===\n${shown}\n=== end ===\n`);
    }
    journal.length = 0;
    pages.length = 0;
  });
  beforeAll(async () => {
    if (!executablePath) return;
    const server = await startServer(opts);
    profileDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-chromium-'));
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
    });
    context.setDefaultTimeout(15_000);
    const env: TestEnv = {
      platform: server.platform,
      app: server.app,
      contexts: server.contexts,
      config: server.platform.config,
      clock: { now: new Date(), advance: () => undefined, reset: () => undefined },
    };
    Object.assign(e2e, {
      url: server.url,
      server,
      context,
      createTenant: (opts?: { name?: string; kind?: 'school' | 'trust' | 'company' }) => createTestTenant(env, opts),
      async newPage(opts: { width?: number; height?: number } = {}) {
        await context.clearCookies();
        const page = await context.newPage();
        const n = pages.push(page);
        page.on('response', (r) => {
          const u = new URL(r.url());
          if (u.pathname.startsWith('/api/')) note(`page ${n} ${r.status()} ${r.request().method()} ${u.pathname}${u.search}`);
        });
        page.on('requestfailed', (r) => note(`page ${n} FAILED ${r.method()} ${r.url()}: ${r.failure()?.errorText ?? ''}`));
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') note(`page ${n} console.${m.type()}: ${m.text().slice(0, 500)}`);
        });
        page.on('pageerror', (err) => note(`page ${n} uncaught: ${err.message.slice(0, 500)}`));
        await page.setViewportSize({ width: opts.width ?? 1280, height: opts.height ?? 800 });
        return page;
      },
      local(link: string) {
        const u = new URL(link);
        return `${server.url}${u.pathname}${u.search}${u.hash}`;
      },
    } satisfies E2e);
  }, 180_000); // may build the web app first
  afterAll(async () => {
    await e2e.context?.close();
    await e2e.server?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }, 60_000);
  return e2e;
}

/** Signs in through the sign-in page (the current one if already there) and waits for the app shell. */
export async function signIn(page: Page, baseUrl: string, user: { email: string }, password = TEST_PASSWORD): Promise<void> {
  if (!page.url().startsWith(`${baseUrl}/login`)) await page.goto(`${baseUrl}/login`);
  await page.getByRole('textbox', { name: 'Email' }).fill(user.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor({ state: 'attached' });
}

/** Saves a screenshot under /tmp (for looking at pages while developing tests). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(os.tmpdir(), `threshold-e2e-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeFinding = { id: string; impact: string; help: string; nodes: string[] };

/**
 * axe-core injected into the page (evaluated through the DevTools protocol, so the app's CSP,
 * which rightly forbids inline scripts, stays on); its violations of the impacts given, serious
 * and critical unless told.
 */
export async function axe(page: Page, impacts: readonly string[] = ['serious', 'critical']): Promise<AxeFinding[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (impacts) => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact !== null && impacts.includes(v.impact))
      .map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  }, impacts);
}
