import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../test/harness.js';
import { waitFor } from '../test/wait.js';
import { call } from '../test/factories.js';
import { buildApp } from './app.js';
import { scimFixture, type ScimFixture } from './contexts/scim/fixtures/setup.js';
import { sessions } from './contexts/accounts/accounts.tables.js';
import { scimRateBuckets } from './contexts/scim/scim.tables.js';

// Every statement sent through the database adapter (drizzle's and raw ones), with the request whose
// async context sent it and whether that request had been answered by then. Writes behind the
// responses run in timers a request scheduled, so they carry its tag too, but come after its answer.
type Seen = { sql: string; request?: number; answered: boolean };
const statements: Seen[] = [];
const requestTag = new AsyncLocalStorage<number>();
const answered = new Set<number>();
const env = useTestEnv({
  onStatement: (sql) => {
    const request = requestTag.getStore();
    statements.push({ sql, request, answered: request !== undefined && answered.has(request) });
  },
});
let tags = 0;
const others: FastifyInstance[] = [];
afterAll(async () => {
  for (const a of others) await a.close();
});

/** A write of ours (the job queue's own polling is not the request's). */
const isWrite = (sql: string) => /\b(insert\s+into|update\s+"?\w|delete\s+from)\b/i.test(sql) && !/pgboss\./i.test(sql);

/** The request's status and the writes it sent to the database before its response was complete. */
async function writesBefore(app: FastifyInstance, req: InjectOptions) {
  const tag = ++tags;
  // Awaited inside the tag's context: inject() returns a lazy chain that dispatches the request only
  // when it is awaited, so awaiting it outside would lose the tag.
  const res = await requestTag.run(tag, async () => await app.inject(req));
  answered.add(tag);
  return { status: res.statusCode, writes: statements.filter((s) => s.request === tag && !s.answered && isWrite(s.sql)).map((s) => s.sql) };
}

async function newInstance() {
  const app = await buildApp(env.platform, { logger: false, serveWeb: false });
  others.push(app);
  await app.ready();
  return app;
}

describe('a read writes nothing before its response', () => {
  let f: ScimFixture;
  let userId: string;
  let apiKey: string;
  beforeAll(async () => {
    f = await scimFixture(env);
    const made = await f.scim('POST', '/Users', { userName: 'ada@example.test', name: { givenName: 'Ada', familyName: 'L' } });
    userId = made.body.id as string;
    const key = await call(env.app, 'POST', '/api/api-keys', { headers: f.t.owner.headers, body: { name: 'reader', role: 'viewer' } });
    apiKey = key.body.apiKey as string;
  });

  const reads = (): Array<[string, InjectOptions]> => {
    const scim = { authorization: `Bearer ${f.token}` };
    return [
      ['SCIM filter', { method: 'GET', url: `${f.base}/Users?filter=${encodeURIComponent('userName eq "ada@example.test"')}`, headers: scim }],
      ['SCIM get by id', { method: 'GET', url: `${f.base}/Users/${userId}`, headers: scim }],
      ['SCIM list', { method: 'GET', url: `${f.base}/Users?startIndex=1&count=100`, headers: scim }],
      ['portal me', { method: 'GET', url: '/api/auth/me', headers: { cookie: f.t.owner.headers.cookie } }],
      ['portal members page', { method: 'GET', url: `/api/signin/groups/${f.groupId}/members?limit=50`, headers: { cookie: f.t.owner.headers.cookie } }],
      ['API key read', { method: 'GET', url: '/api/tenant', headers: { authorization: `Bearer ${apiKey}` } }],
    ];
  };

  it('cold (a fresh instance: first request of a group, an address, a session) and warm', async () => {
    const app = await newInstance();
    const mark = statements.length;
    for (const round of ['cold', 'warm']) {
      for (const [name, req] of reads()) {
        const { status, writes } = await writesBefore(app, req);
        expect({ round, name, status }).toEqual({ round, name, status: 200 });
        expect({ round, name, writes }).toEqual({ round, name, writes: [] });
      }
    }
    // The tags reach the adapter (else the checks above would pass without looking at anything): the
    // cold round's reads send statements of their own.
    const tagged = new Set(statements.slice(mark).flatMap((s) => (s.request === undefined ? [] : [s.request])));
    expect(tagged.size).toBeGreaterThanOrEqual(4);
    // …and what it counted is written behind the responses.
    const behind = (table: string) => statements.slice(mark).some((s) => isWrite(s.sql) && s.sql.includes(table));
    await waitFor(() => behind('scim_rate_buckets'), { what: 'the SCIM bucket written behind' });
    await waitFor(() => behind('rate_counters'), { what: 'the API rate counter written behind' });
  });

  it('a session seen again after 5 minutes gets its last-seen written after the response', async () => {
    const app = await newInstance();
    const [before] = await env.platform.db.select({ lastSeenAt: sessions.lastSeenAt }).from(sessions).where(eq(sessions.tenantId, f.t.tenantId));
    env.clock.advance(6 * 60_000);
    try {
      const { status, writes } = await writesBefore(app, { method: 'GET', url: '/api/auth/me', headers: { cookie: f.t.owner.headers.cookie } });
      expect(status).toBe(200);
      expect(writes).toEqual([]);
      await waitFor(
        async () => {
          const [row] = await env.platform.db.select({ lastSeenAt: sessions.lastSeenAt }).from(sessions).where(eq(sessions.tenantId, f.t.tenantId));
          return row!.lastSeenAt.getTime() > before!.lastSeenAt.getTime() + 5 * 60_000;
        },
        { what: 'last-seen written after the response' },
      );
    } finally {
      env.clock.reset();
    }
  });
});

describe('SCIM rate limit across instances', () => {
  it('a second instance sees what the first took once written, and answers 429 with Retry-After', async () => {
    const f = await scimFixture(env);
    const set = await call(env.app, 'PUT', `/api/scim/groups/${f.groupId}/rate-limit`, { headers: f.t.owner.headers, body: { burst: 3, perSecond: 0.01 } });
    expect(set.status).toBe(204);
    const a = await newInstance();
    const b = await newInstance();
    const get = (app: FastifyInstance) => app.inject({ method: 'GET', url: `${f.base}/Users`, headers: { authorization: `Bearer ${f.token}` } });
    expect((await get(a)).statusCode).toBe(200);
    expect((await get(a)).statusCode).toBe(200);
    await waitFor(
      async () => {
        const [row] = await env.platform.db.select({ tokens: scimRateBuckets.tokens }).from(scimRateBuckets).where(eq(scimRateBuckets.groupId, f.groupId));
        return row!.tokens < 1.5;
      },
      { what: 'the first instance to write what it took' },
    );
    expect((await get(b)).statusCode).toBe(200);
    const limited = await get(b);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.json()).toMatchObject({ status: '429' });
  });

  it('one instance is exact: the burst, then 429 until the bucket refills', async () => {
    const f = await scimFixture(env);
    await call(env.app, 'PUT', `/api/scim/groups/${f.groupId}/rate-limit`, { headers: f.t.owner.headers, body: { burst: 5, perSecond: 1 } });
    const statuses = await Promise.all(Array.from({ length: 8 }, () => f.scim('GET', '/Users?count=1').then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });
});
