import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../test/harness.js';
import { call, createTestTenant, setScopes, type TestTenant } from '../test/factories.js';
import { kioskSetup, makeGroup, makeMember, makeSite } from '../test/signin-factories.js';
import { recordTenant } from '../test/record-fixtures.js';
import { bodyFor, fuzzParams, nastyScalar, nastyString } from '../test/fuzz.js';
import { solidPng } from '../test/png.js';

const env = useTestEnv();

type Route = { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; bodyKeys: string[] | null; queryKeys: string[]; hasBody: boolean };
type OpenApiOp = { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }; parameters?: Array<{ in: string; name: string }> };

/** Lone surrogates as U+FFFD, so the text can be put in a URL (a client cannot send them there; encodeURIComponent throws). */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** Every JSON route of the app, from its own OpenAPI document (SCIM has its own fuzzing; streams and logout are left out). */
function jsonRoutes(): Route[] {
  const doc = env.app.swagger() as { paths: Record<string, Record<string, OpenApiOp>> };
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/') || path.endsWith('/events') || path === '/api/auth/logout') continue;
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase() as Route['method'];
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m)) continue;
      const json = op.requestBody?.content?.['application/json'];
      routes.push({ method: m, path, bodyKeys: json ? Object.keys(json.schema?.properties ?? {}) : null, queryKeys: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name), hasBody: !!op.requestBody });
    }
  }
  return routes;
}

/** What another tenant can see of itself; it must be the same before and after the fuzzing. */
async function snapshot(t: TestTenant) {
  const urls = ['/api/tenant', '/api/users', '/api/signin/sites', '/api/signin/groups', '/api/signin/block-list', '/api/record/organisations', '/api/record/profiles', '/api/record/profile-types', '/api/record/rating-systems', '/api/signin/webhooks', '/api/api-keys'];
  const out: Record<string, unknown> = {};
  for (const url of urls) {
    const res = await call(env.app, 'GET', url, { headers: t.owner.headers });
    out[url] = [res.status, res.body];
  }
  return out;
}

describe('fuzz: every JSON route, body and query, through app.inject', () => {
  it('never answers 5xx, and another tenant’s data is unchanged afterwards', { timeout: 600_000 }, async () => {
    const mine = await createTestTenant(env, { kind: 'trust' });
    const other = await createTestTenant(env, { kind: 'trust' });
    // Ids worth aiming at: the fuzzing tenant's own, and the other tenant's (must be 404s, not writes).
    const ids: string[] = [];
    for (const t of [mine, other]) {
      const site = await makeSite(env, t);
      const group = await makeGroup(env, t, {}, [site.id]);
      const member = await makeMember(env, t, group.id, { email: `m-${randomUUID().slice(0, 6)}@example.test` });
      const { org, typeId } = await recordTenant(env, t);
      const profile = await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { organisationId: org.id, profileTypeId: typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace' } });
      ids.push(site.id, group.id, member.id, org.id, profile.body.id, typeId('teaching'));
    }
    const before = await snapshot(other);
    const routes = jsonRoutes();
    expect(routes.length).toBeGreaterThan(80);
    const id = fc.oneof(fc.constantFrom(...ids), fc.uuid(), nastyString.filter((s) => s.length > 0));
    const failures: string[] = [];
    for (const route of routes) {
      const params = (route.path.match(/\{(\w+)\}/g) ?? []).length;
      const request = fc.record({
        pathIds: fc.array(id, { minLength: params, maxLength: params }),
        query: fc.dictionary(fc.oneof(fc.constantFrom(...(route.queryKeys.length ? route.queryKeys : ['q'])), nastyString), nastyScalar.map(String), { maxKeys: 3 }),
        body: route.bodyKeys ? bodyFor(route.bodyKeys) : fc.constant(undefined),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ pathIds, query, body }) => {
          let i = 0;
          const path = route.path.replace(/\{\w+\}/g, () => encodeURIComponent(wellFormed(pathIds[i++]!)));
          const qs = new URLSearchParams(query).toString();
          const res = await env.app.inject({
            method: route.method,
            url: qs ? `${path}?${qs}` : path,
            headers: { ...mine.owner.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
            payload: body === undefined ? undefined : JSON.stringify(body),
          });
          if (res.statusCode >= 500) failures.push(`${route.method} ${path}?${qs} ${JSON.stringify(body)?.slice(0, 300)} → ${res.statusCode}`);
          return res.statusCode < 500;
        }),
        fuzzParams(3),
      ).catch((err: Error) => failures.push(`${route.method} ${route.path}: ${err.message.split('\n').slice(0, 3).join(' ')}`));
    }
    expect(failures).toEqual([]);
    expect(await snapshot(other)).toEqual(before);
  });
});

/**
 * Another tenant's rows, by the kind of id a path parameter names: the route's path (its last
 * resource segment before the parameter) says which. A kind not made here is a random uuid, which
 * must be a 404 too.
 */
async function foreignRows(t: TestTenant) {
  const { site, group, kiosk } = await kioskSetup(env, t);
  const member = await makeMember(env, t, group.id, { fullName: 'Foreign Person' });
  const { org, typeId } = await recordTenant(env, t);
  const profile = await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { organisationId: org.id, profileTypeId: typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace' } });
  const visit = await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: member.id } });
  const rollCall = await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: t.owner.headers, body: {} });
  const block = await call(env.app, 'POST', '/api/signin/block-list', { headers: t.owner.headers, body: { fullName: 'Barred Person' } });
  const webhook = await call(env.app, 'POST', '/api/signin/webhooks', { headers: t.owner.headers, body: { url: 'https://hooks.example.test/in', events: ['visit.signed_in'] } });
  const apiKey = await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body: { name: 'foreign', role: 'viewer' } });
  const invite = await call(env.app, 'POST', '/api/users/invite', { headers: t.owner.headers, body: { email: `inv-${randomUUID().slice(0, 6)}@example.test`, role: 'viewer' } });
  const invites = await call(env.app, 'GET', '/api/users/invites', { headers: t.owner.headers });
  const check = await call(env.app, 'POST', '/api/record/checks', { headers: t.owner.headers, body: { scope: 'tenant', section: 'Other', name: `Lanyard ${randomUUID().slice(0, 6)}`, type: 'yesno', requirement: 'optional' } });
  const rating = await call(env.app, 'POST', '/api/record/rating-systems', { headers: t.owner.headers, body: { name: `Rating ${randomUUID().slice(0, 6)}`, mandatory: false, enabled: false } });
  await call(env.app, 'PATCH', `/api/record/profiles/${profile.body.id}`, { headers: t.owner.headers, body: { version: profile.body.version, checks: { enhanced_dbs: { value: '2024-08-20', reference: '001234567890' } } } });
  const document = await env.app.inject({ method: 'POST', url: `/api/record/profiles/${profile.body.id}/checks/enhanced_dbs/document?fileName=dbs.png`, headers: { ...t.owner.headers, 'content-type': 'image/png' }, payload: solidPng(4, 4, [0, 200, 0]) });
  const made = [profile, visit, rollCall, block, webhook, apiKey, invite, check, rating];
  expect([...made.map((r) => r.status), document.statusCode]).toEqual([201, 201, 201, 201, 201, 201, 201, 201, 201, 201]);
  const viewer = await t.as('viewer');
  return {
    sites: site.id,
    groups: group.id,
    members: member.id,
    organisations: org.id,
    'profile-types': typeId('teaching'),
    profiles: profile.body.id as string,
    retention: profile.body.id as string,
    visits: visit.body.visit.id as string,
    'roll-calls': rollCall.body.rollCall.id as string,
    entries: member.id,
    'block-list': block.body.id as string,
    webhooks: webhook.body.webhook.id as string,
    'api-keys': apiKey.body.key.id as string,
    invites: (invites.body.items as Array<{ id: string }>)[0]!.id,
    users: viewer.id,
    kiosks: kiosk.deviceId,
    checks: check.body.id as string,
    'rating-systems': rating.body.id as string,
    documents: document.json().id as string,
  } as Record<string, string>;
}

/** The kind of id a parameter names: the segment before it, or the route's resource for `{groupId}`-style names. */
function kindOf(path: string, index: number): string {
  const segments = path.split('/');
  let seen = -1;
  for (let i = 0; i < segments.length; i++) {
    const param = /^\{(\w+)\}$/.exec(segments[i]!);
    if (!param) continue;
    seen++;
    if (seen !== index) continue;
    const named = /^(\w+)Id$/.exec(param[1]!)?.[1];
    if (named && named !== 'entry') return { site: 'sites', group: 'groups', member: 'members', organisation: 'organisations', profile: 'profiles' }[named] ?? named;
    return segments[i - 1]!;
  }
  return '?';
}

describe('every route of the OpenAPI document, with another tenant’s ids', () => {
  it('answers 404 for each (a 400 only where the request body is refused first), and the other tenant is unchanged', { timeout: 600_000 }, async () => {
    const mine = await createTestTenant(env, { kind: 'trust' });
    const other = await createTestTenant(env, { kind: 'trust' });
    const { kiosk } = await kioskSetup(env, mine);
    const foreign = await foreignRows(other);
    const before = await snapshot(other);
    const answers: string[] = [];
    const unexpected: string[] = [];
    // Reached without a tenant's id in the path: a one-time token, a sign-in start (public by design).
    const skip = new Set(['/api/invites/{token}', '/api/auth/oidc/{id}/start']);
    for (const route of jsonRoutes().filter((r) => /\{\w+\}/.test(r.path) && !skip.has(r.path))) {
      let i = 0;
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const kind = kindOf(route.path, i++);
        return name === 'key' ? 'dbs' : (foreign[kind] ?? randomUUID());
      });
      const headers = route.path.startsWith('/api/kiosk/') ? kiosk.headers : mine.owner.headers;
      const json = route.bodyKeys !== null;
      // Uploads the document leaves out: a well-formed one, so the id is what is refused.
      const uploads: Record<string, { type: string; query: string }> = { 'PUT /api/signin/members/{id}/photo': { type: 'image/png', query: '' }, 'POST /api/record/profiles/{id}/checks/{key}/document': { type: 'image/png', query: '?fileName=check.png' } };
      const upload = uploads[`${route.method} ${route.path}`];
      const res = upload
        ? await env.app.inject({ method: route.method, url: `${path}${upload.query}`, headers: { ...headers, 'content-type': upload.type }, payload: solidPng(4, 4, [200, 0, 0]) })
        : await env.app.inject({ method: route.method, url: path, headers: { ...headers, ...(json ? { 'content-type': 'application/json' } : {}) }, payload: json ? '{}' : undefined });
      answers.push(`${route.method} ${route.path}`);
      // A body the route refuses is a 400 before any row is read: allowed only for routes taking one.
      const allowed = json ? [400, 404] : [404];
      if (!allowed.includes(res.statusCode)) unexpected.push(`${route.method} ${route.path} → ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    expect(answers.length).toBeGreaterThan(60);
    expect(unexpected).toEqual([]);
    expect(await snapshot(other)).toEqual(before);
  });
});

/**
 * Scopes are a wall for managers and viewers (an admin may lift its own scopes: users.manage, so
 * for an admin they are a view, not a wall).
 */
describe('every sign-in route of the OpenAPI document, as a manager or viewer scoped to one site, with another site’s ids', () => {
  it('answers 404 (or 403 where the scope lacks the permission; a 400 only where a JSON body is refused first)', { timeout: 600_000 }, async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const mySite = await makeSite(env, t);
    const theirs = await foreignRows(t); // another site of the same tenant, its group shown only there, its member, visit, roll call…
    for (const role of ['manager', 'viewer'] as const) {
      const user = await t.as(role);
      await setScopes(env, t, user.id, [{ kind: 'site', refId: mySite.id, level: 'administer' }]);
      const unexpected: string[] = [];
      for (const route of jsonRoutes().filter((r) => /\{\w+\}/.test(r.path) && r.path.startsWith('/api/signin/'))) {
        let i = 0;
        const path = route.path.replace(/\{(\w+)\}/g, () => theirs[kindOf(route.path, i++)] ?? randomUUID());
        const json = route.bodyKeys !== null;
        const photo = route.path === '/api/signin/members/{id}/photo' && route.method === 'PUT';
        const res = photo
          ? await env.app.inject({ method: route.method, url: path, headers: { ...user.headers, 'content-type': 'image/png' }, payload: solidPng(4, 4, [0, 0, 200]) })
          : await env.app.inject({ method: route.method, url: path, headers: { ...user.headers, ...(json ? { 'content-type': 'application/json' } : {}) }, payload: json ? '{}' : undefined });
        const allowed = json ? [400, 403, 404] : [403, 404];
        if (!allowed.includes(res.statusCode)) unexpected.push(`${role} ${route.method} ${route.path} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
      expect(unexpected).toEqual([]);
    }
  });
});
