import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant } from '../../../test/factories.js';
import { securityHeaders } from '../../app.js';

const env = useTestEnv();

describe('security headers', () => {
  it('sets a CSP, and does not force HTTPS when the public address is plain http', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/health' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sets every header @fastify/helmet sets, on every answer (an unknown path, a refused request)', async () => {
    // The app's options over plain http: no HSTS.
    const expected = await securityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'"] } }, strictTransportSecurity: false, crossOriginEmbedderPolicy: false });
    expect(expected.map(([name]) => name)).toEqual(expect.arrayContaining(['content-security-policy', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy']));
    for (const url of ['/health', '/no/such/page', '/api/users']) {
      const res = await env.app.inject({ method: 'GET', url });
      for (const [name] of expected) expect(res.headers[name], `${url} ${name}`).toEqual(expect.any(String));
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
    }
  });

  it('API answers (personal data) are never stored by browsers or proxies', async () => {
    const t = await createTestTenant(env);
    for (const url of ['/api/users', '/api/auth/me', '/api/signin/visits']) {
      const res = await call(env.app, 'GET', url, { headers: t.owner.headers });
      expect(res.status, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    expect((await call(env.app, 'GET', '/api/users')).headers['cache-control']).toBe('no-store');
  });

  it('a malformed URL encoding answers in the app’s own error format', async () => {
    for (const url of ['/api/users/%E0%A4%A', '/api/%zz', '/%']) {
      const res = await env.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error, url).toMatchObject({ code: 'bad_url', requestId: expect.any(String) });
    }
  });
});
