import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { call } from '../../../../test/factories.js';
import { buildApp } from '../../../app.js';
import { createNotifier } from '../../../platform/live/notify.js';
import { scimFixture } from '../fixtures/setup.js';
import { SCIM_CHANGED_CHANNEL } from './access.service.js';

// Every statement sent through the database adapter.
const sent: string[] = [];
// Cached for an hour: only an invalidation can make an instance refuse a cached credential here.
const env = useTestEnv({ configOverrides: { authCacheSeconds: 3600 }, onStatement: (sql) => sent.push(sql) });
const others: FastifyInstance[] = [];
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const a of others) await a.close();
  for (const c of closers) await c();
});

async function newInstance() {
  const app = await buildApp(env.platform, { logger: false, serveWeb: false });
  others.push(app);
  await app.ready();
  return app;
}

/**
 * The request's status and the reads sent while it was answered. Only reads: what earlier requests
 * counted is written behind them meanwhile (rate limits, the SCIM log), and a read writes nothing.
 */
async function statementsOf(app: FastifyInstance, req: InjectOptions) {
  const from = sent.length;
  const res = await app.inject(req);
  // (On PGlite a prepared statement runs as `EXECUTE name(…)`, prepared once by a `PREPARE` that reads nothing.)
  return { status: res.statusCode, statements: sent.slice(from).filter((sql) => /^\s*(select|execute)\b/i.test(sql) && !/pgboss\.|rate_counters|pg_notify/i.test(sql)) };
}

describe('SCIM credentials cached in memory', () => {
  it('a second request of a token reads only what it asks for; /api/auth/me answers from the resolved session', async () => {
    const f = await scimFixture(env);
    const made = await f.scim('POST', '/Users', { userName: 'ada@example.test', name: { givenName: 'Ada', familyName: 'L' } });
    const app = await newInstance();
    const get: InjectOptions = { method: 'GET', url: `${f.base}/Users/${made.body.id as string}`, headers: { authorization: `Bearer ${f.token}` } };
    const cold = await statementsOf(app, get);
    expect(cold.status).toBe(200);
    // The token with its bucket and the group, then the user.
    expect(cold.statements).toHaveLength(3);
    const warm = await statementsOf(app, get);
    expect(warm.status).toBe(200);
    expect(warm.statements).toHaveLength(1);
    expect(warm.statements[0]).toMatch(/from "scim_users"|^EXECUTE scim_user_json_by_id\(/);

    const me: InjectOptions = { method: 'GET', url: '/api/auth/me', headers: { cookie: f.t.owner.headers.cookie } };
    expect((await statementsOf(app, me)).status).toBe(200);
    const again = await statementsOf(app, me);
    expect(again.status).toBe(200);
    expect(again.statements).toEqual([]);
  });

  it('a new token: the old one is refused at once here, and by another instance once the notification has arrived', async () => {
    const f = await scimFixture(env);
    const b = await newInstance();
    const list = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: `${f.base}/Users`, headers: { authorization: `Bearer ${token}` } });
    // Both instances resolve (and cache) the token.
    expect((await list(env.app, f.token)).statusCode).toBe(200);
    expect((await list(b, f.token)).statusCode).toBe(200);
    const notifier = createNotifier(env.platform.database, env.platform.log);
    closers.push(() => notifier.close());
    const seen: string[] = [];
    await notifier.subscribe(SCIM_CHANGED_CHANNEL, (p) => seen.push(p));

    const renewed = await call(env.app, 'POST', `/api/scim/groups/${f.groupId}/token`, { headers: f.t.owner.headers });
    expect(renewed.status).toBe(201);
    expect((await list(env.app, f.token)).statusCode).toBe(401);
    expect(await waitFor(() => seen[0], { what: 'the SCIM change notification' })).toBe(f.groupId);
    await waitFor(async () => (await list(b, f.token)).statusCode === 401, { what: 'instance b to refuse the revoked token' });
    expect((await list(b, renewed.body.token as string)).statusCode).toBe(200);
  });

  it('a group archived in sign-in: its token is refused, here and by another instance, once the notification has arrived (not an hour later)', async () => {
    const f = await scimFixture(env);
    const made = await f.scim('POST', '/Users', { userName: 'bo@example.test' });
    expect(made.status).toBe(201);
    const b = await newInstance();
    const deactivate = (app: FastifyInstance) =>
      app.inject({ method: 'PATCH', url: `${f.base}/Users/${made.body.id as string}`, headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify({ Operations: [{ op: 'replace', path: 'active', value: false }] }) });
    const create = (app: FastifyInstance, userName: string) =>
      app.inject({ method: 'POST', url: `${f.base}/Users`, headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify({ userName }) });
    // Both instances resolve (and cache) the token.
    expect((await create(env.app, 'cy@example.test')).statusCode).toBe(201);
    expect((await create(b, 'di@example.test')).statusCode).toBe(201);

    // Named in upper case in the URL (a UUID either way): SCIM keys its cache by the stored id.
    const archived = await call(env.app, 'POST', `/api/signin/groups/${f.groupId.toUpperCase()}/archive`, { headers: f.t.owner.headers });
    expect(archived.status).toBe(200);
    await waitFor(async () => (await create(env.app, 'ed@example.test')).statusCode === 401, { what: 'this instance to refuse the archived group' });
    await waitFor(async () => (await deactivate(b)).statusCode === 401, { what: 'instance b to refuse the archived group' });
    expect((await create(b, 'fi@example.test')).statusCode).toBe(401);
  });
});
