import { describe, expect, it } from 'vitest';
import { codeAt, enrolment, matchingStep, newTotpSecret } from './totp.js';

describe('TOTP helpers', () => {
  const secret = newTotpSecret();
  const at = new Date('2025-03-01T10:00:15Z');

  it('accepts the current code and its neighbours, and names their step', () => {
    const step = Math.floor(at.getTime() / 30_000);
    expect(matchingStep(secret, codeAt(secret, at), at)).toBe(step);
    expect(matchingStep(secret, codeAt(secret, new Date(at.getTime() - 30_000)), at)).toBe(step - 1);
    expect(matchingStep(secret, codeAt(secret, new Date(at.getTime() + 30_000)), at)).toBe(step + 1);
  });

  it('refuses old codes and malformed input', () => {
    expect(matchingStep(secret, codeAt(secret, new Date(at.getTime() - 120_000)), at)).toBeNull();
    expect(matchingStep(secret, 'abcdef', at)).toBeNull();
    expect(matchingStep(secret, '12345', at)).toBeNull();
  });

  it('makes an otpauth URL and an SVG QR code', async () => {
    const e = await enrolment(secret, 'ada@example.test');
    expect(e.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Threshold:ada%40example\.test\?/);
    expect(e.otpauthUrl).toContain(`secret=${secret}`);
    expect(Buffer.from(e.qrSvg.replace('data:image/svg+xml;base64,', ''), 'base64').toString()).toContain('<svg');
  });
});
