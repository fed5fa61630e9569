import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../test/harness.js';
import { call, createTestTenant } from '../test/factories.js';
import { makeGroup, makeMember, makeSite } from '../test/signin-factories.js';
import { recordTenant } from '../test/record-fixtures.js';

/**
 * Requests the fuzz suites did not send (found from outside, over HTTP, in session 11): each is
 * a 4xx with a stable code, never the 500 it was.
 */
const env = useTestEnv();

describe('hostile requests', () => {
  it('a path parameter longer than the router takes is a 414 uri_too_long, on the API and SCIM alike (SCIM in its own error shape)', async () => {
    const t = await createTestTenant(env);
    const long = 'a'.repeat(8193);
    for (const url of [`/api/signin/sites/${long}`, `/api/record/profiles/${long}`]) {
      const res = await env.app.inject({ method: 'GET', url, headers: t.owner.headers });
      expect([url.slice(0, 30), res.statusCode, res.json().error?.code]).toEqual([url.slice(0, 30), 414, 'uri_too_long']);
    }
    const scim = await env.app.inject({ method: 'GET', url: `/scim/v2/groups/${long}/Users`, headers: t.owner.headers });
    expect([scim.statusCode, scim.json().status]).toEqual([414, '414']);
    // Up to the limit, an id is read as ever (a 400 for a malformed one).
    const longest = await env.app.inject({ method: 'GET', url: `/api/signin/sites/${long.slice(1)}`, headers: t.owner.headers });
    expect(longest.statusCode).toBe(400);
  });

  it('a version past an integer column’s range is a 400 naming it (members, profiles, a profile’s archive), and nothing changes', async () => {
    const t = await createTestTenant(env);
    const h = t.owner.headers;
    const group = await makeGroup(env, t, {}, [(await makeSite(env, t)).id]);
    const member = await makeMember(env, t, group.id);
    const { org, typeId } = await recordTenant(env, t);
    const profile = await call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: org.id, profileTypeId: typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace' } });
    const cases: Array<[string, ReturnType<typeof call>]> = [
      ['member', call(env.app, 'PATCH', `/api/signin/members/${member.id}`, { headers: h, body: { version: 2 ** 31, fullName: 'Changed' } })],
      ['profile', call(env.app, 'PATCH', `/api/record/profiles/${profile.body.id}`, { headers: h, body: { version: 2 ** 31, firstName: 'Changed' } })],
      ['archive', call(env.app, 'POST', `/api/record/profiles/${profile.body.id}/archive`, { headers: h, body: { version: 2 ** 31 } })],
    ];
    for (const [label, pending] of cases) {
      const res = await pending;
      expect([label, res.status, res.body.error?.code, res.body.error?.field]).toEqual([label, 400, 'validation_failed', 'body.version']);
    }
    expect((await call(env.app, 'GET', `/api/signin/members/${member.id}`, { headers: h })).body).toMatchObject({ fullName: member.fullName, version: member.version });
    expect((await call(env.app, 'GET', `/api/record/profiles/${profile.body.id}`, { headers: h })).body).toMatchObject({ firstName: 'Ada', version: profile.body.version, status: 'live' });
  });

  it('a roll call’s event stream asked for events after a number past an integer is a 400, not a stream that fails unseen', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const started = await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: t.owner.headers, body: {} });
    const res = await env.app.inject({ method: 'GET', url: `/api/signin/roll-calls/${started.body.rollCall.id}/events?after=${2 ** 31}`, headers: t.owner.headers });
    expect([res.statusCode, res.json().error.field]).toEqual([400, 'querystring.after']);
  });

  it('a CSV upload that is not UTF-8 (Excel’s plain CSV on Windows) is a 400 saying so, not names with U+FFFD in them', async () => {
    const t = await createTestTenant(env);
    const h = t.owner.headers;
    const group = await makeGroup(env, t);
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    for (const url of [`/api/signin/groups/${group.id}/members/import/preview`, `/api/signin/groups/${group.id}/members/import`]) {
      const res = await env.app.inject({ method: 'POST', url, headers: { ...h, 'content-type': 'text/csv' }, payload: latin1('fullName\nJos\xe9 Alvarez\n') });
      expect([res.statusCode, res.json().error.code]).toEqual([400, 'csv_not_utf8']);
    }
    expect((await call(env.app, 'GET', `/api/signin/groups/${group.id}/members`, { headers: h })).body.items).toEqual([]);
    const utf8 = await env.app.inject({ method: 'POST', url: `/api/signin/groups/${group.id}/members/import/preview`, headers: { ...h, 'content-type': 'text/csv' }, payload: Buffer.from('fullName\nJos\u00e9 Alvarez\n') });
    expect(utf8.json().rows.map((r: { fullName: string }) => r.fullName)).toEqual(['José Alvarez']);

    const { org } = await recordTenant(env, t);
    const record = (content: Buffer) => call(env.app, 'POST', '/api/record/import/preview', { headers: h, body: { organisationId: org.id, fileName: 'staff.csv', content: content.toString('base64') } });
    const refused = await record(latin1('First name,Last name,Role\nJos\xe9,Alvarez,Teacher\n'));
    expect([refused.status, refused.body.error.code, refused.body.error.field]).toEqual([400, 'invalid_file', 'file']);
    expect(refused.body.error.message).toContain('UTF-8');
    expect((await record(Buffer.from('First name,Last name,Role\nJos\u00e9,Alvarez,Teacher\n'))).body.error?.code).not.toBe('invalid_file');
  });

  it('a UTF-16 CSV (Excel’s "Unicode Text"), either byte order, with or without its mark, is a 400 csv_utf16 saying to save it as CSV UTF-8, on every CSV import', async () => {
    const t = await createTestTenant(env);
    const h = t.owner.headers;
    const group = await makeGroup(env, t);
    const text = 'fullName,role\nJosé Alvarez,Teacher\n';
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    const files: Array<[string, Buffer]> = [
      ['UTF-16LE (FF FE)', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
      ['UTF-16BE (FE FF)', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
      ['UTF-16LE without a mark', le],
    ];
    const answers: unknown[] = [];
    for (const [label, file] of files) {
      for (const url of [`/api/signin/groups/${group.id}/members/import/preview`, `/api/signin/groups/${group.id}/members/import`]) {
        const raw = await env.app.inject({ method: 'POST', url, headers: { ...h, 'content-type': 'text/csv' }, payload: file });
        // The web app sends the file's text as a browser reads it (UTF-8, bad bytes as U+FFFD).
        const asRead = await call(env.app, 'POST', url, { headers: h, body: { csv: new TextDecoder().decode(file) } });
        answers.push([label, url.split('/').pop(), raw.statusCode, raw.json().error.code, asRead.status, asRead.body.error.code, asRead.body.error.field]);
        expect(raw.json().error.message).toBe("This file is UTF-16 text; save it as 'CSV UTF-8' and upload it again");
      }
      const { org } = await recordTenant(env, t);
      const record = await call(env.app, 'POST', '/api/record/import/preview', { headers: h, body: { organisationId: org.id, fileName: 'staff.csv', content: file.toString('base64') } });
      answers.push([label, 'record', record.status, record.body.error.code, record.body.error.field]);
    }
    expect(answers).toEqual(
      files.flatMap(([label]) => [
        [label, 'preview', 400, 'csv_utf16', 400, 'csv_utf16', 'body.csv'],
        [label, 'import', 400, 'csv_utf16', 400, 'csv_utf16', 'body.csv'],
        [label, 'record', 400, 'csv_utf16', 'file'],
      ]),
    );
    expect((await call(env.app, 'GET', `/api/signin/groups/${group.id}/members`, { headers: h })).body.items).toEqual([]);
    // A NUL in UTF-8 text is still refused as text that cannot be stored, naming where.
    const nul = await call(env.app, 'POST', `/api/signin/groups/${group.id}/members/import/preview`, { headers: h, body: { csv: 'fullName\nAda\u0000\n' } });
    expect([nul.status, nul.body.error.code, nul.body.error.field]).toEqual([400, 'invalid_text', 'body.csv']);
  });
});
