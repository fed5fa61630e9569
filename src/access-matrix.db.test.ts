import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../test/harness.js';
import { call, createTestTenant, sessionFor, TEST_PASSWORD, type TestTenant } from '../test/factories.js';
import { makeGroup, makeMember, makeSite, pairKiosk } from '../test/signin-factories.js';
import { recordTenant } from '../test/record-fixtures.js';

/**
 * The role × route matrix: every route of the app's OpenAPI document (a new route joins it by
 * itself), called by every kind of principal, pinned in `access-matrix.json`. Any change of who
 * may call what shows as a diff of that file; `UPDATE_ACCESS_MATRIX=1` rewrites it.
 *
 * Outcomes: `401`, `403`, `hidden` (404 for a real resource of the tenant: out of the caller's
 * scope), `allowed` (anything else: the route let the caller through). GET routes are called with
 * real ids (site A, its group and member, organisation A and a profile in it), so scoped callers
 * show their scope; other methods with unknown ids, so nothing real is changed. Bodies are the
 * smallest valid ones made from the route's JSON schema, so validation does not answer first.
 */
const env = useTestEnv();
const MATRIX_FILE = new URL('./access-matrix.json', import.meta.url);

type Op = { parameters?: Array<{ in: string; name: string; required?: boolean; schema?: Schema }>; requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  minLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
};

const UNKNOWN_ID = '00000000-0000-4000-8000-00000000abcd';
/** Fields the schema sampler cannot choose (rules across fields), over the sampled body. */
const BODIES: Record<string, object> = { 'POST /api/kiosk/sign-in': { memberId: UNKNOWN_ID } };

/** The smallest value the schema accepts (required properties only), for the formats and patterns the app uses. */
function sample(s: Schema | undefined, defs: Record<string, Schema>): unknown {
  if (!s) return {};
  if (s.$ref) return sample(defs[s.$ref.split('/').pop()!], defs);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x) => sample(x, defs)));
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return sample(alt.find((x) => x.type !== 'null') ?? alt[0], defs);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      // No required property: the first optional one (a patch must change something).
      const keys = s.required?.length ? s.required : Object.keys(s.properties ?? {}).slice(0, 1);
      return Object.fromEntries(keys.map((k) => [k, /url/i.test(k) ? 'https://example.test/hook' : sample(s.properties?.[k], defs)]));
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items, defs));
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'string':
      return sampleString(s);
    default:
      return {};
  }
}

function sampleString(s: Schema): string {
  const p = s.pattern ?? '';
  if (s.format === 'uuid') return UNKNOWN_ID;
  if (s.format === 'email' || p.includes('@')) return 'someone@example.test';
  if (s.format === 'date-time' || p.includes('T(?:')) return '2025-01-15T09:00:00Z';
  if (s.format === 'date' || p.includes('-02-29') || p.includes('\\d{4}-\\d{2}-\\d{2}')) return '2025-01-15';
  if (p.startsWith('^#')) return '#336699';
  if (p.includes('[01]\\d|2[0-3]')) return '09:00';
  if (p.includes('[a-z][a-z0-9_]')) return 'sample_key';
  if (p.includes('\\d{4,8}')) return '123456';
  if (p.includes('253')) return 'example.test';
  if (s.format === 'uri') return 'https://example.test/';
  return 'x'.repeat(Math.max(1, s.minLength ?? 1));
}

type Principal = { name: string; headers: () => Promise<Record<string, string>> };

/** A user's session, made again after a route of /api/auth/ (sign-out, password change) may have ended it. */
function sessionOf(u: { id: string; tenantId: string }, epoch: { n: number }) {
  let made: { n: number; headers: Record<string, string> } | null = null;
  return async () => {
    if (made?.n !== epoch.n) made = { n: epoch.n, headers: await sessionFor(env, u) };
    return made.headers;
  };
}

async function scopedUser(t: TestTenant, role: 'admin' | 'manager' | 'viewer', scopes: Array<{ kind: 'site' | 'organisation'; refId: string; level: 'view' | 'edit' | 'administer' }>) {
  const email = `scoped-${randomUUID().slice(0, 8)}@example.test`;
  const { id } = await env.contexts.accounts.service.createUser(t.tenantId, { email, password: TEST_PASSWORD, role }, { kind: 'system', id: null, label: 'test' });
  const put = await call(env.app, 'PUT', `/api/users/${id}/scopes`, { headers: t.owner.headers, body: { scopes } });
  if (put.status !== 200) throw new Error(`scopes: ${put.status} ${JSON.stringify(put.body)}`);
  return { id, tenantId: t.tenantId };
}

async function apiKey(t: TestTenant, role: 'admin' | 'manager' | 'viewer') {
  const r = await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body: { name: `${role} key`, role } });
  if (r.status !== 201) throw new Error(`api key: ${r.status} ${JSON.stringify(r.body)}`);
  return { authorization: `Bearer ${r.body.apiKey as string}` };
}

function format(matrix: Record<string, Record<string, string>>): string {
  const lines = Object.keys(matrix)
    .sort()
    .map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(matrix[k])}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

describe('access matrix: every route × every kind of caller', () => {
  it('matches access-matrix.json', { timeout: 600_000 }, async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const siteA = await makeSite(env, t);
    const siteB = await makeSite(env, t);
    const groupA = await makeGroup(env, t, {}, [siteA.id]);
    const memberA = await makeMember(env, t, groupA.id);
    const { orgs, typeId } = await recordTenant(env, t, [
      { name: 'Org A', type: 'maintained' },
      { name: 'Org B', type: 'maintained' },
    ]);
    const orgA = orgs[0]!;
    const orgB = orgs[1]!;
    const profile = await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { organisationId: orgA.id, profileTypeId: typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace' } });
    if (profile.status !== 201) throw new Error(`profile: ${profile.status}`);
    const scimGroup = await makeGroup(env, t, { type: 'scim' });
    const scimToken = await call(env.app, 'POST', `/api/scim/groups/${scimGroup.id}/token`, { headers: t.owner.headers });
    if (scimToken.status !== 201) throw new Error(`scim token: ${scimToken.status} ${JSON.stringify(scimToken.body)}`);

    const epoch = { n: 0 };
    const user = (u: { id: string; tenantId: string }) => sessionOf(u, epoch);
    const roleUser = async (role: 'owner' | 'admin' | 'manager' | 'viewer') => ({ id: (await t.as(role)).id, tenantId: t.tenantId });
    const kiosk = await pairKiosk(env, t, siteA.id);
    const keys = { viewer: await apiKey(t, 'viewer'), manager: await apiKey(t, 'manager'), admin: await apiKey(t, 'admin') };
    // Least privileged first; owner last.
    const principals: Principal[] = [
      { name: 'anonymous', headers: async () => ({}) },
      { name: 'kiosk', headers: async () => kiosk.headers },
      { name: 'scim', headers: async () => ({ authorization: `Bearer ${scimToken.body.token as string}` }) },
      { name: 'apikey:viewer', headers: async () => keys.viewer },
      { name: 'apikey:manager', headers: async () => keys.manager },
      { name: 'apikey:admin', headers: async () => keys.admin },
      { name: 'viewer@orgA:edit', headers: user(await scopedUser(t, 'viewer', [{ kind: 'organisation', refId: orgA.id, level: 'edit' }])) },
      { name: 'manager@siteA', headers: user(await scopedUser(t, 'manager', [{ kind: 'site', refId: siteA.id, level: 'edit' }])) },
      { name: 'manager@siteB', headers: user(await scopedUser(t, 'manager', [{ kind: 'site', refId: siteB.id, level: 'edit' }])) },
      { name: 'manager@orgA', headers: user(await scopedUser(t, 'manager', [{ kind: 'organisation', refId: orgA.id, level: 'edit' }])) },
      { name: 'manager@orgA:administer', headers: user(await scopedUser(t, 'manager', [{ kind: 'organisation', refId: orgA.id, level: 'administer' }])) },
      { name: 'manager@orgB', headers: user(await scopedUser(t, 'manager', [{ kind: 'organisation', refId: orgB.id, level: 'edit' }])) },
      // A school's office manager: an admin held to their school's site, organisation, or both (the trust's central team is unscoped).
      { name: 'admin@siteA', headers: user(await scopedUser(t, 'admin', [{ kind: 'site', refId: siteA.id, level: 'administer' }])) },
      { name: 'admin@orgA', headers: user(await scopedUser(t, 'admin', [{ kind: 'organisation', refId: orgA.id, level: 'administer' }])) },
      { name: 'admin@siteA+orgA', headers: user(await scopedUser(t, 'admin', [{ kind: 'site', refId: siteA.id, level: 'administer' }, { kind: 'organisation', refId: orgA.id, level: 'administer' }])) },
      { name: 'viewer', headers: user(await roleUser('viewer')) },
      { name: 'manager', headers: user(await roleUser('manager')) },
      { name: 'admin', headers: user(await roleUser('admin')) },
      { name: 'owner', headers: user(await roleUser('owner')) },
    ];

    /** Real ids for GET routes, by the resource the path names. */
    const realId = (path: string, param: string): string | null => {
      if (path.startsWith('/scim/') || path.startsWith('/api/scim/groups/')) return param === 'groupId' ? scimGroup.id : null;
      if (param === 'siteId' || (param === 'id' && path.startsWith('/api/signin/sites/{id}'))) return siteA.id;
      if (param === 'groupId' || (param === 'id' && path.startsWith('/api/signin/groups/{id}'))) return groupA.id;
      if (param === 'memberId' || (param === 'id' && path.startsWith('/api/signin/members/{id}'))) return memberA.id;
      if (param === 'organisationId' || (param === 'id' && path.startsWith('/api/record/organisations/{id}'))) return orgA.id;
      if (param === 'profileId' || (param === 'id' && path.startsWith('/api/record/profiles/{id}'))) return profile.body.id as string;
      return null;
    };

    const doc = env.app.swagger() as { paths: Record<string, Record<string, Op>>; components?: { schemas?: Record<string, Schema> } };
    const defs = doc.components?.schemas ?? {};
    const matrix: Record<string, Record<string, string>> = {};
    const invalid: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const m = method.toUpperCase();
        if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m)) continue;
        const key = `${m} ${path}`;
        if (path.endsWith('/events')) {
          // Server-sent events never end for a caller who is let in; pinned by their own tests.
          matrix[key] = { stream: 'not probed' };
          continue;
        }
        let real = false;
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
          const id = m === 'GET' ? realId(path, name) : null;
          if (id) real = true;
          const param = op.parameters?.find((p) => p.in === 'path' && p.name === name);
          return encodeURIComponent(id ?? String(sample(param?.schema ?? { type: 'string', format: 'uuid' }, defs)));
        });
        const query = new URLSearchParams();
        for (const q of op.parameters ?? []) if (q.in === 'query' && q.required) query.set(q.name, String(sample(q.schema, defs)));
        const content = op.requestBody?.content ?? {};
        const bodyType = Object.keys(content)[0];
        const body = bodyType === 'application/json' ? JSON.stringify({ ...(sample(content[bodyType]?.schema, defs) as object), ...BODIES[key] }) : bodyType ? '' : undefined;
        const row: Record<string, string> = {};
        for (const pr of principals) {
          // A wrong password is counted per address and email (an unknown email too): each caller
          // signs in with an email of its own, so the fifth caller is not answered by the lock-out.
          const payload = key === 'POST /api/auth/login' && body ? JSON.stringify({ ...(JSON.parse(body) as object), email: `${pr.name.replace(/[^a-z0-9]/gi, '-')}@nobody.example` }) : body;
          const res = await env.app.inject({
            method: m as 'GET',
            url: query.size ? `${url}?${query}` : url,
            headers: { ...(await pr.headers()), ...(bodyType ? { 'content-type': bodyType } : {}) },
            payload,
          });
          let code = '';
          try {
            code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code ?? '';
          } catch {
            code = '';
          }
          if (res.statusCode === 400 && code === 'validation_failed') invalid.push(`${key} as ${pr.name}: ${res.body.slice(0, 300)}`);
          row[pr.name] = res.statusCode === 401 ? '401' : res.statusCode === 403 ? '403' : res.statusCode === 404 && real ? 'hidden' : 'allowed';
        }
        matrix[key] = row;
        if (path.startsWith('/api/auth/')) epoch.n++;
      }
    }
    expect(Object.keys(matrix).length).toBeGreaterThan(150);
    // A request the schema refuses never reaches the route's access check: the sample must be valid.
    expect(invalid).toEqual([]);
    const text = format(matrix);
    if (process.env.UPDATE_ACCESS_MATRIX === '1') writeFileSync(MATRIX_FILE, text);
    expect(text).toEqual(readFileSync(MATRIX_FILE, 'utf8'));
  });
});
