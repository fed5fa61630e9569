import type { FastifyInstance, InjectOptions } from 'fastify';
import { eq } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { kioskSetup, makeMember } from '../../../../test/signin-factories.js';
import { buildApp } from '../../../app.js';
import { createNotifier } from '../../../platform/live/notify.js';
import { kioskDevices } from '../signin.tables.js';
import { KIOSK_CHANGED_CHANNEL } from './kiosk.devices.js';

// The kiosk's request path (issue 11, decision 026): every statement sent through the database
// adapter is seen. Requests here are sent one at a time, so what was sent while one was in flight is
// its own (plus, possibly, other requests' writes behind: only writes to kiosk_devices are counted).
const statements: string[] = [];
// Cached for an hour: only an invalidation can make an instance refuse a cached kiosk here.
const env = useTestEnv({ configOverrides: { authCacheSeconds: 3600 }, onStatement: (text) => statements.push(text) });
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

/** The request's status, the statements sent before its response was complete, and where the later ones start. */
async function before(app: FastifyInstance, req: InjectOptions) {
  const from = statements.length;
  const res = await app.inject(req);
  return { status: res.statusCode, sent: statements.slice(from), after: statements.length };
}

const writesDevices = (text: string) => /^\s*update\s+"?kiosk_devices/i.test(text);
const readsDevices = (text: string) => /^\s*select\b.*\bfrom\s+"kiosk_devices"/is.test(text);

describe('the kiosk request path', () => {
  it('reads the device once per instance and writes its last-seen time after the response', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    // Last seen two minutes ago: the next request makes it stale.
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await env.platform.db.update(kioskDevices).set({ lastSeenAt: twoMinutesAgo }).where(eq(kioskDevices.id, kiosk.deviceId));
    const app = await newInstance();
    const search: InjectOptions = { method: 'GET', url: `/api/kiosk/search?groupId=${group.id}&q=ada`, headers: kiosk.headers };

    const cold = await before(app, search);
    expect(cold.status).toBe(200);
    expect(cold.sent.filter(readsDevices)).toHaveLength(1); // the token, read once
    expect(cold.sent.filter(writesDevices)).toEqual([]); // the last-seen time is not written on the path
    // …but after it, once.
    await waitFor(async () => {
      const [d] = await env.platform.db.select({ lastSeenAt: kioskDevices.lastSeenAt }).from(kioskDevices).where(eq(kioskDevices.id, kiosk.deviceId));
      return d!.lastSeenAt! > twoMinutesAgo;
    }, { what: "the kiosk's last-seen time written behind" });
    expect(statements.slice(cold.after).filter(writesDevices)).toHaveLength(1);

    const warm = await before(app, search);
    expect(warm.status).toBe(200);
    expect(warm.sent.filter(readsDevices)).toEqual([]);
    expect(warm.sent.filter(writesDevices)).toEqual([]);
    // The group, its site and its PIN are one statement; the search itself one more, with no
    // transaction or settings statement around it (decision 030).
    expect(warm.sent.filter((s) => /group_secrets|site_groups|"groups"/i.test(s))).toHaveLength(1);
    // (Prepared, decision 035: on PGlite an EXECUTE of the statement prepared on the session.)
    expect(warm.sent.filter((s) => /\bfrom members\b|^\s*execute\s+kiosk_search\b/i.test(s))).toHaveLength(1);
    expect(warm.sent.filter((s) => /^\s*(begin|commit|select set_config)\b/i.test(s))).toEqual([]);

    const signIn = await before(app, { method: 'POST', url: '/api/kiosk/sign-in', headers: kiosk.headers, payload: { groupId: group.id, memberId: ada.id, answers: {}, agreementAccepted: false } });
    expect(signIn.status).toBe(201);
    expect(signIn.sent.filter(readsDevices)).toEqual([]);
    // The site, group, PIN flag, contacts, member and the tenant's block list: one statement before the checks.
    expect(signIn.sent.filter((s) => /group_secrets|site_groups|group_contacts|from "members"/i.test(s))).toHaveLength(1);
    expect(signIn.sent.filter((s) => /block_list/i.test(s))).toEqual(signIn.sent.filter((s) => /group_contacts/i.test(s)));
  });

  it('writes a visit no sink has work for in one statement with no transaction, and takes the transaction when one has', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const [ada, bob, cy] = [await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' }), await makeMember(env, t, group.id, { fullName: 'Bob Babbage' }), await makeMember(env, t, group.id, { fullName: 'Cy Hopper' })];
    const app = await newInstance();
    const signIn = (memberId: string) => before(app, { method: 'POST', url: '/api/kiosk/sign-in', headers: kiosk.headers, payload: { groupId: group.id, memberId, answers: {}, agreementAccepted: false } });
    const transactions = (sent: string[]) => sent.filter((s) => /^\s*(begin|commit)\b/i.test(s));
    const visitInserts = (sent: string[]) => sent.filter((s) => /^\s*insert\s+into\s+"visits"/i.test(s));

    // No webhook subscription, no roll call open, nobody to tell: the visit's insert alone (its gate inside it).
    const quiet = await signIn(ada.id);
    expect(quiet.status).toBe(201);
    expect(transactions(quiet.sent)).toEqual([]);
    expect(visitInserts(quiet.sent)).toHaveLength(1);
    expect(visitInserts(quiet.sent)[0]).toMatch(/webhook_subscriptions[\s\S]*roll_calls/);
    expect(quiet.sent.filter((s) => /webhook_subscriptions|roll_calls/i.test(s))).toEqual(visitInserts(quiet.sent));
    // Signed in already: still a 409 (the gated insert wrote nothing, the transaction's insert conflicts).
    expect((await signIn(ada.id)).status).toBe(409);
    // Every statement of a warm quiet sign-in is built once and prepared (decisions 035, 038): drizzle builds none.
    const dan = await makeMember(env, t, group.id, { fullName: 'Dan Quiet' });
    const building = vi.spyOn(PgDialect.prototype, 'sqlToQuery');
    try {
      const warm = await signIn(dan.id);
      expect(warm.status).toBe(201);
      expect(visitInserts(warm.sent)).toHaveLength(1);
      // (Writes behind earlier requests, the API's rate counters, may be built on their timer meanwhile: only reads and the visit count.)
      const built = building.mock.results.map((r) => (r.value as { sql: string }).sql);
      expect(built.filter((q) => /^\s*insert\s+into\s+"visits"/i.test(q) || !/^\s*(insert|update|delete|select pg_notify\()/i.test(q))).toEqual([]);
    } finally {
      building.mockRestore();
    }

    // A subscription to another event leaves the gate open…
    expect((await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: 'https://example.org/hook', events: ['visit.signed_out'] } })).status).toBe(201);
    expect(transactions((await signIn(bob.id)).sent)).toEqual([]);
    // …one to sign-ins closes it: the transaction, with the delivery queued in it.
    const hook = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: 'https://example.org/hook2', events: ['visit.signed_in'] } });
    expect(hook.status).toBe(201);
    const busy = await signIn(cy.id);
    expect(busy.status).toBe(201);
    // (PGlite's transactions are not sent as BEGIN and COMMIT statements; the second insert shows it.)
    if (env.platform.database.kind === 'postgres') expect(transactions(busy.sent)).toHaveLength(2);
    expect(visitInserts(busy.sent)).toHaveLength(2);
    expect(busy.sent.filter((s) => /^\s*insert\s+into\s+"webhook_deliveries"/i.test(s))).toHaveLength(1);
    const deliveries = await call(env.app, 'GET', `/api/signin/webhooks/${hook.body.webhook.id}/deliveries`, { headers: t.owner.headers });
    expect(deliveries.body.items.map((d: { event: string }) => d.event)).toEqual(['visit.signed_in']);
  });

  it('another instance refuses a revoked kiosk once the notification has arrived', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const b = await newInstance();
    // Instance b resolves (and caches, for an hour here) the kiosk.
    expect((await call(b, 'GET', '/api/kiosk/config', { headers: kiosk.headers })).status).toBe(200);
    const notifier = createNotifier(env.platform.database, env.platform.log);
    closers.push(() => notifier.close());
    const seen: string[] = [];
    await notifier.subscribe(KIOSK_CHANGED_CHANNEL, (p) => seen.push(p));
    // Instance a (env.app) revokes it.
    expect((await call(env.app, 'POST', `/api/signin/kiosks/${kiosk.deviceId}/revoke`, { headers: t.owner.headers })).status).toBe(200);
    // The same instance refuses at once.
    expect((await call(env.app, 'GET', '/api/kiosk/config', { headers: kiosk.headers })).status).toBe(401);
    expect(await waitFor(() => seen[0], { what: 'the kiosk change notification' })).toBe(t.tenantId);
    // b's own listener gets the same notification; once it has, b refuses the token.
    await waitFor(async () => (await call(b, 'GET', `/api/kiosk/search?groupId=${group.id}&q=ad`, { headers: kiosk.headers })).status === 401, { what: 'instance b to refuse the revoked kiosk' });
    const refused = await call(b, 'GET', '/api/kiosk/config', { headers: kiosk.headers });
    expect(refused.body.error.code).toBe('invalid_kiosk_token');
  });

  it('a revoke in one tenant leaves the cached kiosks of another working', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const mine = await kioskSetup(env, t);
    const theirs = await kioskSetup(env, other);
    const app = await newInstance();
    expect((await call(app, 'GET', '/api/kiosk/config', { headers: theirs.kiosk.headers })).status).toBe(200);
    expect((await call(app, 'POST', `/api/signin/kiosks/${mine.kiosk.deviceId}/revoke`, { headers: t.owner.headers })).status).toBe(200);
    expect((await call(app, 'GET', '/api/kiosk/config', { headers: mine.kiosk.headers })).status).toBe(401);
    expect((await call(app, 'GET', '/api/kiosk/config', { headers: theirs.kiosk.headers })).status).toBe(200);
  });
});
