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

  it('keeps a thrown non-error readable', () => {
    const { log, text } = capture();
    log.error({ err: 'plain string failure' }, 'x');
    log.error({ err: { type: 'Error', message: 'already loggable' } }, 'y');
    expect(text()).toContain('plain string failure');
    expect(text()).toContain('already loggable');
  });
});
