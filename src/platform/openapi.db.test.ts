import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';

const env = useTestEnv();

describe('API documentation', () => {
  it('serves the OpenAPI document generated from the route schemas, and a docs page for it', async () => {
    const doc = await env.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const body = doc.json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> }>();
    expect(body.openapi).toMatch(/^3\./);
    expect(body.paths['/api/auth/login']?.post?.requestBody).toBeDefined();
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/api/users', '/api/api-keys', '/api/audit']));
    let page = await env.app.inject({ method: 'GET', url: '/api/docs' });
    if (page.statusCode === 302) page = await env.app.inject({ method: 'GET', url: String(page.headers.location) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });
});
