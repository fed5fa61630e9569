import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { scimFixture } from '../fixtures/setup.js';

const env = useTestEnv();
const T = { timeout: 60_000 };

describe('SCIM /Groups', () => {
  it('creates, lists with displayName filter, patches members, replaces and deletes', T, async () => {
    const f = await scimFixture(env);
    const ids: string[] = [];
    for (const n of ['a', 'b', 'c']) ids.push((await f.scim('POST', '/Users', { userName: `${n}@example.test` })).body.id);
    const created = await f.scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Science', members: [{ value: ids[0] }, { value: 'not-a-user' }] });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`http://threshold.test${f.base}/Groups/${created.body.id}`);
    expect(created.body.members.map((m: { value: string }) => m.value)).toEqual([ids[0]]);
    const gid = created.body.id as string;

    const dup = await f.scim('POST', '/Groups', { displayName: 'SCIENCE' });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
    const noName = await f.scim('POST', '/Groups', { members: [] });
    expect(noName.status).toBe(400);
    expect(noName.body.scimType).toBe('invalidValue');

    const found = await f.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "science"')}&excludedAttributes=members`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].members).toBeUndefined();
    expect((await f.scim('GET', `/Groups?filter=${encodeURIComponent('title eq "x"')}`)).body.scimType).toBe('invalidFilter');

    const patched = await f.scim('PATCH', `/Groups/${gid}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: ids[1] }, { value: ids[2] }] },
        { op: 'remove', path: `members[value eq "${ids[0]}"]` },
      ],
    });
    expect(patched.status).toBe(204);
    expect((await f.scim('GET', `/Groups/${gid}`)).body.members.map((m: { value: string }) => m.value).sort()).toEqual([ids[1], ids[2]].sort());

    const atomic = await f.scim('PATCH', `/Groups/${gid}`, { Operations: [{ op: 'remove', path: 'members' }, { op: 'replace', path: 'owner', value: 'x' }] });
    expect(atomic.status).toBe(400);
    expect(atomic.body.scimType).toBe('invalidPath');
    expect((await f.scim('GET', `/Groups/${gid}`)).body.members).toHaveLength(2);

    const replaced = await f.scim('PATCH', `/Groups/${gid}`, { Operations: [{ op: 'replace', path: 'members', value: [{ value: ids[0] }] }] });
    expect(replaced.status).toBe(204);
    expect((await f.scim('GET', `/Groups/${gid}`)).body.members.map((m: { value: string }) => m.value)).toEqual([ids[0]]);

    const put = await f.scim('PUT', `/Groups/${gid}`, { displayName: 'Physics', externalId: 'ext-1', members: [{ value: ids[1] }] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ displayName: 'Physics', externalId: 'ext-1', members: [{ value: ids[1] }] });

    for (const bad of ['nope', '1'.repeat(30)]) expect((await f.scim('GET', `/Groups/${bad}`)).status).toBe(404);
    const other = await scimFixture(env, f.t);
    expect((await other.scim('GET', `/Groups/${gid}`)).status).toBe(404);
    expect((await other.scim('GET', '/Groups')).body.totalResults).toBe(0);

    expect((await f.scim('DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect((await f.scim('GET', `/Groups/${gid}`)).status).toBe(404);
    // Users are untouched by deleting an IdP group.
    expect((await f.scim('GET', '/Users')).body.totalResults).toBe(3);
  });
});
