import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';

const env = useTestEnv();

async function auditRows(tenantId: string, action: string) {
  return env.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, action)));
}

describe('API keys', () => {
  it('creates a key shown once, lists keys without secrets: 401, 403, audited', async () => {
    const t = await createTestTenant(env);
    const manager = await t.as('manager');
    const body = { name: 'MIS sync', role: 'viewer' };
    expect((await call(env.app, 'POST', '/api/api-keys', { body })).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/api-keys', { headers: manager.headers, body })).status).toBe(403);
    expect((await call(env.app, 'GET', '/api/api-keys')).status).toBe(401);
    expect((await call(env.app, 'GET', '/api/api-keys', { headers: manager.headers })).status).toBe(403);
    const created = await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^thr_key_/);
    expect(created.body.key).toMatchObject({ name: 'MIS sync', role: 'viewer', prefix: created.body.apiKey.slice(0, 12), lastUsedAt: null, revokedAt: null });
    const list = await call(env.app, 'GET', '/api/api-keys', { headers: t.owner.headers });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.raw.body).not.toContain(created.body.apiKey);
    expect(list.body.items[0]).not.toHaveProperty('tokenHash');
    const [row] = await auditRows(t.tenantId, 'apikey.created');
    expect(row).toMatchObject({ actorId: t.owner.id, targetId: created.body.key.id });
  });

  it('authenticates with the key by its role and records when it was last used', async () => {
    const t = await createTestTenant(env);
    const viewerKey = await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body: { name: 'read only', role: 'viewer' } });
    const adminKey = await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body: { name: 'full' } });
    expect(adminKey.body.key.role).toBe('admin');
    // The default is the API's documented behaviour (the web form starts at viewer instead).
    const doc = await call(env.app, 'GET', '/api/openapi.json');
    const role = doc.body.paths['/api/api-keys'].post.requestBody.content['application/json'].schema.properties.role;
    expect([role.default, role.description]).toEqual(['admin', expect.stringContaining('Omitted, it is admin')]);
    const asViewer = { authorization: `Bearer ${viewerKey.body.apiKey}` };
    const asAdmin = { authorization: `Bearer ${adminKey.body.apiKey}` };
    expect((await call(env.app, 'GET', '/api/tenant', { headers: asViewer })).status).toBe(200);
    expect((await call(env.app, 'GET', '/api/users', { headers: asViewer })).status).toBe(403);
    const users = await call(env.app, 'GET', '/api/users', { headers: asAdmin });
    expect(users.status).toBe(200);
    expect(users.body.items.map((u: { id: string }) => u.id)).toEqual([t.owner.id]);
    // No CSRF header needed with a bearer key.
    expect((await call(env.app, 'PATCH', '/api/tenant', { headers: asAdmin, body: { name: 'Keyed' } })).status).toBe(200);
    // Last use is written after the responses, within about a second.
    const full = await waitFor(async () => {
      const list = await call(env.app, 'GET', '/api/api-keys', { headers: t.owner.headers });
      const key = list.body.items.find((k: { id: string }) => k.id === adminKey.body.key.id);
      return key.lastUsedAt !== null && key;
    }, { what: 'the key’s last use to be written' });
    expect(Date.parse(full.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(adminKey.body.key.createdAt));
    const unknown = await call(env.app, 'GET', '/api/tenant', { headers: { authorization: 'Bearer thr_key_unknown' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_api_key');
  });

  it('revokes a key: 401, 403, another tenant’s key 404, then the key answers 401; audited', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const manager = await t.as('manager');
    const key = await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body: { name: 'temp' } });
    const foreign = await call(env.app, 'POST', '/api/api-keys', { headers: other.owner.headers, body: { name: 'theirs' } });
    const url = `/api/api-keys/${key.body.key.id}`;
    expect((await call(env.app, 'DELETE', url)).status).toBe(401);
    expect((await call(env.app, 'DELETE', url, { headers: manager.headers })).status).toBe(403);
    const foreignDelete = await call(env.app, 'DELETE', `/api/api-keys/${foreign.body.key.id}`, { headers: t.owner.headers });
    const missingDelete = await call(env.app, 'DELETE', `/api/api-keys/${randomUUID()}`, { headers: t.owner.headers });
    expect(foreignDelete.status).toBe(404);
    expect(foreignDelete.body.error.message).toBe(missingDelete.body.error.message);
    expect((await call(env.app, 'GET', '/api/tenant', { headers: { authorization: `Bearer ${foreign.body.apiKey}` } })).status).toBe(200);
    expect((await call(env.app, 'DELETE', url, { headers: t.owner.headers })).status).toBe(204);
    const revoked = await call(env.app, 'GET', '/api/tenant', { headers: { authorization: `Bearer ${key.body.apiKey}` } });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('invalid_api_key');
    const list = await call(env.app, 'GET', '/api/api-keys', { headers: t.owner.headers });
    expect(list.body.items[0].revokedAt).not.toBeNull();
    expect((await call(env.app, 'DELETE', url, { headers: t.owner.headers })).status).toBe(204);
    expect(await auditRows(t.tenantId, 'apikey.revoked')).toHaveLength(1);
  });
});
