import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { buildApp } from '../../../app.js';
import { systemActor } from '../../../platform/audit/audit.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { createMembersService } from './members.service.js';
import { createMemberEvents } from './member-events.js';
import { createMemberImport } from './members.import.js';
import { call, createTestTenant, setScopes } from '../../../../test/factories.js';
import { makeGroup, makeMember, makeSite } from '../../../../test/signin-factories.js';
import { waitFor } from '../../../../test/wait.js';

// Every statement sent through the database adapter.
const sent: string[] = [];
const env = useTestEnv({ onStatement: (sql) => sent.push(sql) });
const others: FastifyInstance[] = [];
afterAll(async () => {
  for (const a of others) await a.close();
});

/** The reads sent while a request was answered (writes behind it, rate limits and jobs apart; on PGlite a prepared statement runs as EXECUTE, after its PREPARE once a session). */
async function readsOf(url: string, headers: Record<string, string>, app: FastifyInstance = env.app) {
  const from = sent.length;
  const res = await call(app, 'GET', url, { headers });
  return { res, reads: sent.slice(from).filter((sql) => /^\s*(select|execute)\b/i.test(sql) && !/pgboss\.|rate_counters|pg_notify/i.test(sql)) };
}

/** The members page's statements (decision 037): the page's stored documents, and the group's total on the group's row. */
const isPage = (sql: string) => /signin_members_docs_|^select "doc" from "members"/.test(sql);
const isCount = (sql: string) => /signin_members_count_|^select \(select count\(\*\) from "members"/.test(sql);

describe('the members page (decision 025)', () => {
  it('is one statement once the session is cached, then none: the page is kept in memory (decision 047); an empty page also counts the group (is it there?)', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    for (const name of ['Ann Lee', 'Bob Reyes']) await makeMember(env, t, g.id, { fullName: name });
    const url = `/api/signin/groups/${g.id}/members?limit=50`;
    await readsOf(url, t.owner.headers); // the session resolves and is cached
    await makeMember(env, t, g.id, { fullName: 'Cat Ng' }); // drops the page kept by that read
    const warm = await readsOf(url, t.owner.headers);
    expect(warm.res.status).toBe(200);
    expect(warm.res.body.total).toBe(3);
    expect(warm.reads).toHaveLength(1);
    expect(isPage(warm.reads[0]!)).toBe(true);
    const again = await readsOf(url, t.owner.headers);
    expect(again.reads).toEqual([]);
    expect(again.res.body).toEqual(warm.res.body);
    const emptyUrl = `/api/signin/groups/${(await makeGroup(env, t)).id}/members`;
    const empty = await readsOf(emptyUrl, t.owner.headers);
    expect(empty.res.body).toEqual({ items: [], total: 0 });
    expect(empty.reads.map((r) => [isPage(r), isCount(r)])).toEqual([[true, false], [false, true]]);
    expect((await readsOf(emptyUrl, t.owner.headers)).reads).toEqual([]);
    // A search is read each time; another tenant's caller never gets this tenant's kept page.
    expect((await readsOf(`${url}&q=ann`, t.owner.headers)).reads.some(isPage)).toBe(true);
    expect((await readsOf(`${url}&q=ann`, t.owner.headers)).reads.some(isPage)).toBe(true);
    const stranger = await createTestTenant(env);
    await readsOf(url, stranger.owner.headers); // its session resolves
    const theirs = await readsOf(url, stranger.owner.headers);
    expect(theirs.res.status).toBe(404);
    expect(theirs.reads.map((r) => [isPage(r), isCount(r)])).toEqual([[true, false], [false, true]]);
  });

  it('is one statement for a site-scoped caller too: the site check is in it (decision 031); a group elsewhere is an empty page, then not found', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const g = await makeGroup(env, t, {}, [site.id]);
    await makeMember(env, t, g.id, { fullName: 'Ann Lee' });
    const scoped = await t.as('viewer');
    const url = `/api/signin/groups/${g.id}/members`;
    // A scope change drops cached sessions (also through NOTIFY, which may land after a request):
    // ask until the session is served from memory.
    const cached = () => waitFor(async () => {
      const r = await readsOf(url, scoped.headers);
      return r.reads.some((sql) => /from "sessions"/.test(sql)) ? undefined : r;
    }, { what: 'the session served from memory' });
    await setScopes(env, t, scoped.id, [{ kind: 'site', refId: site.id }]);
    const seen = await cached();
    expect(seen.res.status).toBe(200);
    expect(seen.res.body.items.map((m: { fullName: string }) => m.fullName)).toEqual(['Ann Lee']);
    expect(seen.reads).toHaveLength(1);
    await setScopes(env, t, scoped.id, [{ kind: 'site', refId: (await makeSite(env, t)).id }]);
    const elsewhere = await cached();
    expect(elsewhere.res.status).toBe(404);
    expect(elsewhere.reads.map((r) => [isPage(r), isCount(r)])).toEqual([[true, false], [false, true]]);
  });
});

/** The page counted the group; or was answered with the kept total (the page's statement alone). */
const counted = (reads: string[]) => reads.some(isCount);
/** Not counted: the kept total with the page's statement, or the kept page (no statement). */
const keptForm = (reads: string[]) => !counted(reads);

describe('a group’s total kept in memory (decision 034)', () => {
  /** Reads the page until it is answered with the kept total (a write's NOTIFY may still be on its way), then that answer. */
  const whenKept = (url: string, headers: Record<string, string>, app: FastifyInstance = env.app) =>
    waitFor(async () => {
      const r = await readsOf(url, headers, app);
      return keptForm(r.reads) ? r : undefined;
    }, { what: 'the page answered with the kept total' });

  /** A new tenant's group of three members, and the URL of its members page of two. */
  const groupOfThree = async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    for (const name of ['Ann Lee', 'Bob Reyes', 'Cat Ng']) await makeMember(env, t, g.id, { fullName: name });
    return { t, g, url: `/api/signin/groups/${g.id}/members?limit=2` };
  };

  it('counts a full page once, then not until a write into the group; the total follows every write at once', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const other = await makeGroup(env, t);
    const made = [];
    for (const name of ['Ann Lee', 'Bob Reyes', 'Cat Ng']) made.push(await makeMember(env, t, g.id, { fullName: name }));
    const url = `/api/signin/groups/${g.id}/members?limit=2`;
    const first = await readsOf(url, t.owner.headers);
    expect(first.res.body.total).toBe(3);
    const kept = await whenKept(url, t.owner.headers);
    expect(kept.res.body).toMatchObject({ total: 3, items: [{ fullName: 'Ann Lee' }, { fullName: 'Bob Reyes' }] });
    expect(kept.reads.length).toBeLessThanOrEqual(1); // the page's statement with the kept total, or the kept page itself
    // A page that ends the list tells its own total; the kept one is not needed for it.
    expect((await readsOf(`${url}&offset=2`, t.owner.headers)).res.body.total).toBe(3);

    // Each write: the next page, read as soon as it has answered, has the new total.
    await makeMember(env, t, g.id, { fullName: 'Dan Ode' });
    expect((await readsOf(url, t.owner.headers)).res.body.total).toBe(4);
    await whenKept(url, t.owner.headers);
    expect((await call(env.app, 'POST', `/api/signin/members/${made[0]!.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    expect((await readsOf(url, t.owner.headers)).res.body.total).toBe(3);
    await whenKept(`${url}&archived=archived`, t.owner.headers);
    await whenKept(`${url}&archived=all`, t.owner.headers);
    expect((await call(env.app, 'POST', `/api/signin/members/${made[0]!.id}/restore`, { headers: t.owner.headers })).status).toBe(200);
    expect((await readsOf(`${url}&archived=archived`, t.owner.headers)).res.body.total).toBe(0);
    expect((await readsOf(`${url}&archived=all`, t.owner.headers)).res.body.total).toBe(4);
    await whenKept(url, t.owner.headers);
    const imported = await call(env.app, 'POST', `/api/signin/groups/${g.id}/members/import`, { headers: t.owner.headers, body: { csv: 'fullName\nEve Ray\nFay Wu' } });
    expect(imported.status).toBe(201);
    expect((await readsOf(url, t.owner.headers)).res.body.total).toBe(6);
    await whenKept(url, t.owner.headers);
    const { members: port } = env.contexts.signin;
    await port.remove(env.platform.db, t.tenantId, made[1]!.id, systemActor, 'portal');
    expect((await readsOf(url, t.owner.headers)).res.body.total).toBe(5);
    await whenKept(url, t.owner.headers);
    await port.createMany(env.platform.db, t.tenantId, g.id, [{ fullName: 'Gus Lo' }, { fullName: 'Hal Ma' }], systemActor, 'portal');
    expect((await readsOf(url, t.owner.headers)).res.body.total).toBe(7);

    // A write into another group leaves this one's total kept; a search is counted each time.
    await whenKept(url, t.owner.headers);
    await makeMember(env, t, other.id);
    const searched = await readsOf(`${url}&q=a`, t.owner.headers);
    expect(counted(searched.reads)).toBe(true);
    expect((await whenKept(url, t.owner.headers)).res.body.total).toBe(7);
  });

  it('an instance that hears no NOTIFY still sees its own writes at once (each write drops the total before its commit)', async () => {
    const t = await createTestTenant(env);
    // A members service of its own, subscribed to nothing: only its own writes can drop what it keeps.
    const service = createMembersService({ ...env.platform, events: createMemberEvents() });
    const importer = createMemberImport({ ...env.platform, events: createMemberEvents() }, service);
    const db = env.platform.db;
    const page = async (groupId: string) => {
      const from = sent.length;
      const body = JSON.parse(await service.listPresented(t.tenantId, null, groupId, { archived: 'active', limit: 2, offset: 0 })) as { total: number };
      return { total: body.total, counted: counted(sent.slice(from)) };
    };
    /** A group of three (written through the app: nothing this service waits for), its total kept here. */
    const kept = async () => {
      const g = await makeGroup(env, t);
      const made = [];
      for (const name of ['Ann Lee', 'Bob Reyes', 'Cat Ng']) made.push(await makeMember(env, t, g.id, { fullName: name }));
      expect(await page(g.id)).toEqual({ total: 3, counted: true });
      expect(await page(g.id)).toEqual({ total: 3, counted: false });
      return { g, made };
    };
    const composedCreate = service.port.composed.createWith('test_counts_composed_create', ({ m, a }, d) => d.with(m, a).select({ m: { id: m.id, groupId: m.groupId } }).from(m));
    const composedArchive = service.port.composed.changeWith('archive', 'test_counts_composed_archive', (member, d) => {
      const { m, a } = member(sql`${sql.placeholder('id')}::uuid`);
      return d.with(m, a).select({ m: { id: m.id, groupId: m.groupId } }).from(m);
    });
    const writes: Array<[string, (g: { id: string }, made: Array<{ id: string }>) => Promise<unknown>, number]> = [
      ['create', (g) => service.port.create(db, t.tenantId, g.id, { fullName: 'Dan Ode' }, systemActor, 'portal'), 4],
      ['createMany', (g) => service.port.createMany(db, t.tenantId, g.id, [{ fullName: 'Eve Ray' }], systemActor, 'portal'), 4],
      ['import', (g) => importer.commit(t.tenantId, null, g.id, 'fullName\nFay Wu', systemActor), 4],
      ['archive', (_g, made) => service.port.archive(db, t.tenantId, made[0]!.id, systemActor, 'portal'), 2],
      ['remove', (_g, made) => service.port.remove(db, t.tenantId, made[0]!.id, systemActor, 'portal'), 2],
      // Another context's composed statements (SCIM's POST and PATCH active, decision 033), run alone: no listener hears them.
      ['composed create', (g) => composedCreate(db, t.tenantId, g.id, { fullName: 'Ida Po' }, systemActor, 'portal', {}), 4],
      ['composed archive', (g, made) => composedArchive(db, t.tenantId, g.id, systemActor, 'portal', { id: made[0]!.id }), 2],
    ];
    for (const [what, write, total] of writes) {
      const { g, made } = await kept();
      await write(g, made);
      expect({ what, ...(await page(g.id)) }).toEqual({ what, total, counted: true });
    }
    // Restore: a member archived through the app, then the total kept here, then restored here.
    const { g, made } = await kept();
    expect((await call(env.app, 'POST', `/api/signin/members/${made[0]!.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    await waitFor(async () => (await page(g.id)).counted === false, { what: 'the total of 2 kept' });
    await service.port.restore(db, t.tenantId, made[0]!.id, systemActor, 'portal');
    expect(await page(g.id)).toEqual({ total: 3, counted: true });
    // An edit changes no total: the kept one still holds.
    const other = await kept();
    await service.port.update(db, t.tenantId, other.made[0]!.id, { role: 'Teacher' }, systemActor, 'portal');
    expect(await page(other.g.id)).toEqual({ total: 3, counted: false });
  });

  it('a page kept in memory follows every write of this instance at once, edits too, with no NOTIFY (decision 047)', async () => {
    const t = await createTestTenant(env);
    // A members service of its own, subscribed to nothing: only its own writes can drop what it keeps.
    const service = createMembersService({ ...env.platform, events: createMemberEvents() });
    const importer = createMemberImport({ ...env.platform, events: createMemberEvents() }, service);
    const db = env.platform.db;
    const q = { archived: 'active' as const, limit: 50, offset: 0 };
    /** The page as this service answers it, and whether it read the database for it. */
    const page = async (groupId: string) => {
      const from = sent.length;
      const body = await service.listPresented(t.tenantId, null, groupId, q);
      return { body, read: sent.slice(from).some(isPage) };
    };
    /** The page as a service that keeps nothing yet reads it: what the database holds now. */
    const truth = async (groupId: string) => createMembersService({ ...env.platform, events: createMemberEvents() }).listPresented(t.tenantId, null, groupId, q);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16, 1)]);
    const composedCreate = service.port.composed.createWith('test_pages_composed_create', ({ m, a }, d) => d.with(m, a).select({ m: { id: m.id, groupId: m.groupId } }).from(m));
    const composedArchive = service.port.composed.changeWith('archive', 'test_pages_composed_archive', (member, d) => {
      const { m, a } = member(sql`${sql.placeholder('id')}::uuid`);
      return d.with(m, a).select({ m: { id: m.id, groupId: m.groupId } }).from(m);
    });
    const writes: Array<[string, (g: { id: string }, made: Array<{ id: string }>) => Promise<unknown>]> = [
      ['create', (g) => service.port.create(db, t.tenantId, g.id, { fullName: 'Dan Ode' }, systemActor, 'portal')],
      ['createMany', (g) => service.port.createMany(db, t.tenantId, g.id, [{ fullName: 'Eve Ray' }], systemActor, 'portal')],
      ['import', (g) => importer.commit(t.tenantId, null, g.id, 'fullName\nFay Wu', systemActor)],
      ['archive', (_g, made) => service.port.archive(db, t.tenantId, made[0]!.id, systemActor, 'portal')],
      ['remove', (_g, made) => service.port.remove(db, t.tenantId, made[0]!.id, systemActor, 'portal')],
      ['composed create', (g) => composedCreate(db, t.tenantId, g.id, { fullName: 'Ida Po' }, systemActor, 'portal', {})],
      ['composed archive', (g, made) => composedArchive(db, t.tenantId, g.id, systemActor, 'portal', { id: made[0]!.id })],
      ['update (the port)', (_g, made) => service.port.update(db, t.tenantId, made[0]!.id, { role: 'Teacher' }, systemActor, 'portal')],
      ['edit (the portal)', (_g, made) => service.edit(t.tenantId, null, made[1]!.id, { fullName: 'Bob Reyes-Ode' }, systemActor, 'portal')],
      ['updateMany', (_g, made) => service.port.updateMany(db, t.tenantId, [{ memberId: made[2]!.id, patch: { email: 'cat@example.org' } }], systemActor, 'sync')],
      ['photo', (_g, made) => service.setPhoto(t.tenantId, null, made[0]!.id, png, 'image/png', systemActor)],
      ['new QR code', (_g, made) => service.regenerateQr(t.tenantId, null, made[0]!.id, systemActor)],
    ];
    for (const [what, write] of writes) {
      const g = await makeGroup(env, t);
      const made = [];
      for (const name of ['Ann Lee', 'Bob Reyes', 'Cat Ng']) made.push(await makeMember(env, t, g.id, { fullName: name }));
      const before = await page(g.id);
      expect({ what, read: before.read }).toEqual({ what, read: true });
      expect({ what, read: (await page(g.id)).read }).toEqual({ what, read: false }); // kept
      await write(g, made);
      const after = await page(g.id);
      expect({ what, read: after.read, changed: after.body !== before.body }).toEqual({ what, read: true, changed: true });
      expect({ what, body: after.body }).toEqual({ what, body: await truth(g.id) });
    }
    // A rolled-back edit: the page read afterwards is read again, and is as it was.
    const g = await makeGroup(env, t);
    const ann = await makeMember(env, t, g.id, { fullName: 'Ann Lee' });
    const before = await page(g.id);
    await expect(
      inTransaction(db, async (tx) => {
        await service.port.update(tx, t.tenantId, ann.id, { role: 'Not kept' }, systemActor, 'portal');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await page(g.id)).toEqual({ body: before.body, read: true });
  });

  it('a write that rolls back leaves the total as it was', async () => {
    const { t, g, url } = await groupOfThree();
    await whenKept(url, t.owner.headers);
    const { members: port } = env.contexts.signin;
    await expect(
      inTransaction(env.platform.db, async (tx) => {
        await port.create(tx, t.tenantId, g.id, { fullName: 'Not Kept' }, systemActor, 'portal');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const after = await readsOf(url, t.owner.headers);
    expect(after.res.body.total).toBe(3);
    expect(counted(after.reads)).toBe(true);
  });

  it('another instance drops its kept total and page when a write commits here (NOTIFY)', async () => {
    const { t, g, url } = await groupOfThree();
    const b = await buildApp(env.platform, { logger: false, serveWeb: false });
    others.push(b);
    await b.ready();
    expect((await whenKept(url, t.owner.headers, b)).res.body.total).toBe(3);
    expect((await readsOf(url, t.owner.headers, b)).reads).toEqual([]); // the page itself is kept on b
    const ann = (await readsOf(url, t.owner.headers, b)).res.body.items[0] as { id: string; version: number };
    await makeMember(env, t, g.id, { fullName: 'Dan Ode' });
    // Kept for MEMBER_COUNTS.pageTtlMs (10 s): within 5 s only the notification (sent a quarter of a second later) can make instance b read again.
    await waitFor(async () => (await call(b, 'GET', url, { headers: t.owner.headers })).body.total === 4, { what: 'instance b to see the new total', timeoutMs: 5_000 });
    // An edit (no total changes) reaches b's kept page the same way.
    expect((await readsOf(url, t.owner.headers, b)).reads).toEqual([]);
    expect((await call(env.app, 'PATCH', `/api/signin/members/${ann.id}`, { headers: t.owner.headers, body: { role: 'Head of Year', version: ann.version } })).status).toBe(200);
    await waitFor(async () => (await call(b, 'GET', url, { headers: t.owner.headers })).body.items[0].role === 'Head of Year', { what: 'instance b to see the edit', timeoutMs: 5_000 });
  });

  // PostgreSQL only: the read needs a second connection while the write's transaction is open
  // (PGlite has one, which the transaction holds).
  if (process.env.TEST_DB === 'postgres') it('a page read while a write is not yet committed is not kept', async () => {
    const { t, g, url } = await groupOfThree();
    await whenKept(url, t.owner.headers);
    const { members: port } = env.contexts.signin;
    await inTransaction(env.platform.db, async (tx) => {
      await port.create(tx, t.tenantId, g.id, { fullName: 'Dan Ode' }, systemActor, 'portal');
      const during = await readsOf(url, t.owner.headers);
      expect(during.res.body.total).toBe(3);
      expect(counted(during.reads)).toBe(true);
    });
    // Committed: read at once, before this instance may have heard its own NOTIFY.
    expect((await readsOf(url, t.owner.headers)).res.body.total).toBe(4);
  });
});
