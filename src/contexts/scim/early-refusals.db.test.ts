import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { scimFixture } from './fixtures/setup.js';

/**
 * Requests under a SCIM group's base URL that the router or Fastify refuses before (or instead
 * of) a SCIM handler: an unknown path or method, a body of an unsupported type, too large or not
 * JSON, an address too long or badly encoded. A SCIM client reads every error as RFC 7644 §3.12
 * says: `{ schemas: [Error], status: "4xx", scimType?, detail }` in application/scim+json.
 */
const env = useTestEnv();

type Case = { label: string; method: string; url: string; status: number; scimType?: string; headers?: Record<string, string>; payload?: string | Buffer; token?: boolean };

describe('SCIM: early refusals answer in SCIM’s error shape', () => {
  it('every refusal before a SCIM handler, by status and scimType', async () => {
    const f = await scimFixture(env);
    const json = { 'content-type': 'application/scim+json' };
    const tooLarge = Buffer.alloc(env.config.bodyLimit + 1, 0x20);
    const cases: Case[] = [
      { label: 'an unknown resource path', method: 'GET', url: `${f.base}/Nothing/here/at-all`, status: 404 },
      { label: 'an unknown path under a resource', method: 'GET', url: `${f.base}/Users/a/b`, status: 404 },
      { label: 'an unknown path with a token', method: 'GET', url: `${f.base}/Users/a/b`, status: 404, token: true },
      { label: 'the SCIM root spelt in capitals', method: 'GET', url: `/SCIM/v2/groups/${f.groupId}/Users`, status: 404 },
      { label: 'no group', method: 'GET', url: '/scim/v2/groups', status: 404 },
      { label: 'a method no SCIM route takes (PUT /Users)', method: 'PUT', url: `${f.base}/Users`, status: 404, token: true, headers: json, payload: '{}' },
      { label: 'a method no SCIM route takes (DELETE /ServiceProviderConfig)', method: 'DELETE', url: `${f.base}/ServiceProviderConfig`, status: 404, token: true },
      { label: 'a method the router does not know', method: 'PROPFIND', url: `${f.base}/Users`, status: 404, token: true },
      { label: 'an unsupported media type', method: 'POST', url: `${f.base}/Users`, status: 415, token: true, headers: { 'content-type': 'text/xml' }, payload: '<User/>' },
      { label: 'an unsupported media type on an unknown path (the path answers first)', method: 'POST', url: `${f.base}/Users/a/b`, status: 404, headers: { 'content-type': 'text/xml' }, payload: '<User/>' },
      { label: 'a body too large', method: 'POST', url: `${f.base}/Users`, status: 413, token: true, headers: json, payload: tooLarge },
      { label: 'a body too large on an unknown path', method: 'POST', url: `${f.base}/Users/a/b`, status: 413, headers: json, payload: tooLarge },
      { label: 'malformed JSON', method: 'POST', url: `${f.base}/Users`, status: 400, scimType: 'invalidSyntax', token: true, headers: json, payload: '{"userName":' },
      { label: 'malformed JSON on an unknown path', method: 'POST', url: `${f.base}/Users/a/b`, status: 400, scimType: 'invalidSyntax', headers: json, payload: '{"userName":' },
      { label: 'a group id longer than the router takes', method: 'GET', url: `/scim/v2/groups/${'a'.repeat(8193)}/Users`, status: 414 },
      { label: 'a user id longer than the router takes', method: 'GET', url: `${f.base}/Users/${'a'.repeat(8193)}`, status: 414, token: true },
      { label: 'malformed percent-encoding', method: 'GET', url: `${f.base}/Users/%E0%A4%A`, status: 400, scimType: 'invalidSyntax', token: true },
    ];
    const got: unknown[] = [];
    const want: unknown[] = [];
    for (const c of cases) {
      const res = await env.app.inject({
        method: c.method as 'GET',
        url: c.url,
        headers: { ...(c.token ? { authorization: `Bearer ${f.token}` } : {}), ...c.headers },
        payload: c.payload,
      });
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(res.body) as Record<string, unknown>;
      } catch {
        body = { unparsed: res.body.slice(0, 100) };
      }
      got.push([c.label, res.statusCode, String(res.headers['content-type']).split(';')[0], body.schemas, body.status, body.scimType, typeof body.detail]);
      want.push([c.label, c.status, 'application/scim+json', ['urn:ietf:params:scim:api:messages:2.0:Error'], String(c.status), c.scimType, 'string']);
    }
    expect(got).toEqual(want);
  });

  it('the API’s own refusals keep the app’s error shape', async () => {
    const cases = [
      ['/api/nothing', 404, 'route_not_found'],
      [`/api/signin/sites/${'a'.repeat(8193)}`, 414, 'uri_too_long'],
      ['/api/signin/sites/%E0%A4%A', 400, 'bad_url'],
    ] as const;
    for (const [url, status, code] of cases) {
      const res = await env.app.inject({ method: 'GET', url });
      expect([url.slice(0, 30), res.statusCode, res.json().error?.code]).toEqual([url.slice(0, 30), status, code]);
    }
  });
});
