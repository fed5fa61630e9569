import { describe, expect, it } from 'vitest';
import { storableText } from './request-log.js';

describe('storableText (what the SCIM request log can store)', () => {
  it('keeps plain text, cut to the maximum', () => {
    expect(storableText('/Users/abc', 100)).toBe('/Users/abc');
    expect(storableText('abcdef', 3)).toBe('abc');
    expect(storableText('', 3)).toBe('');
  });
  it('replaces NUL and lone surrogates, keeps whole pairs, and never leaves half a pair where the cut falls', () => {
    expect(storableText('a\u0000b', 10)).toBe('a\ufffdb');
    expect(storableText('x\ud800y', 10)).toBe('x\ufffdy');
    expect(storableText('x\udc00', 10)).toBe('x\ufffd');
    expect(storableText('ok 😀', 10)).toBe('ok 😀');
    // '😀' is two UTF-16 units: a cut between them leaves a lone high surrogate, made storable.
    expect(storableText('ab😀', 3)).toBe('ab\ufffd');
  });
});
