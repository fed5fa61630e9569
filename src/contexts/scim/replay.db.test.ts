import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { scimFixture } from './fixtures/setup.js';

/**
 * Replays recorded-style request sequences of Okta and Microsoft Entra ID (fixtures/*.json) against
 * a fresh SCIM group, checking each answer and the member row the request left behind.
 */
type Step = {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  contentType?: string;
  /** Extra request headers (If-Match, If-None-Match, …). */
  headers?: Record<string, string>;
  body?: unknown;
  /** A body sent as is (e.g. "" with a Content-Type, as Entra's DELETE). */
  rawBody?: string;
  /** Variables from the body: name → top-level key. */
  capture?: Record<string, string>;
  /** Variables from the response headers: name → header. */
  captureHeaders?: Record<string, string>;
  expect: {
    status: number;
    body?: Record<string, unknown>;
    absent?: Array<string | string[]>;
    /** Response headers that must be present with this value. */
    headers?: Record<string, string>;
    /** `Resources[*].<key>` (a dotted path) in this exact order. */
    list?: { key: string; values: unknown[] };
    /** The response has no body at all (204, 304). */
    empty?: boolean;
    member?: Partial<{ fullName: string; role: string; email: string; phone: string; archived: boolean; deleted: boolean }>;
  };
};

const here = path.dirname(fileURLToPath(import.meta.url));
const load = (name: string) => JSON.parse(readFileSync(path.join(here, 'fixtures', name), 'utf8')) as { steps: Step[] };

function fill<T>(value: T, vars: Record<string, string>): T {
  return JSON.parse(JSON.stringify(value).replace(/\{\{(\w+)\}\}/g, (_m, k: string) => (vars[k] === undefined ? `{{${k}}}` : JSON.stringify(vars[k]).slice(1, -1)))) as T;
}

const env = useTestEnv();

const pluck = (v: unknown, dotted: string) => dotted.split('.').reduce<unknown>((cur, k) => (cur as Record<string, unknown> | undefined)?.[k], v) ?? null;

async function replay(file: string) {
  const f = await scimFixture(env);
  const vars: Record<string, string> = { base: `${env.platform.config.publicUrl}${f.base}` };
  for (const raw of load(file).steps) {
    const step = fill(raw, vars);
    const hasBody = step.body !== undefined || step.rawBody !== undefined;
    const res = await env.app.inject({
      method: step.method,
      url: `${f.base}${step.path}`,
      headers: {
        authorization: `Bearer ${f.token}`,
        ...(hasBody ? { 'content-type': step.contentType ?? 'application/json' } : {}),
        ...step.headers,
      },
      payload: step.rawBody ?? (step.body === undefined ? undefined : JSON.stringify(step.body)),
    });
    const body = res.body ? (res.json() as Record<string, unknown>) : undefined;
    const where = `${step.name}: ${res.statusCode} ${res.body.slice(0, 500)}`;
    expect(res.statusCode, where).toBe(step.expect.status);
    if (res.body) expect(res.headers['content-type'], where).toMatch(/^application\/scim\+json/);
    if (step.expect.empty) expect(res.body, where).toBe('');
    if (step.expect.body) expect(body, where).toMatchObject(step.expect.body);
    for (const [name, value] of Object.entries(step.expect.headers ?? {})) expect(res.headers[name], `${where}: header ${name}`).toBe(value);
    if (step.expect.list) {
      const seen = ((body?.Resources as unknown[] | undefined) ?? []).map((r) => pluck(r, step.expect.list!.key));
      expect(seen, `${where}: Resources[*].${step.expect.list.key}`).toEqual(step.expect.list.values);
    }
    for (const absent of step.expect.absent ?? []) {
      const keys = Array.isArray(absent) ? absent : [absent];
      let cur: unknown = body;
      for (const k of keys.slice(0, -1)) cur = (cur as Record<string, unknown> | undefined)?.[k];
      expect(cur === undefined || !(keys.at(-1)! in (cur as Record<string, unknown>)), `${where}: ${keys.join('.')} should be absent`).toBe(true);
    }
    for (const [name, key] of Object.entries(step.capture ?? {})) vars[name] = String(body?.[key]);
    for (const [name, key] of Object.entries(step.captureHeaders ?? {})) vars[name] = String(res.headers[key]);
    if (step.expect.member) {
      // Through sign-in's MembersPort (`find`: a removed member too).
      const m = await env.contexts.signin.members.find(env.platform.db, f.t.tenantId, vars.userId!);
      const seen = { fullName: m?.fullName, role: m?.role, email: m?.email, phone: m?.phone, archived: Boolean(m?.archivedAt), deleted: Boolean(m?.deletedAt) };
      expect(seen, `${step.name}: member row`).toMatchObject(step.expect.member);
      expect(m?.groupId).toBe(f.groupId);
    }
  }
}

describe.each([
  ['Okta', 'okta.json'],
  ['Microsoft Entra ID', 'entra.json'],
])('%s request shapes', (_idp, file) => {
  it('replays every step', { timeout: 60_000 }, async () => {
    await replay(file);
  });
});

/** Issue 13: what other real clients send, one fixture per behaviour. */
const clients = readdirSync(path.join(here, 'fixtures', 'clients'))
  .filter((n) => n.endsWith('.json'))
  .sort();

describe('other clients', () => {
  it.each(clients)('%s', { timeout: 60_000 }, async (name) => {
    await replay(`clients/${name}`);
  });
});
