import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../test/harness.js';
import { call, createTestTenant, type TestTenant } from '../test/factories.js';
import { makeGroup, makeMember, makeSite } from '../test/signin-factories.js';
import { recordTenant } from '../test/record-fixtures.js';
import { bodyFor, fuzzParams, nastyScalar, nastyString } from '../test/fuzz.js';

const env = useTestEnv();

type Route = { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; bodyKeys: string[] | null; queryKeys: string[] };
type OpenApiOp = { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }; parameters?: Array<{ in: string; name: string }> };

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
      routes.push({ method: m, path, bodyKeys: json ? Object.keys(json.schema?.properties ?? {}) : null, queryKeys: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name) });
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
          const path = route.path.replace(/\{\w+\}/g, () => encodeURIComponent(pathIds[i++]!));
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
