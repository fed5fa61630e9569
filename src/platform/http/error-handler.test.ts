import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import Fastify, { type FastifyReply } from 'fastify';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { installErrorHandler, loggableError } from './error-handler.js';

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

  it('lets the web app route page paths but answers /api and unknown /api/* paths with a JSON 404', async () => {
    const app = Fastify({ logger: false, genReqId: () => 'req-7' });
    installErrorHandler(app);
    // What @fastify/static adds when the built web app is served (see app.ts).
    app.decorateReply('sendFile', function (this: FastifyReply, file: string) {
      return this.type('text/html').send(`<html>${file}</html>`);
    });
    app.decorate('threshold_spa', true);
    await app.ready();
    const page = await app.inject({ method: 'GET', url: '/signin/groups' });
    expect(page.headers['content-type']).toContain('text/html');
    for (const url of ['/api', '/api?x=1', '/api/', '/api/nothing-here']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('route_not_found');
    }
    await app.close();
  });
});

describe('loggableError', () => {
  it('keeps the query and the database code but never the parameter values or the row detail', async () => {
    const { DrizzleQueryError } = await import('drizzle-orm/errors');
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "users_email_unique"'), { code: '23505', constraint: 'users_email_unique', detail: 'Key (email)=(ada@example.test) already exists.' });
    const err = new DrizzleQueryError('insert into "users" ("email", "password_hash") values ($1, $2)', ['ada@example.test', 'thr_sess_secret'], cause);
    const logged = JSON.stringify(loggableError(err));
    expect(logged).toContain('users_email_unique');
    expect(logged).toContain('insert into');
    expect(logged).not.toContain('ada@example.test');
    expect(logged).not.toContain('thr_sess_secret');
  });
});

describe('validation messages', () => {
  async function postTo(body: unknown) {
    const { z } = await import('zod');
    const { serializerCompiler, validatorCompiler } = await import('fastify-type-provider-zod');
    const app = Fastify({ logger: false, genReqId: () => 'req-9' });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandler(app);
    const schema = z.object({
      name: z.string().min(1),
      code: z.string().min(4),
      pin: z.string().min(4, 'Use 4 to 8 digits'),
      email: z.email().optional(),
      count: z.number().int().min(1).optional(),
      kind: z.enum(['standard', 'repeat']).optional(),
      note: z.string(),
    });
    app.post('/thing', { schema: { body: schema } }, async () => ({}));
    await app.ready();
    const res = await app.inject({ method: 'POST', url: '/thing', payload: body as object });
    await app.close();
    return res;
  }

  it("says what to do in a person's words, not zod's ('Too small: expected string to have >=1 characters'), and keeps a schema's own message", async () => {
    const res = await postTo({ name: '', code: 'ab', pin: '1', email: 'nope', count: 0.5, kind: 'other' });
    expect(res.statusCode).toBe(400);
    const byField = Object.fromEntries((res.json().error.issues as Array<{ field: string; message: string }>).map((i) => [i.field, i.message]));
    expect(byField).toEqual({
      'body.name': 'Required',
      'body.code': 'Use at least 4 characters',
      'body.pin': 'Use 4 to 8 digits',
      'body.email': 'Enter an email address, like name@school.org',
      'body.count': 'Must be a whole number',
      'body.kind': 'Choose one of: standard, repeat',
      'body.note': 'Required',
    });
    expect(res.json().error.message).toContain('body.name: Required');
  });
});

describe('error handler: the database out of reach', () => {
  it('answers 503 service_unavailable with Retry-After, not a 500, when the database refuses connections', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2_000 });
    const app = Fastify({ logger: false, genReqId: () => 'req-9' });
    installErrorHandler(app);
    app.get('/read', async () => drizzle(pool).execute(sql`select 1`));
    const res = await app.inject({ method: 'GET', url: '/read' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ error: { code: 'service_unavailable', message: 'The database cannot be reached just now; try again in a few seconds', requestId: 'req-9' } });
    await app.close();
    await pool.end();
  });
});
