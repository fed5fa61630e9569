import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { call, createTestTenant, type TestTenant } from '../../../../test/factories.js';
import { makeGroup, makeMember, makeSite, makeVisit } from '../../../../test/signin-live-fixtures.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { members } from '../signin.tables.js';
import { createSigninLive } from './live.module.js';
import type { VisitEvent } from '../visits/visit-events.js';

const env = useTestEnv();
let base = '';
beforeAll(async () => {
  await env.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
});

const hour = 3600_000;

/** A tenant with a site: staff (on the fire list), contractors (not), and who is signed in. */
async function scene(t: TestTenant) {
  const site = await makeSite(env, t.tenantId, 'North <Site>');
  const otherSite = await makeSite(env, t.tenantId, 'South');
  const staff = await makeGroup(env, t.tenantId, site.id, { name: 'Staff' });
  const visitors = await makeGroup(env, t.tenantId, site.id, { name: 'Visitors', type: 'standard' });
  const hidden = await makeGroup(env, t.tenantId, site.id, { name: 'Security', options: { showOnFireList: false } });
  const ada = await makeMember(env, t.tenantId, staff.id, 'Ada Lovelace');
  const alan = await makeMember(env, t.tenantId, staff.id, 'Alan Turing');
  const now = env.platform.now();
  const adaVisit = await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: staff.id, memberId: ada.id, personName: ada.fullName, signedInAt: new Date(now.getTime() - 2 * hour) });
  await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: staff.id, memberId: alan.id, personName: alan.fullName, signedInAt: new Date(now.getTime() - 3 * hour), signedOutAt: new Date(now.getTime() - hour) });
  const guest = await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: visitors.id, personName: '<script>x</script> Grace' });
  await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: visitors.id, personName: 'Rejected Person', outcome: 'rejected' });
  const guard = await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: hidden.id, personName: 'Night Guard' });
  await makeVisit(env, { tenantId: t.tenantId, siteId: otherSite.id, groupId: staff.id, personName: 'Elsewhere' });
  return { site, otherSite, staff, visitors, hidden, ada, alan, adaVisit, guest, guard };
}

async function startRollCall(t: TestTenant, siteId: string) {
  const res = await call(env.app, 'POST', `/api/signin/sites/${siteId}/roll-calls`, { headers: t.owner.headers, body: {} });
  expect(res.status).toBe(201);
  return res.body as { rollCall: { id: string; seq: number; status: string }; entries: Array<{ id: string; personName: string; status: string; visitId: string; signedOutAt: string | null; joinedDuring: boolean }> };
}

async function emit(e: VisitEvent) {
  const live = createSigninLive(env.platform);
  await inTransaction(env.platform.db, async (tx) => {
    for (const sink of live.sinks) await sink(tx, e);
  });
}

describe('on site', () => {
  it('needs credentials (401) and hides another tenant’s site (404)', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const s = await scene(other);
    expect((await call(env.app, 'GET', `/api/signin/sites/${s.site.id}/on-site`)).status).toBe(401);
    const res = await call(env.app, 'GET', `/api/signin/sites/${s.site.id}/on-site`, { headers: t.owner.headers });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect((await call(env.app, 'GET', `/api/signin/sites/${randomUUID()}/on-site`, { headers: t.owner.headers })).status).toBe(404);
  });

  it('lists who is signed in now, per group, with sign-in times; viewers may see it', async () => {
    const t = await createTestTenant(env);
    const s = await scene(t);
    const viewer = await t.as('viewer');
    const res = await call(env.app, 'GET', `/api/signin/sites/${s.site.id}/on-site`, { headers: viewer.headers });
    expect(res.status).toBe(200);
    expect(res.body.site).toEqual({ id: s.site.id, name: 'North <Site>', timezone: 'Europe/London' });
    expect(res.body.total).toBe(3);
    expect(res.body.openRollCallId).toBeNull();
    const byGroup = Object.fromEntries(res.body.groups.map((g: { name: string; people: Array<{ personName: string }> }) => [g.name, g.people.map((p) => p.personName)]));
    expect(byGroup).toEqual({ Security: ['Night Guard'], Staff: ['Ada Lovelace'], Visitors: ['<script>x</script> Grace'] });
    const staff = res.body.groups.find((g: { name: string }) => g.name === 'Staff');
    expect(staff.people[0]).toEqual({ visitId: s.adaVisit.id, memberId: s.ada.id, personName: 'Ada Lovelace', signedInAt: s.adaVisit.signedInAt.toISOString() });
    expect(res.body.groups.find((g: { name: string }) => g.name === 'Security').showOnFireList).toBe(false);
  });
});

describe('name order (name_key: case and accents aside)', () => {
  it('who is on site and the fire roll call list groups and people by name, not byte order', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t.tenantId, 'East');
    const groups = [await makeGroup(env, t.tenantId, site.id, { name: 'visitors' }), await makeGroup(env, t.tenantId, site.id, { name: 'Staff' }), await makeGroup(env, t.tenantId, site.id, { name: 'Éclairs' })];
    for (const personName of ['zoe', 'Émile', 'Adam', 'ada']) await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: groups[1]!.id, personName });
    for (const g of [groups[0]!, groups[2]!]) await makeVisit(env, { tenantId: t.tenantId, siteId: site.id, groupId: g.id, personName: 'Someone' });
    const onSite = await call(env.app, 'GET', `/api/signin/sites/${site.id}/on-site`, { headers: t.owner.headers });
    expect(onSite.body.groups.map((g: { name: string }) => g.name)).toEqual(['Éclairs', 'Staff', 'visitors']);
    expect(onSite.body.groups[1].people.map((p: { personName: string }) => p.personName)).toEqual(['ada', 'Adam', 'Émile', 'zoe']);
    const rc = await startRollCall(t, site.id);
    expect(rc.entries.map((e) => e.personName)).toEqual(['Someone', 'ada', 'Adam', 'Émile', 'zoe', 'Someone']);
  });
});

describe('fire roll call', { timeout: 30_000 }, () => {
  it('needs credentials (401), signin.operate to start, tick and close (403), and hides another tenant’s (404)', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const s = await scene(other);
    const rc = await startRollCall(other, s.site.id);
    const entry = rc.entries[0]!;
    const viewer = await t.as('viewer');
    expect((await call(env.app, 'POST', `/api/signin/sites/${s.site.id}/roll-calls`, { body: {} })).status).toBe(401);
    expect((await call(env.app, 'GET', `/api/signin/roll-calls/${rc.rollCall.id}`)).status).toBe(401);
    expect((await call(env.app, 'GET', '/api/signin/roll-calls')).status).toBe(401);
    expect((await fetch(`${base}/api/signin/roll-calls/${rc.rollCall.id}/events`)).status).toBe(401);
    const mine = await scene(t);
    expect((await call(env.app, 'POST', `/api/signin/sites/${mine.site.id}/roll-calls`, { headers: viewer.headers, body: {} })).status).toBe(403);
    const myRc = await startRollCall(t, mine.site.id);
    expect((await call(env.app, 'POST', `/api/signin/roll-calls/${myRc.rollCall.id}/entries/${myRc.entries[0]!.id}`, { headers: viewer.headers, body: { status: 'safe' } })).status).toBe(403);
    expect((await call(env.app, 'POST', `/api/signin/roll-calls/${myRc.rollCall.id}/close`, { headers: viewer.headers })).status).toBe(403);
    const h = t.owner.headers;
    for (const [method, url, body] of [
      ['POST', `/api/signin/sites/${s.site.id}/roll-calls`, {}],
      ['GET', `/api/signin/roll-calls/${rc.rollCall.id}`, undefined],
      ['POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${entry.id}`, { status: 'safe' }],
      ['POST', `/api/signin/roll-calls/${myRc.rollCall.id}/entries/${entry.id}`, { status: 'safe' }],
      ['POST', `/api/signin/roll-calls/${rc.rollCall.id}/close`, undefined],
    ] as const) {
      const res = await call(env.app, method, url, { headers: h, body });
      expect(res.status, `${method} ${url}`).toBe(404);
    }
    const stream = await fetch(`${base}/api/signin/roll-calls/${rc.rollCall.id}/events`, { headers: { cookie: h.cookie } });
    expect(stream.status).toBe(404);
    const list = await call(env.app, 'GET', '/api/signin/roll-calls', { headers: h });
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([myRc.rollCall.id]);
  });

  it('keeps a manager scoped to another site out (404) of this site’s on-site list and roll calls', async () => {
    const t = await createTestTenant(env);
    const s = await scene(t);
    const rc = await startRollCall(t, s.site.id);
    const manager = await t.as('manager');
    const scoped = await call(env.app, 'PUT', `/api/users/${manager.id}/scopes`, { headers: t.owner.headers, body: { scopes: [{ kind: 'site', refId: s.otherSite.id, level: 'edit' }] } });
    expect(scoped.status).toBe(200);
    const h = manager.headers;
    expect((await call(env.app, 'GET', `/api/signin/sites/${s.site.id}/on-site`, { headers: h })).status).toBe(404);
    expect((await call(env.app, 'GET', `/api/signin/sites/${s.otherSite.id}/on-site`, { headers: h })).status).toBe(200);
    expect((await call(env.app, 'GET', `/api/signin/roll-calls/${rc.rollCall.id}`, { headers: h })).status).toBe(404);
    expect((await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${rc.entries[0]!.id}`, { headers: h, body: { status: 'safe' } })).status).toBe(404);
    expect((await call(env.app, 'POST', `/api/signin/sites/${s.site.id}/roll-calls`, { headers: h, body: {} })).status).toBe(404);
    expect((await call(env.app, 'GET', '/api/signin/roll-calls', { headers: h })).body.items).toEqual([]);
    expect((await fetch(`${base}/api/signin/roll-calls/${rc.rollCall.id}/events`, { headers: { cookie: h.cookie } })).status).toBe(404);
  });

  it('lists everyone on site in groups on the fire list, one open roll call per site, audited', async () => {
    const t = await createTestTenant(env);
    const s = await scene(t);
    const rc = await startRollCall(t, s.site.id);
    expect(rc.rollCall).toMatchObject({ status: 'open', seq: 1, total: 2, safe: 0, unaccounted: 2, siteName: 'North <Site>' });
    expect(rc.entries.map((e) => e.personName).sort()).toEqual(['<script>x</script> Grace', 'Ada Lovelace']);
    expect(rc.entries.every((e) => e.status === 'unaccounted' && !e.joinedDuring)).toBe(true);
    const again = await call(env.app, 'POST', `/api/signin/sites/${s.site.id}/roll-calls`, { headers: t.owner.headers, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('roll_call_open');
    const onSite = await call(env.app, 'GET', `/api/signin/sites/${s.site.id}/on-site`, { headers: t.owner.headers });
    expect(onSite.body.openRollCallId).toBe(rc.rollCall.id);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'roll_call.started')));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.targetId).toBe(rc.rollCall.id);
  });

  it('ticks people safe and back, numbering every change; closing keeps the record and freezes it', async () => {
    const t = await createTestTenant(env);
    const s = await scene(t);
    const rc = await startRollCall(t, s.site.id);
    const manager = await t.as('manager');
    const ada = rc.entries.find((e) => e.personName === 'Ada Lovelace')!;
    const marked = await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${ada.id}`, { headers: manager.headers, body: { status: 'safe' } });
    expect(marked.status).toBe(200);
    expect(marked.body.seq).toBe(2);
    expect(marked.body.entry).toMatchObject({ status: 'safe', markedBy: expect.any(String) });
    const back = await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${ada.id}`, { headers: manager.headers, body: { status: 'unaccounted' } });
    expect(back.body.seq).toBe(3);
    await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${ada.id}`, { headers: manager.headers, body: { status: 'safe' } });
    const view = await call(env.app, 'GET', `/api/signin/roll-calls/${rc.rollCall.id}`, { headers: t.owner.headers });
    expect(view.body.rollCall).toMatchObject({ safe: 1, unaccounted: 1, seq: 4 });
    const closed = await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/close`, { headers: manager.headers });
    expect(closed.status).toBe(200);
    expect(closed.body.rollCall).toMatchObject({ status: 'closed', safe: 1, unaccounted: 1, seq: 5 });
    expect(closed.body.rollCall.closedAt).toEqual(expect.any(String));
    const late = await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${ada.id}`, { headers: manager.headers, body: { status: 'unaccounted' } });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('roll_call_closed');
    const list = await call(env.app, 'GET', '/api/signin/roll-calls', { headers: t.owner.headers });
    expect(list.body.items).toEqual([expect.objectContaining({ id: rc.rollCall.id, status: 'closed', total: 2, safe: 1 })]);
    // A new roll call may start once the last one is closed.
    expect((await call(env.app, 'POST', `/api/signin/sites/${s.site.id}/roll-calls`, { headers: t.owner.headers, body: {} })).status).toBe(201);
    const actions = (await env.platform.db.select().from(auditLog).where(eq(auditLog.tenantId, t.tenantId))).map((r) => r.action);
    expect(actions.filter((a) => a === 'roll_call.marked')).toHaveLength(3);
    expect(actions).toContain('roll_call.closed');
  });

  it('adds who signs in during the roll call and shows who signs out; other sites and hidden groups stay out', async () => {
    const t = await createTestTenant(env);
    const s = await scene(t);
    const rc = await startRollCall(t, s.site.id);
    const late = await makeVisit(env, { tenantId: t.tenantId, siteId: s.site.id, groupId: s.staff.id, personName: 'Late Comer' });
    const base = { tenantId: t.tenantId, siteId: s.site.id, memberId: null, at: new Date().toISOString(), visit: {} };
    await emit({ ...base, type: 'visit.signed_in', visitId: late.id, groupId: s.staff.id });
    const guard = await makeVisit(env, { tenantId: t.tenantId, siteId: s.site.id, groupId: s.hidden.id, personName: 'Second Guard' });
    await emit({ ...base, type: 'visit.signed_in', visitId: guard.id, groupId: s.hidden.id });
    const away = await makeVisit(env, { tenantId: t.tenantId, siteId: s.otherSite.id, groupId: s.staff.id, personName: 'Away' });
    await emit({ ...base, siteId: s.otherSite.id, type: 'visit.signed_in', visitId: away.id, groupId: s.staff.id });
    await emit({ ...base, type: 'visit.signed_out', visitId: s.adaVisit.id, groupId: s.staff.id });
    const view = await call(env.app, 'GET', `/api/signin/roll-calls/${rc.rollCall.id}`, { headers: t.owner.headers });
    const names = view.body.entries.map((e: { personName: string }) => e.personName).sort();
    expect(names).toEqual(['<script>x</script> Grace', 'Ada Lovelace', 'Late Comer']);
    expect(view.body.entries.find((e: { personName: string }) => e.personName === 'Late Comer').joinedDuring).toBe(true);
    expect(view.body.entries.find((e: { personName: string }) => e.personName === 'Ada Lovelace').signedOutAt).toEqual(expect.any(String));
    expect(view.body.rollCall.seq).toBe(3);
  });

  it('carries the site’s time zone in every answer that presents a roll call, so its times read as the site’s clock', async () => {
    const t = await createTestTenant(env);
    const kolkata = await makeSite(env, t.tenantId, 'Kolkata', 'Asia/Kolkata');
    const london = await makeSite(env, t.tenantId, 'London', 'Europe/London');
    const staff = await makeGroup(env, t.tenantId, kolkata.id, { name: 'Staff' });
    await makeVisit(env, { tenantId: t.tenantId, siteId: kolkata.id, groupId: staff.id, personName: 'Ada Lovelace' });
    const started = await startRollCall(t, kolkata.id);
    expect(started.rollCall).toMatchObject({ siteName: 'Kolkata', timezone: 'Asia/Kolkata' });
    const other = await startRollCall(t, london.id);
    const view = await call(env.app, 'GET', `/api/signin/roll-calls/${started.rollCall.id}`, { headers: t.owner.headers });
    expect(view.body.rollCall.timezone).toBe('Asia/Kolkata');
    const overview = await call(env.app, 'GET', '/api/signin/overview', { headers: t.owner.headers });
    expect(overview.body.openRollCalls.map((r: { siteName: string; timezone: string }) => [r.siteName, r.timezone]).sort()).toEqual([
      ['Kolkata', 'Asia/Kolkata'],
      ['London', 'Europe/London'],
    ]);
    const closed = await call(env.app, 'POST', `/api/signin/roll-calls/${started.rollCall.id}/close`, { headers: t.owner.headers });
    expect(closed.body.rollCall).toMatchObject({ status: 'closed', timezone: 'Asia/Kolkata' });
    const list = await call(env.app, 'GET', '/api/signin/roll-calls', { headers: t.owner.headers });
    expect(list.body.items.map((r: { id: string; timezone: string }) => [r.id, r.timezone]).sort()).toEqual(
      [
        [started.rollCall.id, 'Asia/Kolkata'],
        [other.rollCall.id, 'Europe/London'],
      ].sort(),
    );
    const offline = await call(env.app, 'POST', `/api/signin/sites/${kolkata.id}/roll-calls/offline`, { headers: t.owner.headers, body: { startedAt: env.platform.now().toISOString() } });
    expect(offline.status).toBe(200);
    expect(offline.body.rollCall.timezone).toBe('Asia/Kolkata');
  });

  it('keeps an archived member on the roll call: archiving never closes an open visit', async () => {
    const t = await createTestTenant(env);
    const s = await scene(t);
    await env.platform.db.update(members).set({ archivedAt: env.platform.now() }).where(eq(members.id, s.ada.id));
    const onSite = await call(env.app, 'GET', `/api/signin/sites/${s.site.id}/on-site`, { headers: t.owner.headers });
    expect(JSON.stringify(onSite.body)).toContain('Ada Lovelace');
    const rc = await startRollCall(t, s.site.id);
    expect(rc.entries.map((e) => e.personName)).toContain('Ada Lovelace');
  });
});

type SseEvent = { id?: string; event?: string; data?: string };

/** Opens an event stream and collects its events. */
async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const ev: SseEvent = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data): ?(.*)$/.exec(line);
            if (m) ev[m[1] as keyof SseEvent] = m[2];
          }
          if (ev.event) events.push(ev);
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    events,
    async close() {
      controller.abort();
      await pump;
    },
  };
}

describe('roll call live feed', { timeout: 30_000 }, () => {
  const streams: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const s of streams) await s.close();
  });

  it('sends a snapshot, then every tick to every device, and replays what a device missed after Last-Event-ID', async () => {
    const t = await createTestTenant(env);
    const s = await scene(t);
    const rc = await startRollCall(t, s.site.id);
    const url = `${base}/api/signin/roll-calls/${rc.rollCall.id}/events`;
    const phoneA = await openStream(url, { cookie: t.owner.headers.cookie });
    streams.push(phoneA);
    const viewer = await t.as('viewer');
    const phoneB = await openStream(url, { cookie: viewer.headers.cookie });
    streams.push(phoneB);
    expect(phoneA.status).toBe(200);
    expect(phoneA.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const [snapshot] = await waitFor(() => (phoneA.events.length > 0 ? phoneA.events : undefined), { what: 'snapshot' });
    expect(snapshot!.event).toBe('snapshot');
    expect(snapshot!.id).toBe('1');
    expect(JSON.parse(snapshot!.data!).entries).toHaveLength(2);
    await waitFor(() => phoneB.events.length > 0, { what: 'snapshot on B' });

    const ada = rc.entries.find((e) => e.personName === 'Ada Lovelace')!;
    await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${ada.id}`, { headers: t.owner.headers, body: { status: 'safe' } });
    for (const phone of [phoneA, phoneB]) {
      const tick = await waitFor(() => phone.events.find((e) => e.id === '2'), { what: 'tick' });
      expect(tick.event).toBe('entry.updated');
      expect(JSON.parse(tick.data!)).toMatchObject({ seq: 2, type: 'entry.updated', data: { entry: { id: ada.id, status: 'safe' } } });
    }

    // Phone B drops off; two changes happen; it reconnects with the last id it saw.
    await phoneB.close();
    const grace = rc.entries.find((e) => e.personName !== 'Ada Lovelace')!;
    await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/entries/${grace.id}`, { headers: t.owner.headers, body: { status: 'safe' } });
    await call(env.app, 'POST', `/api/signin/roll-calls/${rc.rollCall.id}/close`, { headers: t.owner.headers });
    const again = await openStream(url, { cookie: viewer.headers.cookie, 'last-event-id': '2' });
    streams.push(again);
    await waitFor(() => again.events.length >= 2, { what: 'replay' });
    expect(again.events.map((e) => [e.id, e.event])).toEqual([
      ['3', 'entry.updated'],
      ['4', 'roll_call.closed'],
    ]);
    await waitFor(() => phoneA.events.length >= 4, { what: 'live close on A' });
    expect(phoneA.events.map((e) => e.id)).toEqual(['1', '2', '3', '4']);
  });
});

describe('API document', () => {
  it('describes the live and webhook routes', async () => {
    const res = await call(env.app, 'GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths as Record<string, unknown>);
    for (const p of ['/api/signin/sites/{siteId}/on-site', '/api/signin/roll-calls/{id}/events', '/api/signin/roll-calls/{id}/entries/{entryId}', '/api/signin/webhooks/{id}/deliveries', '/api/signin/webhooks/{id}/test']) {
      expect(paths, p).toContain(p);
    }
  });
});
