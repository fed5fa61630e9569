import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { newToken, hashToken } from '../src/platform/crypto.js';
import { sessions } from '../src/contexts/accounts/accounts.tables.js';
import type { Role } from '../src/platform/http/principal.js';
import type { TestEnv } from './harness.js';

export const TEST_PASSWORD = 'correct horse battery staple';

export type AuthHeaders = { cookie: string; 'x-csrf-token': string };
export type TestUser = { id: string; email: string; role: Role; headers: AuthHeaders };
export type TestTenant = {
  tenantId: string;
  owner: TestUser;
  /** Makes (once) and returns a user of the role, signed in. */
  as(role: Role): Promise<TestUser>;
};

export const uniqueEmail = (prefix = 'user') => `${prefix}-${randomUUID().slice(0, 8)}@example.test`;

/** A session for the user, made directly (login itself is tested in accounts). */
export async function sessionFor(env: TestEnv, user: { id: string; tenantId: string }): Promise<AuthHeaders> {
  const token = newToken('thr_sess_');
  const csrfToken = newToken('', 24);
  await env.platform.db.insert(sessions).values({
    tokenHash: hashToken(token),
    tenantId: user.tenantId,
    userId: user.id,
    csrfToken,
    expiresAt: new Date(Date.now() + 3600_000),
  });
  return { cookie: `thr_session=${token}`, 'x-csrf-token': csrfToken };
}

/** A fresh tenant with its owner signed in; other roles on demand. */
export async function createTestTenant(env: TestEnv, opts: { name?: string; kind?: 'school' | 'trust' | 'company' } = {}): Promise<TestTenant> {
  const accounts = env.contexts.accounts.service;
  const { tenant, owner } = await accounts.createTenant({
    name: opts.name ?? `Tenant ${randomUUID().slice(0, 6)}`,
    kind: opts.kind ?? 'school',
    ownerEmail: uniqueEmail('owner'),
    ownerPassword: TEST_PASSWORD,
  });
  const ownerUser: TestUser = { id: owner.id, email: owner.email, role: 'owner', headers: await sessionFor(env, owner) };
  const byRole = new Map<Role, TestUser>([['owner', ownerUser]]);
  return {
    tenantId: tenant.id,
    owner: ownerUser,
    async as(role) {
      const existing = byRole.get(role);
      if (existing) return existing;
      const u = await accounts.createUser(tenant.id, { email: uniqueEmail(role), password: TEST_PASSWORD, role }, { kind: 'system', id: null, label: 'test' });
      const made: TestUser = { id: u.id, email: u.email, role, headers: await sessionFor(env, u) };
      byRole.set(role, made);
      return made;
    },
  };
}

/** Replaces a user's scopes as the tenant's owner does, through accounts' API (sites and organisations; level `view` unless given). */
export async function setScopes(env: TestEnv, t: TestTenant, userId: string, scopes: Array<{ kind: 'site' | 'organisation'; refId: string; level?: 'view' | 'edit' | 'administer' }>) {
  const r = await call(env.app, 'PUT', `/api/users/${userId}/scopes`, { headers: t.owner.headers, body: { scopes } });
  if (r.status !== 200) throw new Error(`setScopes: ${r.status} ${JSON.stringify(r.body)}`);
}

/** `app.inject` with JSON in and out. */
export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  opts: { headers?: Record<string, string>; body?: unknown; remoteAddress?: string } = {},
) {
  const res = await app.inject({
    method,
    url,
    ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    payload: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  let json: unknown;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body: json as Record<string, any>, raw: res };
}

/**
 * A user of the role held to the scopes (level `administer` unless given), signed in: with `admin`,
 * a school's office manager (the trust's central team is unscoped).
 */
export async function scopedUser(env: TestEnv, t: TestTenant, role: Role, scopes: Array<{ kind: 'site' | 'organisation'; refId: string; level?: 'view' | 'edit' | 'administer' }>): Promise<TestUser> {
  const u = await env.contexts.accounts.service.createUser(t.tenantId, { email: uniqueEmail(`scoped-${role}`), password: TEST_PASSWORD, role }, { kind: 'system', id: null, label: 'test' });
  await setScopes(env, t, u.id, scopes.map((s) => ({ level: 'administer' as const, ...s })));
  return { id: u.id, email: u.email, role, headers: await sessionFor(env, u) };
}
