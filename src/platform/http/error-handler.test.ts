import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { installErrorHandler } from './error-handler.js';

async function appWith(thrown: () => unknown) {
  const app = Fastify({ logger: false, genReqId: () => 'req-42' });
  installErrorHandler(app);
  app.get('/boom', async () => {
    throw thrown();
  });
  await app.ready();
  return app;
}

describe('error handler', () => {
  it('turns an unknown error into a generic 500 naming the request id, without its details', async () => {
    const app = await appWith(() => new Error('password=hunter2 at /srv/secret.ts:12'));
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal_error', message: 'Something went wrong (request req-42)', requestId: 'req-42' } });
    expect(res.body).not.toContain('hunter2');
    await app.close();
  });

  it('maps an AppError to its status, code, message and field', async () => {
    const app = await appWith(() => new AppError(409, 'email_taken', 'That email is in use', { field: 'email' }));
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: { code: 'email_taken', message: 'That email is in use', field: 'email', requestId: 'req-42' } });
    await app.close();
  });
});
