import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call } from '../../../../test/factories.js';
import { scimFixture, type ScimFixture, scimUser } from '../fixtures/setup.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { members } from '../../signin/signin.tables.js';
import { scimUsers } from '../scim.tables.js';
import { JOB_SCHEMA } from '../../../platform/jobs/pgboss.js';
import { IMPORT_NEW_MEMBERS_JOB } from '../../integration/index.js';
import { columnsFromDoc, composedScimUserWrites } from './users.repo.js';
import { createScimUsersService, memberInputFrom } from './users.service.js';
import { canonicalDoc } from '../resource/canonical.js';
import { userResource } from '../scim.schema.js';

// Every statement sent through the database adapter: which POSTs shared a statement.
const sent: string[] = [];
const env = useTestEnv({ onStatement: (sql) => sent.push(sql) });

/** A many-user create statement (decision 048): its text names the unnested users. */
const isBatch = (sql: string) => /insert into "scim_users"/i.test(sql) && /"users_member_id"|unnest\(\$\d+::uuid\[\]/i.test(sql) && /unnest/i.test(sql);

/**
 * That POSTs shared a statement, on PostgreSQL. PGlite runs a statement to its end (in this process)
 * before another request gets as far: there, requests never arrive together, and each POST is
 * written alone (the statement itself is tested on both, below).
 */
const expectBatched = (batched: boolean) => expect(batched).toBe(env.platform.database.kind === 'postgres');

/** POSTs sent together (in one tick), with the statements they caused. */
async function together(f: ScimFixture, bodies: unknown[]) {
  const from = sent.length;
  const answers = await Promise.all(bodies.map((b) => f.scim('POST', '/Users', b)));
  const statements = sent.slice(from);
  // Those written alone: each POST's own statement (a batch that failed leaves one per POST).
  const alone = statements.filter((st) => /^with "m" as \(insert into "members"/i.test(st.trim()) && !/unnest/i.test(st)).length;
  return { answers, batches: statements.filter(isBatch).length, alone };
}

const user = scimUser;

describe('the many-user statement (decision 048)', () => {
  it('on either database: each user and member lands as given (quotes, braces, backslashes, the text NULL, no value), answered as a GET answers', async () => {
    const f = await scimFixture(env);
    const writes = composedScimUserWrites(env.contexts.signin.members.composed);
    const names = [`O'Brien "Bob"`, '{braces}, and, commas', 'back\\slash', 'NULL', 'Zoë Ångström'];
    const users = names.map((displayName, i) => {
      const cols = columnsFromDoc(canonicalDoc(userResource, user(`odd${i}@example.test`, { displayName, title: i === 3 ? undefined : displayName, addresses: [{ locality: displayName }] })));
      return { member: memberInputFrom(cols), cols, requestId: `request-${i}` };
    });
    const base = `http://threshold.test${f.base}`;
    const made = await writes.createMany(env.platform.db, f.t.tenantId, f.groupId, users, { kind: 'scim', id: null, label: 'SCIM (Staff)' }, base);
    expect(made).toHaveLength(names.length);
    for (const [i, m] of made.entries()) {
      const got = await f.scim('GET', `/Users/${m!.id}`);
      expect(got.status).toBe(200);
      expect(JSON.parse(m!.json)).toEqual(got.body);
      expect(got.body).toMatchObject({ displayName: names[i], addresses: [{ locality: names[i] }], active: true });
      expect(got.body.title).toBe(i === 3 ? undefined : names[i]);
      const member = await env.contexts.signin.members.get(env.platform.db, f.t.tenantId, m!.id);
      expect(member).toMatchObject({ fullName: names[i], role: i === 3 ? '' : names[i], email: `odd${i}@example.test` });
      const [audit] = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, f.t.tenantId), eq(auditLog.targetId, m!.id)));
      expect(audit).toMatchObject({ requestId: `request-${i}`, actorLabel: 'SCIM (Staff)', action: 'member.created' });
    }
    // Through the service, begun in one tick (so on PGlite too): batched, each answer its own.
    const service = createScimUsersService({ db: env.platform.db, database: env.platform.database, now: env.platform.now, members: env.contexts.signin.members });
    const c = { tenantId: f.t.tenantId, groupId: f.groupId, actor: { kind: 'scim' as const, id: null, label: 'SCIM (Staff)' } };
    const from = sent.length;
    // Each begun a second after the last (on the test's clock): each keeps its own time.
    const begun = ['t1', 't2', 't3', 't4', 't5', 't6'].map((n, i) => {
      const made = service.create({ ...c, actor: { ...c.actor, requestId: `tick-${i}` } }, user(`${n}@example.test`), base);
      env.clock.advance(1_000);
      return made;
    });
    const tick = await Promise.allSettled(begun);
    env.clock.reset();
    expect(sent.slice(from).filter(isBatch).length).toBeGreaterThan(0);
    expect(tick.map((r) => (r.status === 'fulfilled' ? 201 : (r.reason as { status: number }).status))).toEqual([201, 201, 201, 201, 201, 201]);
    for (const r of tick) if (r.status === 'fulfilled') expect(JSON.parse(r.value.json)).toEqual((await f.scim('GET', `/Users/${r.value.id}`)).body);
    const created = tick.flatMap((r) => (r.status === 'fulfilled' ? [(JSON.parse(r.value.json) as { meta: { created: string; lastModified: string } }).meta] : []));
    expect(new Set(created.map((m) => m.created)).size).toBe(6);
    expect(created.map((m) => m.created)).toEqual(created.map((m) => m.created).sort());
    for (const m of created) expect(m.lastModified).toBe(m.created);
    // The list (in created order) has them in the order they came.
    const listed = (await f.scim('GET', '/Users?count=50')).body.Resources as Array<{ userName: string }>;
    expect(listed.map((r) => r.userName).filter((n) => n.startsWith('t'))).toEqual([1, 2, 3, 4, 5, 6].map((i) => `t${i}@example.test`));
    // A taken name (alone or in a batch) is still a 409, the rest made.
    const again = await Promise.allSettled(['t1', 'u1', 'T2', 'u2', 'u3'].map((n) => service.create(c, user(`${n}@example.test`), base)));
    expect(again.map((r) => (r.status === 'fulfilled' ? 201 : (r.reason as { status: number }).status))).toEqual([409, 201, 409, 201, 201]);
    await expectNoOrphans(f, names.length + 9);
    // A group that refuses (another tenant's id here): no rows, nothing written.
    const stranger = await scimFixture(env);
    const none = await writes.createMany(env.platform.db, stranger.t.tenantId, f.groupId, users.slice(0, 2).map((u) => ({ ...u, cols: { ...u.cols, userName: `x${u.cols.userName}` } })), { kind: 'scim', id: null, label: 'x' }, base);
    expect(none).toEqual([undefined, undefined]);
    await expectNoOrphans(f, names.length + 9);
  });
});

describe('SCIM POSTs that arrive together are written together (decision 048)', () => {
  it('each user is made as alone: its answer is what a GET then gives, its member and its own audit row (with its request id)', async () => {
    const f = await scimFixture(env);
    expect((await f.scim('POST', '/Users', user('first@example.test'))).status).toBe(201);
    const names = Array.from({ length: 12 }, (_, i) => `person${i}@example.test`);
    const { answers, batches, alone } = await together(
      f,
      names.map((n, i) => user(n, { displayName: `Person ${i}`, title: i % 2 ? 'Teacher' : undefined, externalId: `ext-${i}`, phoneNumbers: [{ value: `0100 ${i}`, type: 'work' }] })),
    );
    expect(answers.map((a) => a.status)).toEqual(names.map(() => 201));
    expectBatched(batches > 0);
    // The batches wrote (a batch that failed would leave every POST written alone).
    expectBatched(alone < names.length);
    for (const [i, a] of answers.entries()) {
      const id = a.body.id as string;
      expect(a.body).toMatchObject({ userName: names[i], displayName: `Person ${i}`, externalId: `ext-${i}`, active: true, meta: { version: 'W/"1"', location: expect.stringMatching(new RegExp(`^https?://[^/]+${f.base}/Users/${id}$`)) as unknown } });
      expect(a.headers.location).toBe(a.body.meta.location);
      const got = await f.scim('GET', `/Users/${id}`);
      expect(got.body).toEqual(a.body);
      expect(got.headers.etag).toBe(a.headers.etag);
      const member = await env.contexts.signin.members.get(env.platform.db, f.t.tenantId, id);
      expect(member).toMatchObject({ groupId: f.groupId, fullName: `Person ${i}`, role: i % 2 ? 'Teacher' : '', email: names[i], phone: `0100 ${i}`, archivedAt: null, version: 1 });
      const audits = await env.platform.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.tenantId, f.t.tenantId), eq(auditLog.targetId, id)));
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ action: 'member.created', actorKind: 'scim', requestId: a.headers['x-request-id'], summary: `Member created: Person ${i}`, data: { source: 'scim', groupId: f.groupId } });
    }
    // The group's totals and page (kept in memory) show them all.
    const page = await call(env.app, 'GET', `/api/signin/groups/${f.groupId}/members?limit=50`, { headers: f.t.owner.headers });
    expect(page.body.total).toBe(13);
  });

  it('a userName twice in one batch (in any case): one is made, the other gets 409 uniqueness; the rest are made', async () => {
    const f = await scimFixture(env);
    expect((await f.scim('POST', '/Users', user('warm@example.test'))).status).toBe(201);
    const bodies = [user('a@example.test'), user('twin@example.test'), user('b@example.test'), user('TWIN@example.test'), user('c@example.test')];
    const { answers } = await together(f, [user('opener@example.test'), ...bodies]);
    const statuses = answers.slice(1).map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(4);
    const refused = answers.slice(1).filter((a) => a.status === 409);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.body).toMatchObject({ scimType: 'uniqueness', status: '409' });
    expect([answers[2]!.status, answers[4]!.status].sort()).toEqual([201, 409]);
    await expectNoOrphans(f, 6);
  });

  it('a userName already taken in a batch: that POST gets 409, the others are made, nothing half-written', async () => {
    const f = await scimFixture(env);
    expect((await f.scim('POST', '/Users', user('taken@example.test'))).status).toBe(201);
    const { answers } = await together(f, [user('x1@example.test'), user('x2@example.test'), user('Taken@example.test'), user('x3@example.test'), user('x4@example.test')]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 409, 201, 201]);
    expect(answers[2]!.body).toMatchObject({ scimType: 'uniqueness' });
    await expectNoOrphans(f, 5);
  });

  it('POSTs to two groups of a tenant, and inactive users, are never mixed into one batch', async () => {
    const f = await scimFixture(env);
    const g = await scimFixture(env, f.t);
    const from = sent.length;
    const answers = await Promise.all([
      ...[1, 2, 3, 4, 5].map((i) => f.scim('POST', '/Users', user(`f${i}@example.test`))),
      ...[1, 2, 3, 4, 5].map((i) => g.scim('POST', '/Users', user(`g${i}@example.test`))),
      f.scim('POST', '/Users', user('off@example.test', { active: false })),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 11 }, () => 201));
    expect(answers[10]!.body).toMatchObject({ active: false });
    expectBatched(sent.slice(from).some(isBatch));
    for (const [fixture, names] of [
      [f, ['f1', 'f2', 'f3', 'f4', 'f5', 'off']],
      [g, ['g1', 'g2', 'g3', 'g4', 'g5']],
    ] as const) {
      const listed = await fixture.scim('GET', '/Users?count=50');
      expect((listed.body.Resources as Array<{ userName: string }>).map((r) => r.userName.split('@')[0]).sort()).toEqual([...names].sort());
    }
  });

  it('an archived group refuses every POST of a batch as it refuses one alone (the service, past the credential the archive revokes)', async () => {
    const f = await scimFixture(env);
    expect((await f.scim('POST', '/Users', user('before@example.test'))).status).toBe(201);
    expect((await call(env.app, 'POST', `/api/signin/groups/${f.groupId}/archive`, { headers: f.t.owner.headers })).status).toBeLessThan(300);
    const service = createScimUsersService({ db: env.platform.db, database: env.platform.database, now: env.platform.now, members: env.contexts.signin.members });
    const c = { tenantId: f.t.tenantId, groupId: f.groupId, actor: { kind: 'scim' as const, id: null, label: 'SCIM (Staff)' } };
    const base = `http://threshold.test${f.base}`;
    const alone = await Promise.allSettled([service.create(c, user('alone@example.test'), base)]);
    expect(alone[0]!.status).toBe('rejected');
    const from = sent.length;
    const batch = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => service.create(c, user(`late${i}@example.test`), base)));
    expect(sent.slice(from).filter(isBatch).length).toBeGreaterThan(0);
    const why = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? { status: (r.reason as { status: number }).status, message: (r.reason as Error).message } : r.status);
    for (const r of batch) expect(why(r)).toEqual(why(alone[0]!));
    await expectNoOrphans(f, 1);
  });

  it('in a group linked to the record, every member of a batch is imported (the listeners hear them all)', async () => {
    const f = await scimFixture(env);
    const org = await call(env.app, 'POST', '/api/record/organisations', { headers: f.t.owner.headers, body: { name: 'Linked School', type: 'maintained' } });
    expect((await call(env.app, 'PUT', `/api/integration/groups/${f.groupId}/link`, { headers: f.t.owner.headers, body: { organisationId: org.body.id } })).status).toBe(200);
    expect((await f.scim('POST', '/Users', user('warm@example.test'))).status).toBe(201);
    const { answers, batches } = await together(f, [1, 2, 3, 4, 5].map((i) => user(`linked${i}@example.test`)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expectBatched(batches > 0);
    for (const a of answers) {
      const { rows } = await env.platform.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data::text LIKE $2`, [IMPORT_NEW_MEMBERS_JOB, `%${a.body.id as string}%`]);
      expect(rows[0]!.n).toBe(1);
    }
  });
});

/** Every member of the group has its SCIM user and the other way round: `n` of each. */
async function expectNoOrphans(f: ScimFixture, n: number) {
  const m = await env.platform.db.select({ id: members.id }).from(members).where(eq(members.groupId, f.groupId));
  const u = await env.platform.db.select({ id: scimUsers.memberId }).from(scimUsers).where(eq(scimUsers.groupId, f.groupId));
  expect(m.map((r) => r.id).sort()).toEqual(u.map((r) => r.id).sort());
  expect(m).toHaveLength(n);
}
