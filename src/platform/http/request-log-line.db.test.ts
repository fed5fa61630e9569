import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { buildApp } from '../../app.js';
import { createLogger } from '../logger.js';

const env = useTestEnv();

describe('the request log', () => {
  it('writes one line per request, once answered, with the method, URL, status and time; an error still gets its line', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const app = await buildApp({ ...env.platform, log: createLogger('info', {}, sink) }, { serveWeb: false });
    try {
      expect((await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'log-line-1' } })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/users', headers: { 'x-request-id': 'log-line-2' } })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
    const of = (id: string) => lines.filter((l) => l.reqId === id);
    expect(of('log-line-1')).toEqual([
      expect.objectContaining({ msg: 'request completed', req: expect.objectContaining({ method: 'GET', url: '/health' }), res: { statusCode: 200 }, responseTime: expect.any(Number) }),
    ]);
    expect(of('log-line-2').filter((l) => l.msg === 'incoming request')).toEqual([]);
    expect(of('log-line-2').at(-1)).toMatchObject({ msg: 'request completed', req: { method: 'GET', url: '/api/users' }, res: { statusCode: 401 } });
  });
});
