import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../test/harness.js';
import { call, createTestTenant } from '../test/factories.js';
import { kioskSetup, makeGroup, makeMember, makeSite } from '../test/signin-factories.js';
import { recordTenant } from '../test/record-fixtures.js';

/**
 * Dates and times no column holds, and cursors that are not this server's, through every route
 * that takes one: each is a 400 naming the field, never the database's 500 (year 0000 is a date
 * PostgreSQL refuses; a cursor's id of 36 dashes passed a loose pattern and failed the uuid cast).
 */
const env = useTestEnv();
const b64 = (s: string) => Buffer.from(s).toString('base64url');
const YEAR_0 = '0000-01-01';
const YEAR_0_AT = '0000-01-01T00:00:00Z';

describe('hostile dates and cursors', () => {
  it('a date or time of year 0000 is a 400 naming the field, and nothing is written', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const site = await makeSite(env, t);
    const group = await makeGroup(env, t, {}, [site.id]);
    const visitors = await kioskSetup(env, t, { type: 'standard' });
    const { org, typeId } = await recordTenant(env, t);
    const profile = { organisationId: org.id, profileTypeId: typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace' };
    const started = await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: h, body: {} });
    const member = await makeMember(env, t, group.id);

    const cases: Array<[string, ReturnType<typeof call>, string]> = [
      ['member start', call(env.app, 'POST', `/api/signin/groups/${group.id}/members`, { headers: h, body: { fullName: 'Zero', startDate: YEAR_0 } }), 'body.startDate'],
      ['member end', call(env.app, 'PATCH', `/api/signin/members/${member.id}`, { headers: h, body: { endDate: YEAR_0, version: member.version } }), 'body.endDate'],
      ['block list', call(env.app, 'POST', '/api/signin/block-list', { headers: h, body: { fullName: 'Zero', dateOfBirth: YEAR_0 } }), 'body.dateOfBirth'],
      ['visitor', call(env.app, 'POST', '/api/kiosk/sign-in', { headers: visitors.kiosk.headers, body: { groupId: visitors.group.id, visitor: { fullName: 'Zero', dateOfBirth: YEAR_0 } } }), 'body.visitor.dateOfBirth'],
      ['profile', call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { ...profile, dateOfBirth: YEAR_0 } }), 'body.dateOfBirth'],
      ['profiles as of', call(env.app, 'GET', `/api/record/profiles?asOf=${YEAR_0}`, { headers: h }), 'querystring.asOf'],
      ['audit from', call(env.app, 'GET', `/api/audit?from=${YEAR_0_AT}`, { headers: h }), 'querystring.from'],
      ['SCIM activity', call(env.app, 'GET', `/api/scim/groups/${group.id}/activity?before=${YEAR_0_AT}`, { headers: h }), 'querystring.before'],
      ['offline roll call', call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls/offline`, { headers: h, body: { startedAt: YEAR_0_AT, entries: [] } }), 'body.startedAt'],
      ['roll call tick', call(env.app, 'POST', `/api/signin/roll-calls/${started.body.rollCall.id}/entries/${member.id}`, { headers: h, body: { status: 'safe', at: YEAR_0_AT } }), 'body.at'],
    ];
    for (const [label, pending, field] of cases) {
      const res = await pending;
      expect([label, res.status, res.body.error?.code, res.body.error?.field]).toEqual([label, 400, 'validation_failed', field]);
      expect(res.body.error.message).toContain('between 1900-01-01 and 2999-12-31');
    }
    // The CSV import checks each row the same way: a 400 listing the row, and no member made.
    const csv = await env.app.inject({ method: 'POST', url: `/api/signin/groups/${group.id}/members/import`, headers: { ...h, 'content-type': 'text/csv' }, payload: `fullName,startDate\nZero,${YEAR_0}\n` });
    expect(csv.statusCode).toBe(400);
    expect(csv.json().error.errors).toEqual([{ row: 2, field: 'startDate', reason: 'a date between 1900-01-01 and 2999-12-31' }]);
    const list = await call(env.app, 'GET', `/api/signin/groups/${group.id}/members`, { headers: h });
    expect(list.body.items.map((m: { fullName: string }) => m.fullName)).toEqual([member.fullName]);
  });

  it('a cursor this server did not give is a 400 invalid_cursor (visits and the audit log)', async () => {
    const t = await createTestTenant(env);
    const h = t.owner.headers;
    const id = '0b7c6f8e-4d6f-4c55-9a55-2f1b0b3c9d10';
    const visits = [b64(`2026-01-01T00:00:00.000Z|${'-'.repeat(36)}`), b64(`-271821-04-20T00:00:00Z|${id}`), b64(`+275760-09-13T00:00:00Z|${id}`)];
    for (const cursor of visits) {
      for (const url of [`/api/signin/visits?cursor=${cursor}`]) {
        const res = await call(env.app, 'GET', url, { headers: h });
        expect([res.status, res.body.error?.code, res.body.error?.field]).toEqual([400, 'invalid_cursor', 'cursor']);
      }
    }
    const audit = [['2026-01-01 00:00:00+00', '-'.repeat(36)], ['-271821-04-20T00:00:00Z', id], ['0000-01-01 00:00:00+00', id], ['1', id], ['2026-02-30 00:00:00+00', id]];
    for (const pair of audit) {
      const res = await call(env.app, 'GET', `/api/audit?cursor=${b64(JSON.stringify(pair))}`, { headers: h });
      expect([pair, res.status, res.body.error?.code]).toEqual([pair, 400, 'invalid_cursor']);
    }
    // The cursors the server gives still page: the audit log's carries PostgreSQL's text of the time.
    for (let i = 0; i < 3; i++) await makeSite(env, t);
    const first = await call(env.app, 'GET', '/api/audit?limit=2', { headers: h });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await call(env.app, 'GET', `/api/audit?limit=2&cursor=${first.body.nextCursor}`, { headers: h });
    expect(next.status).toBe(200);
    expect(next.body.items.length).toBeGreaterThan(0);
  });
});
