import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { scimFixture } from '../fixtures/setup.js';

const env = useTestEnv();

describe('SCIM /Users smoke', () => {
  it('creates, gets, lists, patches, deletes', async () => {
    const f = await scimFixture(env);
    const created = await f.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'Ann@Example.com', name: { givenName: 'Ann', familyName: 'Lee' }, emails: [{ value: 'ann@example.com', primary: true }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    const got = await f.scim('GET', `/Users/${id}`);
    expect(got.status).toBe(200);
    const list = await f.scim('GET', '/Users?filter=' + encodeURIComponent('userName eq "ann@EXAMPLE.com"'));
    expect(list.body.totalResults).toBe(1);
    const p = await f.scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', value: { active: false } }] });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.active).toBe(false);
    const d = await f.scim('DELETE', `/Users/${id}`);
    expect(d.status).toBe(204);
    expect((await f.scim('GET', `/Users/${id}`)).status).toBe(404);
  });
});
