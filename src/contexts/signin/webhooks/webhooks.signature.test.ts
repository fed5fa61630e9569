import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { signatureHeader, verifySignature } from './webhooks.signature.js';

describe('webhook signature', () => {
  const secret = 'whsec_test';
  const body = '{"type":"visit.signed_in"}';

  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader(secret, 1700000000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies, and rejects a changed body, another key or an old timestamp', () => {
    const h = signatureHeader(secret, 1700000000, body);
    expect(verifySignature(secret, h, body, 1700000010)).toBe(true);
    expect(verifySignature(secret, h, body + ' ', 1700000010)).toBe(false);
    expect(verifySignature('whsec_other', h, body, 1700000010)).toBe(false);
    expect(verifySignature(secret, h, body, 1700000000 + 301)).toBe(false);
    expect(verifySignature(secret, 'garbage', body, 1700000000)).toBe(false);
  });
});
