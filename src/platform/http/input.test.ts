import { describe, expect, it } from 'vitest';
import { findUnstorableText, isStorableText } from './input.js';

describe('findUnstorableText', () => {
  it('names the first NUL or unpaired surrogate in values and keys, and passes paired ones', () => {
    expect(isStorableText('plain 🏫 é')).toBe(true);
    for (const bad of ['\u0000', 'x\ud800', '\udc00x', 'a\ud800\ud800\udc00'.slice(0, 2)]) expect(isStorableText(bad), JSON.stringify(bad)).toBe(false);
    expect(findUnstorableText({ a: 'ok', b: [{ c: 'ok' }, { c: 'n\u0000' }] }, 'body')).toBe('body.b.1.c');
    expect(findUnstorableText({ ['k\u0000']: 1 }, 'body')).toBe('body.k?');
    expect(findUnstorableText({ a: 1, b: null, c: true, d: Buffer.from([0]) }, 'body')).toBeUndefined();
    expect(findUnstorableText('\ud800', 'body')).toBe('body');
  });
});
