import { Writable } from 'node:stream';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '../../config.js';
import { createMailer } from './mailer.js';

describe('mailer without SMTP', () => {
  it('logs the message instead of sending it', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = loadConfig({ DATA_DIR: os.tmpdir(), SECRET_KEY: 'c'.repeat(64) });
    expect(config.smtp).toBeUndefined();
    await createMailer(config, pino({ level: 'info' }, sink)).send({ to: 'a@example.test', subject: 'Hello', text: 'Body' });
    const logged = JSON.parse(lines[0]!) as { msg: string; mail: unknown };
    expect(logged.msg).toMatch(/SMTP not configured/);
    expect(logged.mail).toEqual({ to: 'a@example.test', subject: 'Hello', text: 'Body' });
  });
});
