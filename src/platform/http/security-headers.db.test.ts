import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';

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
});
