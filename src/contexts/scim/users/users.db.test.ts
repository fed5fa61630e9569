import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { scimFixture, type ScimFixture, scimUser } from '../fixtures/setup.js';
import { sql } from 'drizzle-orm';
import { scimBaseUrl } from '../resource/resource.presenters.js';
import { presentUser, userDocSql } from './users.presenters.js';
import { preparedScimUserReads, preparedScimUserWrites, scimUsersRepo } from './users.repo.js';

const env = useTestEnv();
const T = { timeout: 60_000 };

const user = scimUser;

async function create(f: ScimFixture, userName: string, extra: Record<string, unknown> = {}) {
  const res = await f.scim('POST', '/Users', user(userName, extra));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const isScimError = (body: Record<string, any>, status: number, scimType?: string) => {
  expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  expect(body.status).toBe(String(status));
  expect(typeof body.detail).toBe('string');
  if (scimType) expect(body.scimType).toBe(scimType);
};

describe('SCIM authentication', () => {
  it('answers 401 in the SCIM error shape without a token, with a wrong one, and with another group’s token', T, async () => {
    const a = await scimFixture(env);
    const b = await scimFixture(env, a.t);
    const other = await scimFixture(env);
    const id = await create(a, 'ann@example.test');
    const tries: Array<Record<string, string>> = [{}, { authorization: 'non-token' }, { authorization: 'Bearer thr_scim_wrong' }, { authorization: `Bearer ${b.token}` }, { authorization: `Bearer ${other.token}` }];
    for (const headers of tries) {
      for (const url of [`${a.base}/Users`, `${a.base}/Users/${id}`, `${a.base}/Users?filter=userName%20eq%20%22ann%40example.test%22`]) {
        const res = await call(env.app, 'GET', url, { headers });
        expect(res.status, `${JSON.stringify(headers)} ${url}`).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
        isScimError(res.body, 401);
        expect(JSON.stringify(res.body)).not.toContain('ann@example.test');
      }
    }
    // Group b's own URL works with its token and does not see a's user.
    const list = await b.scim('GET', '/Users');
    expect(list.status).toBe(200);
    expect(list.body.totalResults).toBe(0);
    expect((await b.scim('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('revokes the previous token when a new one is generated', T, async () => {
    const f = await scimFixture(env);
    expect((await f.scim('GET', '/Users')).status).toBe(200);
    const regen = await call(env.app, 'POST', `/api/scim/groups/${f.groupId}/token`, { headers: f.t.owner.headers });
    expect(regen.status).toBe(201);
    expect((await f.scim('GET', '/Users')).status).toBe(401);
    const fresh = await call(env.app, 'GET', `${f.base}/Users`, { headers: { authorization: `Bearer ${regen.body.token}` } });
    expect(fresh.status).toBe(200);
  });
});

describe('SCIM /Users', () => {
  it('serves the discovery documents', T, async () => {
    const f = await scimFixture(env);
    const spc = await f.scim('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 1000 }, bulk: { supported: false }, sort: { supported: true }, etag: { supported: true } });
    const types = await f.scim('GET', '/ResourceTypes');
    expect(types.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    const schemas = await f.scim('GET', '/Schemas');
    expect(schemas.body.totalResults).toBe(3);
    const userSchema = schemas.body.Resources.find((s: { id: string }) => s.id === 'urn:ietf:params:scim:schemas:core:2.0:User');
    const names = userSchema.attributes.map((a: { name: string }) => a.name);
    expect(names).toContain('userName');
    expect(names).not.toContain('password');
    expect(names).not.toContain('x509Certificates');
    expect((await f.scim('GET', '/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User')).status).toBe(200);
    expect((await f.scim('GET', '/Nope')).status).toBe(404);
  });

  it('answers 404 for unknown ids of any shape, and for another group’s user', T, async () => {
    const f = await scimFixture(env);
    const g = await scimFixture(env, f.t);
    const theirs = await create(g, 'theirs@example.test');
    for (const id of ['abc', '0'.repeat(30), '00919288221112222', 'x'.repeat(90), randomUUID(), theirs, '%27%3B--']) {
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE'] as const) {
        const body = method === 'PUT' ? user('x@example.test') : method === 'PATCH' ? { Operations: [{ op: 'replace', path: 'title', value: 'x' }] } : undefined;
        const res = await f.scim(method, `/Users/${id}`, body);
        expect(res.status, `${method} ${id}`).toBe(404);
        isScimError(res.body, 404);
      }
    }
    const long = await f.scim('GET', `/Users/${'9'.repeat(4000)}`);
    expect(long.status).toBe(404);
    // The other group's user is untouched.
    expect((await g.scim('GET', `/Users/${theirs}`)).body.userName).toBe('theirs@example.test');
  });

  it('keeps userName unique per group, case-insensitively (409 uniqueness), but not externalId', T, async () => {
    const f = await scimFixture(env);
    const id = await create(f, 'Bob@Example.test', { externalId: 'same' });
    const dup = await f.scim('POST', '/Users', user('bob@example.TEST'));
    expect(dup.status).toBe(409);
    isScimError(dup.body, 409, 'uniqueness');
    const other = await create(f, 'carol@example.test', { externalId: 'same' });
    const rename = await f.scim('PATCH', `/Users/${other}`, { Operations: [{ op: 'replace', path: 'userName', value: 'BOB@example.test' }] });
    expect(rename.status).toBe(409);
    isScimError(rename.body, 409, 'uniqueness');
    const put = await f.scim('PUT', `/Users/${other}`, user('bob@EXAMPLE.test'));
    expect(put.status).toBe(409);
    // Same userName in another SCIM group is fine; after DELETE the name is free again.
    const g = await scimFixture(env, f.t);
    await create(g, 'bob@example.test');
    expect((await f.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    await create(f, 'bob@example.test');
  });

  it('rejects bad input with the right scimType', T, async () => {
    const f = await scimFixture(env);
    const id = await create(f, 'dan@example.test', { title: 'Teacher' });
    const missing = await f.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], name: { givenName: 'No' } });
    expect(missing.status).toBe(400);
    isScimError(missing.body, 400, 'invalidValue');
    const blank = await f.scim('POST', '/Users', user('   '));
    isScimError(blank.body, 400, 'invalidValue');
    for (const contentType of ['application/scim+json', 'application/json']) {
      const bad = await env.app.inject({ method: 'POST', url: `${f.base}/Users`, headers: { authorization: `Bearer ${f.token}`, 'content-type': contentType }, payload: '{"userName": ' });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/scim\+json/);
      isScimError(bad.json(), 400, 'invalidSyntax');
    }
    for (const filter of ['userName eq', 'shoeSize eq "9"', 'password eq "x"', 'emails[nope eq "x"]']) {
      const res = await f.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(res.status, filter).toBe(400);
      isScimError(res.body, 400, 'invalidFilter');
    }
    const path = await f.scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'shoeSize', value: 9 }] });
    isScimError(path.body, 400, 'invalidPath');
    const badPath = await f.scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] });
    isScimError(badPath.body, 400, 'invalidPath');
    const big = await f.scim('POST', '/Users', user('big@example.test', { title: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
    isScimError(big.body, 413);
    const count = await f.scim('GET', '/Users?count=ten');
    isScimError(count.body, 400, 'invalidValue');
  });

  it('refuses Object’s own names as attributes to filter or sort by (400, not a 500 or a silent sort), on /Users and /Groups', T, async () => {
    const f = await scimFixture(env);
    await create(f, 'proto@example.test');
    for (const resource of ['Users', 'Groups']) {
      for (const filter of ['__proto__ eq "x"', 'constructor eq "x"', 'emails.__proto__ eq "x"', 'emails[__proto__ eq "x"]', 'members.constructor pr']) {
        const res = await f.scim('GET', `/${resource}?filter=${encodeURIComponent(filter)}`);
        expect([resource, filter, res.status]).toEqual([resource, filter, 400]);
        isScimError(res.body, 400, 'invalidFilter');
      }
      for (const sortBy of ['__proto__', 'constructor', 'urn:ietf:params:scim:schemas:core:2.0:User:__proto__']) {
        const res = await f.scim('GET', `/${resource}?sortBy=${encodeURIComponent(sortBy)}`);
        expect([resource, sortBy, res.status]).toEqual([resource, sortBy, 400]);
        isScimError(res.body, 400, 'invalidValue');
      }
    }
  });

  it('refuses an externalId too long for its index (400 invalidValue, nothing written), by POST, PUT and PATCH', T, async () => {
    const f = await scimFixture(env);
    // Text that does not compress: over the b-tree's ~2.7 kB limit, the index refused it (a 500).
    const long = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');
    const post = await f.scim('POST', '/Users', user('long@example.test', { externalId: long }));
    expect(post.status, JSON.stringify(post.body)).toBe(400);
    isScimError(post.body, 400, 'invalidValue');
    expect(post.body.detail).toMatch(/externalId/);
    expect((await f.scim('GET', '/Users?filter=userName eq "long@example.test"')).body.totalResults).toBe(0);
    const id = await create(f, 'short@example.test', { externalId: 'x'.repeat(512) });
    const put = await f.scim('PUT', `/Users/${id}`, user('short@example.test', { externalId: long }));
    isScimError(put.body, 400, 'invalidValue');
    const patch = await f.scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'externalId', value: long }] });
    isScimError(patch.body, 400, 'invalidValue');
    expect((await f.scim('GET', `/Users/${id}`)).body.externalId).toBe('x'.repeat(512));
  });

  it('never lets a null, empty or removed `active` reactivate a user: 400 invalidValue by PATCH (path, no path, remove) and PUT; POST too', T, async () => {
    const f = await scimFixture(env);
    const id = await create(f, 'left@example.test', { active: false, title: 'Left' });
    const version = (await f.scim('GET', `/Users/${id}`)).body.meta.version;
    const tries: Array<[string, unknown]> = [
      ['PATCH', { Operations: [{ op: 'replace', path: 'active', value: null }] }],
      ['PATCH', { Operations: [{ op: 'replace', value: { active: null } }] }],
      ['PATCH', { Operations: [{ op: 'Replace', value: { active: null, title: 'Back' } }] }],
      ['PATCH', { Operations: [{ op: 'add', path: 'active', value: '' }] }],
      ['PATCH', { Operations: [{ op: 'remove', path: 'active' }] }],
      ['PUT', user('left@example.test', { active: null, title: 'Back' })],
    ];
    for (const [method, body] of tries) {
      const res = await f.scim(method as 'PATCH' | 'PUT', `/Users/${id}`, body);
      expect(res.status, `${method} ${JSON.stringify(body)}`).toBe(400);
      isScimError(res.body, 400, 'invalidValue');
      expect(res.body.detail).toMatch(/active/);
    }
    const after = await f.scim('GET', `/Users/${id}`);
    expect(after.body.active).toBe(false);
    expect(after.body.title).toBe('Left');
    expect(after.body.meta.version).toBe(version);
    const m = await env.contexts.signin.members.find(env.platform.db, f.t.tenantId, id);
    expect(m!.archivedAt).not.toBeNull();
    // PUT without `active` keeps it (as before); a POST with `active: null` is refused, not made active.
    expect((await f.scim('PUT', `/Users/${id}`, user('left@example.test', { title: 'Left' }))).body.active).toBe(false);
    const post = await f.scim('POST', '/Users', user('null@example.test', { active: null }));
    isScimError(post.body, 400, 'invalidValue');
    expect((await f.scim('GET', '/Users?filter=userName eq "null@example.test"')).body.totalResults).toBe(0);
  });

  it('applies a PATCH with several operations in one transaction or not at all', T, async () => {
    const f = await scimFixture(env);
    const id = await create(f, 'eve@example.test', { title: 'Teacher', active: true });
    const res = await f.scim('PATCH', `/Users/${id}`, {
      Operations: [
        { op: 'replace', path: 'title', value: 'Head' },
        { op: 'replace', value: { active: false } },
        { op: 'replace', path: 'no.such.path', value: 'x' },
      ],
    });
    expect(res.status).toBe(400);
    const after = await f.scim('GET', `/Users/${id}`);
    expect(after.body.title).toBe('Teacher');
    expect(after.body.active).toBe(true);
    const m = await env.contexts.signin.members.find(env.platform.db, f.t.tenantId, id);
    expect(m!.role).toBe('Teacher');
    expect(m!.archivedAt).toBeNull();
    // A uniqueness failure after earlier operations also leaves nothing behind.
    await create(f, 'frank@example.test');
    const clash = await f.scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'title', value: 'Head' }, { op: 'replace', path: 'userName', value: 'FRANK@example.test' }] });
    expect(clash.status).toBe(409);
    expect((await f.scim('GET', `/Users/${id}`)).body.title).toBe('Teacher');
  });

  it('pages in a stable order with totalResults counting every match', T, async () => {
    const f = await scimFixture(env);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await create(f, `page${i}@example.test`, { title: i % 2 === 0 ? 'Even' : 'Odd' }));
    const seen: string[] = [];
    for (const start of [1, 4, 7]) {
      const page = await f.scim('GET', `/Users?startIndex=${start}&count=3`);
      expect(page.body.totalResults).toBe(7);
      expect(page.body.startIndex).toBe(start);
      expect(page.body.itemsPerPage).toBe(page.body.Resources.length);
      seen.push(...page.body.Resources.map((r: { id: string }) => r.id));
    }
    expect(seen).toEqual(ids);
    const again = await f.scim('GET', '/Users?startIndex=4&count=3');
    expect(again.body.Resources.map((r: { id: string }) => r.id)).toEqual(ids.slice(3, 6));
    const filtered = await f.scim('GET', `/Users?filter=${encodeURIComponent('title eq "even"')}&count=2`);
    expect(filtered.body.totalResults).toBe(4);
    expect(filtered.body.Resources).toHaveLength(2);
    const filteredPast = await f.scim('GET', `/Users?filter=${encodeURIComponent('title eq "even"')}&startIndex=5&count=2`);
    expect(filteredPast.body).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
    const filteredZero = await f.scim('GET', `/Users?filter=${encodeURIComponent('title eq "odd"')}&count=0`);
    expect(filteredZero.body).toMatchObject({ totalResults: 3, Resources: [] });
    const filteredLast = await f.scim('GET', `/Users?filter=${encodeURIComponent('title eq "odd"')}&startIndex=3&count=2`);
    expect(filteredLast.body.totalResults).toBe(3);
    expect(filteredLast.body.Resources.map((r: { id: string }) => r.id)).toEqual([ids[5]]);
    const past = await f.scim('GET', '/Users?startIndex=50&count=10');
    expect(past.body).toMatchObject({ totalResults: 7, itemsPerPage: 0, Resources: [] });
    const zero = await f.scim('GET', '/Users?count=0');
    expect(zero.body).toMatchObject({ totalResults: 7, Resources: [] });
    const low = await f.scim('GET', '/Users?startIndex=-3&count=1');
    expect(low.body.startIndex).toBe(1);
    expect(low.body.Resources[0].id).toBe(ids[0]);
  });

  it('filters with and/or/not, co/sw/ew/pr/gt, value paths and the enterprise URN', T, async () => {
    const f = await scimFixture(env);
    const a = await create(f, 'gina@school.test', { title: 'Teacher', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Maths' } });
    const b = await create(f, 'hal@office.test', { active: false, emails: [{ value: 'hal@office.test', type: 'home' }] });
    const c = await create(f, 'ivy@school.test', { title: 'Caretaker' });
    const q = async (filter: string) => {
      const res = await f.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(res.status, `${filter}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body.Resources.map((r: { id: string }) => r.id).sort();
    };
    const sorted = (...x: string[]) => [...x].sort();
    expect(await q('userName ew "@SCHOOL.test"')).toEqual(sorted(a, c));
    expect(await q('userName sw "g" or userName sw "h"')).toEqual(sorted(a, b));
    expect(await q('not (title pr)')).toEqual([b]);
    expect(await q('title pr and not (title eq "teacher")')).toEqual([c]);
    expect(await q('active eq false')).toEqual([b]);
    expect(await q('emails[type eq "home"]')).toEqual([b]);
    expect(await q('emails[type eq "work"].value co "school"')).toEqual(sorted(a, c));
    expect(await q('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "maths"')).toEqual([a]);
    expect(await q('userName gt "h"')).toEqual(sorted(b, c));
    expect(await q(`id eq "${a}"`)).toEqual([a]);
    expect(await q('meta.created gt "2000-01-01T00:00:00Z"')).toEqual(sorted(a, b, c));
    expect(await q('userName eq "100%"')).toEqual([]);
    expect(await q('userName co "%"')).toEqual([]);
  });

  it('returns attributes / excludedAttributes and tolerates unknown parameters', T, async () => {
    const f = await scimFixture(env);
    const id = await create(f, 'jo@example.test', { title: 'Teacher' });
    const only = await f.scim('GET', `/Users/${id}?attributes=userName,name.givenName`);
    expect(Object.keys(only.body).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
    expect(Object.keys(only.body.name)).toEqual(['givenName']);
    const without = await f.scim('GET', `/Users?excludedAttributes=emails,meta&foo=bar`);
    expect(without.status).toBe(200);
    expect(without.body.Resources[0].emails).toBeUndefined();
    expect(without.body.Resources[0].meta).toBeUndefined();
    expect(without.body.Resources[0].title).toBe('Teacher');
  });

  it('keeps the member row in step: created, updated, archived, restored, removed', T, async () => {
    const f = await scimFixture(env);
    const id = await create(f, 'kim@example.test', {
      displayName: 'Kim K',
      title: 'Librarian',
      phoneNumbers: [{ value: '0113', type: 'work' }],
      active: false,
    });
    const row = async () => (await env.contexts.signin.members.find(env.platform.db, f.t.tenantId, id))!;
    let m = await row();
    expect(m).toMatchObject({ groupId: f.groupId, fullName: 'Kim K', role: 'Librarian', email: 'kim@example.test', phone: '0113' });
    expect(m.archivedAt).not.toBeNull();
    await f.scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', value: { active: true, title: 'Head Librarian' } }] });
    m = await row();
    expect(m.archivedAt).toBeNull();
    expect(m.role).toBe('Head Librarian');
    expect((await f.scim('GET', `/Users?filter=${encodeURIComponent('active eq true')}`)).body.totalResults).toBe(1);
    expect((await f.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    m = await row();
    expect(m.deletedAt).not.toBeNull();
    expect((await f.scim('GET', `/Users/${id}`)).status).toBe(404);
    expect((await f.scim('GET', '/Users')).body.totalResults).toBe(0);
    expect((await f.scim('DELETE', `/Users/${id}`)).status).toBe(404);
  });

  it('gives the member a name, role, email and phone the portal would take: never blank, never a cut surrogate pair, within its limits', T, async () => {
    const f = await scimFixture(env);
    const member = async (id: string) => (await env.contexts.signin.members.find(env.platform.db, f.t.tenantId, id))!;
    // A blank displayName falls through to the next name, as an absent one does.
    const blank = await create(f, 'blank@example.test', { displayName: '   ', name: { givenName: ' ', familyName: '' } });
    expect((await member(blank)).fullName).toBe('blank@example.test');
    // A name cut at 200 UTF-16 units between the halves of an emoji loses the emoji, not a half of it (stored as U+FFFD).
    const cut = await create(f, 'cut@example.test', { displayName: `${'a'.repeat(199)}😀 b`, title: 'T'.repeat(5000) });
    const m = await member(cut);
    expect(m.fullName).toBe('a'.repeat(199));
    expect(m.role).toBe('T'.repeat(200));
    // An email or phone number longer than the member's own limits (320, 40) is none there (the SCIM user keeps it).
    const long = await create(f, 'long@example.test', { emails: [{ value: `${'e'.repeat(400)}@example.test`, primary: true }], phoneNumbers: [{ value: '1'.repeat(41) }] });
    expect(await member(long)).toMatchObject({ email: null, phone: null });
    expect((await f.scim('GET', `/Users/${long}`)).body.emails[0].value).toHaveLength(413);
    // Both as the general path writes them too (a PATCH of the name, in a transaction).
    const patched = await f.scim('PATCH', `/Users/${blank}`, { Operations: [{ op: 'replace', path: 'displayName', value: `${'b'.repeat(199)}😀` }] });
    expect(patched.status).toBe(200);
    expect((await member(blank)).fullName).toBe('b'.repeat(199));
  });

  it('PUT replaces everything but read-only attributes', T, async () => {
    const f = await scimFixture(env);
    const id = await create(f, 'lee@example.test', { title: 'Teacher', nickName: 'L' });
    const res = await f.scim('PUT', `/Users/${id}`, { ...user('lee@example.test'), id: randomUUID(), meta: { created: '2000-01-01T00:00:00Z' }, displayName: 'Lee' });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
    expect(res.body.title).toBeUndefined();
    expect(res.body.nickName).toBeUndefined();
    expect(res.body.displayName).toBe('Lee');
    expect(res.body.active).toBe(true);
    expect(res.body.meta.version).toBe('W/"2"');
  });
});

describe('PostgreSQL presents a user as presentUser does (the stored doc, userDocSql)', () => {
  const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  it('gives the same JSON, key for key in the same order, for varied users, by id, in a page and by userName', T, async () => {
    const f = await scimFixture(env);
    const boss = await create(f, 'boss@example.test');
    const odd = 'Zoë "Q" \\ back\nslash\ttab\u0001 ☃ 😀 中文 </script> \'quoted\'';
    const bodies: Array<Record<string, unknown>> = [
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bare@example.test' },
      {
        userName: 'full@example.test',
        externalId: 'ext-1',
        name: { formatted: 'Dr Ann B Lee III', familyName: 'Lee', givenName: 'Ann', middleName: 'B', honorificPrefix: 'Dr', honorificSuffix: 'III' },
        displayName: 'Ann Lee',
        nickName: 'Annie',
        profileUrl: 'https://example.test/ann',
        title: 'Head',
        userType: 'Employee',
        preferredLanguage: 'en-GB',
        locale: 'en-GB',
        timezone: 'Europe/London',
        emails: [
          { value: 'full@example.test', type: 'work', primary: true },
          { value: 'ann@home.test', type: 'home' },
          { value: 'x@other.test', display: 'Other' },
        ],
        phoneNumbers: [
          { value: '+44 1', type: 'work' },
          { value: '+44 2', type: 'mobile', primary: true },
        ],
        addresses: [
          { streetAddress: '1 High St', locality: 'Leeds', postalCode: 'LS1', country: 'GB', type: 'work', primary: true },
          { formatted: 'Flat 2, 3 Low Rd', type: 'home' },
        ],
        [ENT]: { employeeNumber: 'E1', costCenter: 'CC', organization: 'Trust', division: 'North', department: 'Maths', manager: { value: boss } },
      },
      { userName: 'managed@example.test', [ENT]: { manager: boss } },
      { userName: 'dept@example.test', name: { givenName: 'Only' }, [ENT]: { department: 'Science' } },
      { userName: 'off@example.test', active: false, emails: [{ value: 'off@example.test' }] },
      { userName: 'zoë.李😀@example.test', displayName: odd, name: { familyName: odd }, emails: [{ value: odd, type: 'work' }], [ENT]: { department: odd, manager: { value: odd } } },
    ];
    const ids = [boss];
    for (const body of bodies) ids.push(await create(f, body.userName as string, body));
    // Shapes the API does not write but a row may hold: an empty manager, stored JSON nulls,
    // microseconds either side of a millisecond, a later version.
    const [bare, full] = [ids[1]!, ids[2]!];
    const { db } = env.platform;
    await db.execute(sql`update scim_users set manager = '', created_at = '2026-03-04 05:06:07.123999+00', updated_at = '2026-03-04 05:06:08.000500+00', version = 7 where member_id = ${bare}`);
    await db.execute(sql`update scim_users set emails = '[{"value": "n@example.test", "display": null}]'::jsonb, phone_numbers = 'null'::jsonb, created_at = '1999-12-31 23:59:59.999999+00' where member_id = ${full}`);

    const base = scimBaseUrl(env.config.publicUrl, f.groupId);
    const caller = { tenantId: f.t.tenantId, groupId: f.groupId };
    // The locked set-active write (PATCH's general path) gives the user after with the doc the trigger wrote.
    const flipped = await preparedScimUserWrites(db).setActive(db, caller.tenantId, caller.groupId, ids[4]!, false, new Date());
    const stored = await scimUsersRepo.find(db, caller.tenantId, caller.groupId, ids[4]!);
    expect(flipped!.after.doc).toBe(stored!.doc);
    expect(flipped!.after.doc).not.toBe(flipped!.before.doc);
    await preparedScimUserWrites(db).setActive(db, caller.tenantId, caller.groupId, ids[4]!, true, new Date());
    const expected = new Map<string, string>();
    for (const id of ids) {
      const row = await scimUsersRepo.find(db, caller.tenantId, caller.groupId, id);
      expected.set(id, JSON.stringify(presentUser(row!, base)));
    }
    const same = (got: unknown, id: string) => expect(JSON.stringify(got), id).toBe(expected.get(id));
    // The trigger of migration 0018 keeps the doc as userDocSql writes it, for every row.
    const stale = (await db.execute(sql`select member_id from scim_users where group_id = ${f.groupId} and doc is distinct from ${userDocSql('scim_users')}`)) as unknown as { rows: unknown[] };
    expect(stale.rows).toEqual([]);
    // A base URL that JSON must escape goes in escaped, and one with what a replacement pattern would read ($&, $', $$) as it is.
    const oddBase = `${base}/"q"\\\u0001$&$'$$`;
    for (const id of ids.slice(0, 3)) {
      const row = await scimUsersRepo.find(db, caller.tenantId, caller.groupId, id);
      const found = await preparedScimUserReads(env.platform.database).find(caller.tenantId, caller.groupId, id, oddBase);
      expect(JSON.stringify(JSON.parse(found!.json)), id).toBe(JSON.stringify(presentUser(row!, oddBase)));
    }
    // A page puts the base in after the statement (decision 049): escaped the same way, in every user of it.
    const oddPage = await preparedScimUserReads(env.platform.database).list(caller.tenantId, caller.groupId, 0, 3, oddBase);
    const oddUsers = JSON.parse(`[${oddPage.itemsJson}]`) as Array<{ id: string }>;
    expect(oddUsers).toHaveLength(3);
    for (const u of oddUsers) expect(JSON.stringify(u), u.id).toBe(JSON.stringify(presentUser((await scimUsersRepo.find(db, caller.tenantId, caller.groupId, u.id))!, oddBase)));

    const reads = preparedScimUserReads(env.platform.database);
    for (const id of ids) {
      const found = await reads.find(caller.tenantId, caller.groupId, id, base);
      same(JSON.parse(found!.json), id);
      const res = await f.scim('GET', `/Users/${id}`);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(res.headers.etag).toBe(JSON.parse(expected.get(id)!).meta.version);
      same(res.body, id);
    }
    expect(JSON.parse(expected.get(bare)!).meta).toMatchObject({ created: '2026-03-04T05:06:07.123Z', lastModified: '2026-03-04T05:06:08.000Z', version: 'W/"7"' });
    expect(JSON.parse(expected.get(ids[6]!)!)[ENT].manager.$ref).toBe(`${base}/Users/${odd}`);

    const page = await f.scim('GET', '/Users?startIndex=1&count=100');
    expect(page.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: ids.length, startIndex: 1, itemsPerPage: ids.length });
    expect(page.body.Resources.map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());
    for (const r of page.body.Resources as Array<{ id: string }>) same(r, r.id);
    for (const [i, id] of ids.entries()) {
      const userName = JSON.parse(expected.get(id)!).userName as string;
      // (Upper case only where PostgreSQL's lower() surely folds it back.)
      const asked = /^[\x20-\x7e]*$/.test(userName) ? userName.toUpperCase() : userName;
      const res = await f.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${asked}"`)}`);
      expect(res.body, userName).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
      same(res.body.Resources[0], id);
      if (i === 0) {
        const past = await f.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=2`);
        expect(past.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, startIndex: 2, itemsPerPage: 0, Resources: [] });
      }
    }
    // The projected and the general paths give the same users.
    const search = await f.scim('POST', '/Users/.search', { startIndex: 2, count: 3 });
    expect(search.body).toMatchObject({ totalResults: ids.length, startIndex: 2, itemsPerPage: 3 });
    const sortedPage = await f.scim('GET', '/Users?sortBy=userName&count=100');
    for (const r of sortedPage.body.Resources as Array<{ id: string }>) same(r, r.id);
    const projected = await f.scim('GET', `/Users/${full}?excludedAttributes=meta`);
    const { meta: _meta, ...rest } = JSON.parse(expected.get(full)!);
    expect(projected.body).toEqual(rest);
  });
});

describe('SCIM rate limit', () => {
  it('answers 429 with Retry-After when the group’s bucket is empty, and refills with time', T, async () => {
    const f = await scimFixture(env);
    // One token every 100 s: the requests below refill nothing however slowly they run (at 0.5 a
    // second a slow run's four requests once took long enough to earn a fourth token).
    const set = await call(env.app, 'PUT', `/api/scim/groups/${f.groupId}/rate-limit`, { headers: f.t.owner.headers, body: { burst: 3, perSecond: 0.01 } });
    expect(set.status).toBe(204);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await f.scim('GET', '/Users')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await f.scim('GET', '/Users');
    expect(limited.status).toBe(429);
    isScimError(limited.body, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(90);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(100);
    // Another group of the same tenant has its own bucket.
    const g = await scimFixture(env, f.t);
    expect((await g.scim('GET', '/Users')).status).toBe(200);
    env.clock.advance(100_000);
    try {
      expect((await f.scim('GET', '/Users')).status).toBe(200);
    } finally {
      env.clock.reset();
    }
  });

  it('lets a full-speed burst through by default', T, async () => {
    const f = await scimFixture(env);
    const results = await Promise.all(Array.from({ length: 60 }, () => f.scim('GET', '/Users?count=1')));
    expect(results.every((r) => r.status === 200)).toBe(true);
  });
});

describe('tenant isolation of the token', () => {
  it('never accepts a token on a group of another tenant even with the same path', T, async () => {
    const f = await scimFixture(env);
    const t2 = await createTestTenant(env);
    const g2 = await scimFixture(env, t2);
    const res = await call(env.app, 'GET', `${g2.base}/Users`, { headers: { authorization: `Bearer ${f.token}` } });
    expect(res.status).toBe(401);
  });
});
