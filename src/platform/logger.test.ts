import { spawn } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger('info', {}, stream), text: () => lines.join('') };
}

describe('the logger', () => {
  it('logs any `err` without SQL parameter values or row detail, from every call site (job failures, SCIM errors, child loggers)', () => {
    const { log, text } = capture();
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "members_email_unique"'), { code: '23505', constraint: 'members_email_unique', detail: 'Key (email)=(ada@example.test) already exists.' });
    const err = new DrizzleQueryError('insert into "members" ("full_name", "email") values ($1, $2)', ['Ada Lovelace', 'ada@example.test'], cause);
    log.warn({ err, job: { id: 'j1', name: 'integration.run' } }, 'job failed (it is retried while retries remain)');
    log.child({ reqId: 'r1' }).error({ err }, 'unhandled SCIM error');
    const out = text();
    expect(out.match(/members_email_unique/g)?.length).toBeGreaterThanOrEqual(2);
    expect(out).toContain('insert into');
    expect(out).toContain('"j1"');
    expect(out).not.toContain('ada@example.test');
    expect(out).not.toContain('Ada Lovelace');
  });

  it('censors secrets in every line and child logger, as pino\'s redaction did, and leaves the caller\'s objects as they were', () => {
    const { log, text } = capture();
    const user = { email: 'ada@example.test', password: 'hunter2 long enough' };
    const req = { method: 'GET', url: '/x', headers: { authorization: 'Bearer thr_scim_abc', cookie: 'sid=s3cr3t', accept: 'application/json' } };
    log.info({ user, req, body: { token: 'thr_key_123', secret: 'shh', name: 'kept' }, n: 3 }, 'first');
    log.child({ job: { token: 'child-token', id: 'j2' } }).warn({ err: { message: 'loggable', secret: 'in an err' } }, 'second');
    log.child({ a: 1 }).child({ b: { token: 'grandchild-token' } }).info('third');
    const out = text();
    for (const secret of ['hunter2', 'thr_scim_abc', 's3cr3t', 'thr_key_123', 'shh', 'child-token', 'in an err', 'grandchild-token']) expect(out).not.toContain(secret);
    const [first, second, third] = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    expect(first!.user).toEqual({ email: 'ada@example.test', password: '[redacted]' });
    expect(first!.body).toEqual({ token: '[redacted]', secret: '[redacted]', name: 'kept' });
    expect(first!.n).toBe(3);
    expect(second!.job).toEqual({ token: '[redacted]', id: 'j2' });
    expect(second!.err).toMatchObject({ message: 'loggable', secret: '[redacted]' });
    // A child of a child keeps its parent's bindings.
    expect(third).toMatchObject({ a: 1, b: { token: '[redacted]' }, msg: 'third' });
    // The caller's objects are not changed.
    expect(user.password).toBe('hunter2 long enough');
    expect(req.headers.authorization).toBe('Bearer thr_scim_abc');
  });

  it('logs a request object given as `req` (Node\'s own, outside Fastify) as its method and URL, never its headers', () => {
    const { log, text } = capture();
    class IncomingLike {
      method = 'POST';
      url = '/api/auth/login';
      headers = { authorization: 'Bearer thr_key_raw', cookie: 'sid=raw-cookie', host: 'school.example' };
      socket = { remoteAddress: '10.0.0.9', remotePort: 5123 };
    }
    log.warn({ req: new IncomingLike() }, 'raw request');
    const line = JSON.parse(text()) as { req: Record<string, unknown> };
    expect(line.req).toEqual({ method: 'POST', url: '/api/auth/login', host: 'school.example', remoteAddress: '10.0.0.9', remotePort: 5123 });
    expect(text()).not.toContain('thr_key_raw');
    expect(text()).not.toContain('raw-cookie');
  });

  it('logs a Fastify request line without its credentials (the request serializer never writes headers)', async () => {
    const { log, text } = capture();
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ loggerInstance: log });
    app.get('/x', async (req) => {
      req.log.info({ req }, 'with the request');
      return 'ok';
    });
    const res = await app.inject({ method: 'GET', url: '/x', headers: { authorization: 'Bearer thr_scim_zzz', cookie: 'sid=c00kie' } });
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(text()).toContain('with the request');
    expect(text()).toContain('"url":"/x"');
    expect(text()).not.toContain('thr_scim_zzz');
    expect(text()).not.toContain('c00kie');
  });

  it('keeps a thrown non-error readable', () => {
    const { log, text } = capture();
    log.error({ err: 'plain string failure' }, 'x');
    log.error({ err: { type: 'Error', message: 'already loggable' } }, 'y');
    expect(text()).toContain('plain string failure');
    expect(text()).toContain('already loggable');
  });
});

describe('the logger on standard output', () => {
  const child = (code: string) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { createLogger } from ${JSON.stringify(path.resolve('src/platform/logger.ts'))};\n${code}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const lines = () => out.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { msg: string }); // whole lines only
    // 'close': once the child's output is all read.
    return { proc, lines, exited: new Promise<number | null>((done) => proc.on('close', (c) => done(c))) };
  };

  it('writes a quiet moment’s lines without waiting for more (the periodic flush), the process still running', async () => {
    const c = child(`const log = createLogger('info'); log.info('one'); log.info('two'); setInterval(() => {}, 1000);`);
    while (c.lines().length < 2) await new Promise((r) => setTimeout(r, 50));
    expect(c.lines().map((l) => l.msg)).toEqual(['one', 'two']);
    expect(c.proc.exitCode).toBeNull();
    c.proc.kill();
    await c.exited;
  });

  it('writes every gathered line when the process exits at once', async () => {
    const c = child(`const log = createLogger('info'); for (let i = 0; i < 500; i++) log.info({ i }, 'line'); process.exit(3);`);
    expect(await c.exited).toBe(3);
    expect(c.lines()).toHaveLength(500);
  });
});
