import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { buildApp } from '../app.js';
import { inArray } from 'drizzle-orm';
import { rateCounters } from './rate-limit.tables.js';
import { pruneRateCounters } from './rate-limit.js';
import { waitFor } from '../../test/wait.js';
import { eq } from 'drizzle-orm';

const env = useTestEnv({ configOverrides: { rateLimitPerMinute: 3 } });
const others: FastifyInstance[] = [];
afterAll(async () => {
  for (const a of others) await a.close();
});

const ip = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const counter = async (key: string) => (await env.platform.db.select({ count: rateCounters.count }).from(rateCounters).where(eq(rateCounters.key, key)))[0]?.count;
const get = (app: FastifyInstance, url: string, remoteAddress: string) => app.inject({ method: 'GET', url, remoteAddress });

describe('API rate limit per IP', () => {
  // Windows are whole minutes of the clock: each test starts just after a window opens, so a test
  // slowed by a loaded machine does not see its hits split across two windows (it did, once).
  beforeEach(() => env.clock.advance(60_000 - (env.clock.now.getTime() % 60_000) + 50));
  afterEach(() => env.clock.reset());

  it('answers 429 rate_limited with Retry-After past the limit, per IP, until the window passes', async () => {
    const a = ip();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(env.app, '/api/auth/me', a)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await get(env.app, '/api/auth/me', a);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await get(env.app, '/api/auth/me', ip())).statusCode).toBe(401);
    env.clock.advance(61_000);
    try {
      expect((await get(env.app, '/api/auth/me', a)).statusCode).toBe(401);
    } finally {
      env.clock.reset();
    }
  });

  it('counts before authentication, so bad credentials are limited too', async () => {
    const a = ip();
    const bad = () => env.app.inject({ method: 'GET', url: '/api/auth/me', remoteAddress: a, headers: { authorization: 'Bearer thr_key_nope' } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await bad()).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('counts every spelling of an /api/ path the router accepts (decided on the matched route)', async () => {
    for (const url of ['/%61pi/auth/me', '/api/%61uth/me', '/api/auth/me/', '/api/auth/me?x=1']) {
      const a = ip();
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(env.app, url, a)).statusCode);
      expect(statuses, url).toEqual([401, 401, 401, 429]);
    }
    // Spellings the router does not match are 404s, whatever the limiter does with them.
    for (const url of ['/API/auth/me', '//api/auth/me']) expect((await get(env.app, url, ip())).statusCode, url).toBe(404);
  });

  it('holds across instances sharing the database', async () => {
    const second = await buildApp(env.platform, { logger: false, serveWeb: false });
    others.push(second);
    await second.ready();
    const a = ip();
    for (let i = 0; i < 3; i++) expect((await get(env.app, '/api/auth/me', a)).statusCode).toBe(401);
    // The first instance writes its count behind the responses; once it has, the second one knows.
    await waitFor(async () => (await counter(`api:ip:${a}`)) === 3, { what: 'the first instance to write its count' });
    const limited = await get(second, '/api/auth/me', a);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('keeps counting on the other instance: hits there reach the shared row too', async () => {
    const second = await buildApp(env.platform, { logger: false, serveWeb: false });
    others.push(second);
    await second.ready();
    const a = ip();
    expect((await get(env.app, '/api/auth/me', a)).statusCode).toBe(401);
    await waitFor(async () => (await counter(`api:ip:${a}`)) === 1, { what: 'the first hit written' });
    expect((await get(second, '/api/auth/me', a)).statusCode).toBe(401);
    expect((await get(second, '/api/auth/me', a)).statusCode).toBe(401);
    expect((await get(second, '/api/auth/me', a)).statusCode).toBe(429);
    await waitFor(async () => (await counter(`api:ip:${a}`)) === 3, { what: 'the second instance to write its hits' });
  });

  it('leaves /health, /ready and SCIM routes alone', async () => {
    const a = ip();
    for (let i = 0; i < 5; i++) {
      expect((await get(env.app, '/health', a)).statusCode).toBe(200);
      expect((await get(env.app, '/ready', a)).statusCode).toBe(200);
      expect((await get(env.app, '/scim/v2/ServiceProviderConfig', a)).statusCode).not.toBe(429);
    }
  });

  it('decides on the matched route: an unknown path is not counted, a known API route is', async () => {
    const a = ip();
    for (let i = 0; i < 5; i++) expect((await get(env.app, '/api/no-such-route', a)).statusCode).toBe(404);
    expect((await get(env.app, '/api/auth/me', a)).statusCode).toBe(401);
  });

  it('prunes counters idle for a day unless they still lock something', async () => {
    const now = new Date();
    const day = 24 * 3600_000;
    const k = (name: string) => `test:${name}:${randomInt(1e9)}`;
    const keys = { old: k('old'), fresh: k('fresh'), oldLocked: k('locked'), oldExpiredLock: k('expired') };
    await env.platform.db.insert(rateCounters).values([
      { key: keys.old, count: 5, windowStartedAt: new Date(now.getTime() - 2 * day) },
      { key: keys.fresh, count: 5, windowStartedAt: new Date(now.getTime() - 60_000) },
      { key: keys.oldLocked, count: 5, windowStartedAt: new Date(now.getTime() - 2 * day), lockedUntil: new Date(now.getTime() + 60_000) },
      { key: keys.oldExpiredLock, count: 5, windowStartedAt: new Date(now.getTime() - 2 * day), lockedUntil: new Date(now.getTime() - day) },
    ]);
    await pruneRateCounters(env.platform.db, now);
    const left = await env.platform.db.select({ key: rateCounters.key }).from(rateCounters).where(inArray(rateCounters.key, Object.values(keys)));
    expect(left.map((r) => r.key).sort()).toEqual([keys.fresh, keys.oldLocked].sort());
  });
});
