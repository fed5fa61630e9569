import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../test/harness.js';
import { buildApp } from './app.js';

const env = useTestEnv();

/** What Vite's build leaves: an index.html naming its hashed assets (the old ones removed, `emptyOutDir`). */
function build(dir: string, hash: string): void {
  rmSync(path.join(dir, 'assets'), { recursive: true, force: true });
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'assets', `index-${hash}.js`), `console.log('${hash}')`);
  writeFileSync(path.join(dir, 'index.html'), `<!doctype html><script type="module" src="/assets/index-${hash}.js"></script>`);
}

/**
 * The web app rebuilt under a running server (decision 046, firsthour: `npm run build` beside
 * `npm start` left the portal blank until a restart, its new assets answered 404).
 */
describe('the web app rebuilt under a running server', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'threshold-web-'));
    build(dir, 'aaaa1111');
    app = await buildApp(env.platform, { logger: false, webRoot: dir });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the new index.html, at the root and as the single-page fallback, and its new assets; the old assets are gone', async () => {
    for (const url of ['/', '/signin/sites']) expect((await app.inject({ method: 'GET', url })).body).toContain('index-aaaa1111.js');
    expect((await app.inject({ method: 'GET', url: '/assets/index-aaaa1111.js' })).statusCode).toBe(200);

    build(dir, 'bbbb2222');
    for (const url of ['/', '/signin/sites', '/index.html']) {
      const page = await app.inject({ method: 'GET', url });
      expect([url, page.statusCode, page.headers['content-type']]).toEqual([url, 200, 'text/html; charset=utf-8']);
      expect(page.body).toContain('index-bbbb2222.js');
    }
    const asset = await app.inject({ method: 'GET', url: '/assets/index-bbbb2222.js' });
    expect([asset.statusCode, asset.body]).toEqual([200, "console.log('bbbb2222')"]);
    // A stale chunk stays a 404 (not the app's HTML), and the API's unknown paths answer JSON as ever.
    const stale = await app.inject({ method: 'GET', url: '/assets/index-aaaa1111.js' });
    expect([stale.statusCode, stale.json().error.code]).toEqual([404, 'route_not_found']);
    // A path the static files refuse as not canonical is no file either (not a 500).
    for (const url of ['/assets//index-bbbb2222.js', '/assets/x//index-bbbb2222.js']) {
      const odd = await app.inject({ method: 'GET', url });
      expect([url, odd.statusCode, odd.json().error.code]).toEqual([url, 404, 'route_not_found']);
    }
    const api = await app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect([api.statusCode, api.json().error.code]).toEqual([404, 'route_not_found']);
    // The router's own refusals are not taken over by the assets' route.
    const long = await app.inject({ method: 'GET', url: `/api/signin/sites/${'a'.repeat(8193)}` });
    expect([long.statusCode, long.json().error.code]).toEqual([414, 'uri_too_long']);
    const scim = await app.inject({ method: 'GET', url: '/scim/v2/nothing' });
    expect([scim.statusCode, scim.headers['content-type'], scim.json().status]).toEqual([404, 'application/scim+json; charset=utf-8', '404']);
  });
});
