import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../test/harness.js';

/**
 * Authentication before anything else: every route that needs a credential answers a request
 * without one (or with a bad one) 401, whatever is wrong with its path, query or body. A route
 * that read its input first would tell an anonymous caller the route's shapes (400 naming the
 * field, 413, 415) and let unauthenticated input reach its validators.
 *
 * Every route of the OpenAPI document (a new route joins by itself), and the SCIM routes the
 * document hides, but the public ones listed here.
 */
const env = useTestEnv();

/** The routes anybody may call: sign-in, invitations, password reset, kiosk pairing, health, docs. */
const PUBLIC = new Set([
  'GET /health',
  'GET /ready',
  'POST /api/auth/login',
  'GET /api/auth/session',
  'GET /api/auth/oidc/discover',
  'GET /api/auth/oidc/{id}/start',
  'GET /api/auth/oidc/callback',
  'GET /api/invites/{token}',
  'POST /api/invites/accept',
  'POST /api/auth/password-reset/request',
  'POST /api/auth/password-reset/complete',
  'POST /api/kiosk/pair',
]);
/** Routes the document hides that still take a credential (SCIM's resource segments in any case). */
const HIDDEN: Array<[string, string, Op]> = [
  ['/scim/v2/groups/{groupId}/{resource}', 'post', { requestBody: { content: { 'application/json': {} } } }],
  ['/scim/v2/groups/{groupId}/{resource}/{id}', 'patch', { requestBody: { content: { 'application/json': {} } } }],
];

type Op = { parameters?: Array<{ in: string; name: string }>; requestBody?: { content?: Record<string, unknown> } };

/** Bad credentials, each of which the app must refuse as no credential at all. */
const BAD_CREDENTIALS: Array<[string, Record<string, string>]> = [
  ['anonymous', {}],
  ['a bearer token of no known kind', { authorization: 'Bearer not-a-token' }],
  ['an unknown API key', { authorization: 'Bearer thr_key_unknown' }],
  ['an unknown kiosk token', { authorization: 'Bearer thr_kiosk_unknown' }],
  ['an unknown session cookie', { cookie: 'thr_session=unknown', 'x-csrf-token': 'x' }],
];

describe('authentication comes before validation', () => {
  it('every authenticated route answers 401 to a request without a valid credential, whatever its input', { timeout: 300_000 }, async () => {
    const doc = env.app.swagger() as { paths: Record<string, Record<string, Op>> };
    const routes: Array<[string, string, Op]> = [...HIDDEN];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) routes.push([path, method, op]);
    }
    const listed = new Set(routes.map(([path, method]) => `${method.toUpperCase()} ${path}`));
    // The public list names real routes (a renamed one would silently join the checked ones).
    expect([...PUBLIC].filter((r) => !listed.has(r))).toEqual([]);

    const tooLarge = Buffer.alloc(9 * 1024 * 1024, 0x20);
    const wrong: string[] = [];
    let checked = 0;
    for (const [path, method, op] of routes) {
      const key = `${method.toUpperCase()} ${path}`;
      if (PUBLIC.has(key)) continue;
      checked++;
      // Every path parameter malformed (not an id of any kind), every query parameter of the wrong type.
      const url = path.replace(/\{\w+\}/g, 'not%20an%20id');
      const query = new URLSearchParams();
      for (const q of op.parameters ?? []) if (q.in === 'query') query.set(q.name, '-1.5e999x');
      const target = query.size ? `${url}?${query}` : url;
      const bodies: Array<[string, Record<string, string>, string | Buffer | undefined]> = [['no body', {}, undefined]];
      if (op.requestBody || method !== 'get') {
        bodies.push(
          ['a body of the wrong shape', { 'content-type': 'application/json' }, '[[[]]]'],
          ['malformed JSON', { 'content-type': 'application/json' }, '{"a":'],
          ['an unsupported media type', { 'content-type': 'application/x-unknown' }, 'x'],
          ['a body too large', { 'content-type': 'application/json' }, tooLarge],
        );
      }
      for (const [who, headers] of BAD_CREDENTIALS) {
        for (const [what, bodyHeaders, payload] of who === 'anonymous' ? bodies : bodies.slice(0, 2)) {
          const res = await env.app.inject({ method: method.toUpperCase() as 'GET', url: target, headers: { ...headers, ...bodyHeaders }, payload });
          const scim = path.startsWith('/scim/');
          const body = (() => {
            try {
              return JSON.parse(res.body) as { error?: { code?: string }; schemas?: string[]; status?: string };
            } catch {
              return {};
            }
          })();
          const shaped = scim
            ? body.schemas?.[0] === 'urn:ietf:params:scim:api:messages:2.0:Error' && body.status === '401' && String(res.headers['content-type']).startsWith('application/scim+json')
            : typeof body.error?.code === 'string' && String(res.headers['content-type']).startsWith('application/json');
          if (res.statusCode !== 401 || !shaped) wrong.push(`${key} (${who}, ${what}): ${res.statusCode} ${res.body.slice(0, 120)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
    expect(wrong).toEqual([]);
  });

  it('a public route still reads its input (a malformed body is a 400 there), and the documentation is open to all', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'invalid_json']);
    const docs = await Promise.all(['/api/openapi.json', '/api/docs/', '/api/docs/json', '/health'].map(async (url) => [url, (await env.app.inject({ method: 'GET', url })).statusCode]));
    expect(docs).toEqual([
      ['/api/openapi.json', 200],
      ['/api/docs/', 200],
      ['/api/docs/json', 200],
      ['/health', 200],
    ]);
  });
});
