import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestTenant, type TestTenant } from '../../../test/factories';
import { useTestEnv } from '../../../test/harness';
import { ApiError, setCsrfToken } from './index';
import { createApiClient, ok, type ApiClient } from './client';

/** The typed client against the real server: the session cookie, the CSRF header, errors as ApiError. */
describe('the typed API client', () => {
  const env = useTestEnv();
  let base = '';
  let tenant: TestTenant;
  let client: ApiClient;
  const sent: Request[] = [];

  beforeAll(async () => {
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
    tenant = await createTestTenant(env);
    // A browser sends the session cookie itself; here the fake "browser" adds it to every request.
    const cookie = tenant.owner.headers.cookie;
    client = createApiClient({
      baseUrl: base,
      fetch: (input, init) => {
        const req = new Request(input, init);
        req.headers.set('cookie', cookie);
        sent.push(req);
        return fetch(req);
      },
    });
  });
  afterAll(() => setCsrfToken(null));
  beforeEach(() => {
    sent.length = 0;
    setCsrfToken(null);
  });

  it('reads typed data with the session', async () => {
    const keys = await ok(client.GET('/api/api-keys'));
    expect(keys.items).toEqual([]);
  });

  it('fetches the CSRF token once and sends it on unsafe methods', async () => {
    const created = await ok(client.POST('/api/api-keys', { body: { name: 'Export', role: 'viewer' } }));
    expect(created.key.name).toBe('Export');
    expect(sent.map((r) => new URL(r.url).pathname)).toEqual(['/api/auth/session', '/api/api-keys']);
    expect(sent[1]!.headers.get('x-csrf-token')).toBe(tenant.owner.headers['x-csrf-token']);
    await ok(client.DELETE('/api/api-keys/{id}', { params: { path: { id: created.key.id } } }));
    expect(sent.filter((r) => r.url.endsWith('/api/auth/session'))).toHaveLength(1);
  });

  it('throws the server error as an ApiError with its code and field', async () => {
    const err = await ok(client.POST('/api/api-keys', { body: { name: '', role: 'viewer' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((err as ApiError).fieldError('name')).toBeTruthy();
    const missing = await ok(client.DELETE('/api/api-keys/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404 });
  });

  it('turns an unreachable server into a network_error', async () => {
    const offline = createApiClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(ok(offline.GET('/api/api-keys'))).rejects.toMatchObject({ code: 'network_error', status: 0 });
  });
});
