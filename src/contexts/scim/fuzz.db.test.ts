import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { scimFixture, type ScimFixture } from './fixtures/setup.js';
import { anyFilter, FUZZ_SEED, fuzzRuns, patchBody, resourceBody, text } from './fixtures/fuzz.js';

/**
 * The SCIM HTTP surface under property-based fuzzing (issue 12 "keep it fixed", SCIM part):
 * random methods, paths (in any case, with this group's, another SCIM group's and another tenant's
 * ids), filters, paging and sorting parameters, ETag headers and bodies, sent with one group's
 * token through app.inject. Every answer is below 500, a foreign id is never found, and the other
 * group and the other tenant read exactly the same afterwards. Seeded (FUZZ_SEED); FUZZ_RUNS goes
 * deeper.
 */
const env = useTestEnv();

/** Lone surrogates as U+FFFD, so the text can be put in a URL (a client cannot send them there). */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

type Seeded = { f: ScimFixture; users: string[]; groups: string[] };

async function seed(f: ScimFixture, label: string): Promise<Seeded> {
  const users: string[] = [];
  for (const n of [1, 2, 3]) {
    const res = await f.scim('POST', '/Users', {
      userName: `${label}-${n}@example.test`,
      name: { givenName: label, familyName: `No${n}` },
      emails: [{ value: `${label}-${n}@example.test`, type: 'work', primary: true }],
    });
    expect(res.status).toBe(201);
    users.push(res.body.id as string);
  }
  const g = await f.scim('POST', '/Groups', { displayName: `${label} group`, members: users.slice(0, 2).map((value) => ({ value })) });
  expect(g.status).toBe(201);
  return { f, users, groups: [g.body.id as string] };
}

/** Everything a SCIM client of the group can read (the state that must not move). */
async function snapshot(s: Seeded) {
  const users = await s.f.scim('GET', '/Users?count=1000');
  const groups = await s.f.scim('GET', '/Groups?count=1000');
  expect(users.status).toBe(200);
  expect(groups.status).toBe(200);
  return { users: users.body, groups: groups.body };
}

describe('SCIM fuzz: the HTTP surface', () => {
  it('never answers 5xx, never finds another group’s or tenant’s resources, and leaves them unchanged', { timeout: 300_000 }, async () => {
    const target = await seed(await scimFixture(env), 'target');
    const sibling = await seed(await scimFixture(env, target.f.t), 'sibling'); // another SCIM group, same tenant
    const stranger = await seed(await scimFixture(env), 'stranger'); // another tenant
    const before = { sibling: await snapshot(sibling), stranger: await snapshot(stranger) };

    const ownIds = [...target.users, ...target.groups];
    const foreignIds = [...sibling.users, ...sibling.groups, ...stranger.users, ...stranger.groups];
    const resource = fc.constantFrom('Users', 'Groups', 'users', 'GROUPS', 'Schemas', 'ResourceTypes', 'ServiceProviderConfig', '.search', 'Nope');
    const idSegment = fc.oneof(
      fc.constantFrom(...ownIds).map((id) => ({ id, foreign: false })),
      fc.constantFrom(...foreignIds).map((id) => ({ id, foreign: true })),
      fc.oneof(text, fc.constantFrom('.search', 'User', 'urn:ietf:params:scim:schemas:core:2.0:User')).map((id) => ({ id: encodeURIComponent(wellFormed(id)), foreign: false })),
    );
    const query = fc.record(
      {
        filter: anyFilter,
        startIndex: fc.oneof(fc.integer({ min: -5, max: 20 }).map(String), text),
        count: fc.oneof(fc.integer({ min: -5, max: 2000 }).map(String), text),
        sortBy: fc.oneof(fc.constantFrom('userName', 'name.familyName', 'meta.created', 'displayName', 'externalId', 'title'), text),
        sortOrder: fc.oneof(fc.constantFrom('ascending', 'descending'), text),
        cursor: fc.oneof(fc.constant(''), text, fc.base64String({ maxLength: 40 })),
        attributes: fc.oneof(fc.constantFrom('userName', 'emails[type eq "work"]', 'members', 'name.givenName'), text),
        excludedAttributes: fc.oneof(fc.constantFrom('members', 'emails', 'id'), text),
      },
      { requiredKeys: [] },
    );
    const searchBody = fc.record({
      schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:SearchRequest']),
      filter: anyFilter,
      startIndex: fc.integer({ min: -2, max: 10 }),
      count: fc.integer({ min: -2, max: 10 }),
      cursor: fc.oneof(fc.constant(''), text),
      sortBy: text,
    });
    const anyId = fc.option(idSegment, { nil: undefined });
    const ifMatch = fc.option(fc.oneof(fc.constantFrom('*', 'W/"1"', '"2"', 'W/"99"'), text), { nil: undefined });
    const users = fc.constantFrom('Users', 'users');
    const groupsSeg = fc.constantFrom('Groups', 'GROUPS');
    const memberList = fc.array(fc.oneof(fc.constantFrom(...ownIds, ...foreignIds), text).map((value) => ({ value })), { maxLength: 4 });
    // Shapes a client sends (writes with bodies aimed at real resources), and anything at all.
    const request = fc.oneof(
      fc.record({ method: fc.constant('POST'), resource: users, id: fc.constant(undefined), query, body: resourceBody, ifMatch }),
      fc.record({ method: fc.constantFrom('PUT', 'PATCH'), resource: users, id: idSegment, query, body: fc.oneof(resourceBody, patchBody), ifMatch }),
      fc.record({
        method: fc.constantFrom('POST', 'PUT', 'PATCH'),
        resource: groupsSeg,
        id: anyId,
        query,
        body: fc.oneof(patchBody, fc.record({ displayName: text, members: memberList }, { requiredKeys: ['displayName'] }), fc.record({ Operations: fc.array(fc.record({ op: fc.constantFrom('add', 'remove', 'replace'), path: fc.constantFrom('members', 'displayName'), value: fc.oneof(memberList, text) }), { maxLength: 3 }) })),
        ifMatch,
      }),
      fc.record({ method: fc.constantFrom('GET', 'DELETE'), resource, id: anyId, query, body: fc.constant(undefined), ifMatch }),
      fc.record({ method: fc.constant('POST'), resource: fc.constantFrom('.search', 'Users', 'Groups'), id: fc.constantFrom(undefined, { id: '.search', foreign: false }), query, body: searchBody, ifMatch }),
      fc.record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        resource,
        id: anyId,
        query,
        body: fc.option(fc.oneof(patchBody, resourceBody, searchBody), { nil: undefined }),
        ifMatch,
      }),
    );

    let requests = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const qs = new URLSearchParams(Object.entries(r.query) as Array<[string, string]>).toString();
        const url = `${target.f.base}/${r.resource}${r.id ? `/${r.id.id}` : ''}${qs ? `?${qs}` : ''}`;
        const res = await env.app.inject({
          method: r.method,
          url,
          headers: {
            authorization: `Bearer ${target.f.token}`,
            ...(r.body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
            ...(r.ifMatch !== undefined && /^[\x20-\x7e]*$/.test(r.ifMatch) ? { 'if-match': r.ifMatch, 'if-none-match': r.ifMatch } : {}),
          },
          payload: r.body === undefined ? undefined : JSON.stringify(r.body),
        });
        requests++;
        const where = `${r.method} ${url} ${JSON.stringify(r.body)?.slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, where).toBeLessThan(500);
        if (r.id?.foreign && res.statusCode < 400) throw new Error(`another group's resource was reachable: ${where}`);
      }),
      { seed: FUZZ_SEED, numRuns: fuzzRuns(300) },
    );
    expect(requests).toBeGreaterThan(0);

    expect(await snapshot(sibling)).toEqual(before.sibling);
    expect(await snapshot(stranger)).toEqual(before.stranger);
  });
});
