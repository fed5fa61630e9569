import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, hashToken, newToken, safeEqual } from './crypto.js';

const key = randomBytes(32);

describe('secrets we send', () => {
  it('round-trips and never repeats a ciphertext', () => {
    const a = encryptSecret(key, 'wonde-token-é✓');
    const b = encryptSecret(key, 'wonde-token-é✓');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\./);
    expect(a).not.toContain('wonde');
    expect(decryptSecret(key, a)).toBe('wonde-token-é✓');
    expect(decryptSecret(key, encryptSecret(key, ''))).toBe('');
  });

  it('detects tampering, a wrong key and a malformed value', () => {
    const stored = encryptSecret(key, 'smtp-password');
    const [v, iv, tag, ct] = stored.split('.') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptSecret(key, [v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    const badTag = Buffer.from(tag, 'base64url');
    badTag[0] = badTag[0]! ^ 1;
    expect(() => decryptSecret(key, [v, iv, badTag.toString('base64url'), ct].join('.'))).toThrow();
    expect(() => decryptSecret(randomBytes(32), stored)).toThrow();
    expect(() => decryptSecret(key, 'v2.a.b.c')).toThrow('unrecognised secret format');
    expect(() => decryptSecret(key, 'garbage')).toThrow('unrecognised secret format');
  });
});

describe('tokens we check', () => {
  it('are prefixed, random, and hashed deterministically', () => {
    const t = newToken('thr_key_');
    expect(t).toMatch(/^thr_key_[\w-]{43}$/);
    expect(newToken('thr_key_')).not.toBe(t);
    expect(hashToken(t)).toBe(hashToken(t));
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
