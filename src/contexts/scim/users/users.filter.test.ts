import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FILTER_LENGTH, parseFilter } from '../resource/filter.js';
import { plainUserNameEq, userNameEqOf } from './users.filter.js';

/** What the parser makes of a filter: the userName it asks for, or the error it throws. */
const byParser = (filter: string) => {
  try {
    return { value: plainUserNameEq(parseFilter(filter)) };
  } catch (err) {
    return { error: (err as Error).message };
  }
};
const byFastPath = (filter: string) => {
  try {
    return { value: userNameEqOf(filter) };
  } catch (err) {
    return { error: (err as Error).message };
  }
};
/** A word in any mix of cases. */
const anyCase = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((up) => [...word].map((ch, i) => (up[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''));

describe('a userName eq filter', () => {
  it('reads as the parser reads it, whatever the value and the case of the words', () => {
    fc.assert(
      fc.property(anyCase('userName'), anyCase('eq'), fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 })), (attr, op, value) => {
        const filter = `${attr} ${op} "${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
        expect(byFastPath(filter)).toEqual(byParser(filter));
      }),
      { numRuns: 500 },
    );
  });

  it('reads any text as the parser does: other filters, spacing, escapes, text that cannot be stored, lengths over the limit', () => {
    const cases = [
      'userName eq "a\\"b"',
      'userName eq "a\\\\b"',
      'userName  eq "x"',
      ' userName eq "x"',
      'userName eq "x" ',
      'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"',
      'userName ne "x"',
      'userName eq "x" and active eq true',
      'displayName eq "x"',
      'userName eq x',
      'userName eq "x',
      'userName eq "a\u0000b"',
      'userName eq "a\tb"',
      'userName eq "a\nb"',
      'userName eq "a\rb"',
      'userName eq "a\u001fb"',
      'userName eq "a\u007fb"',
      'userName eq "a\u2028b"',
      'userName eq "a\ud800b"',
      `userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`,
    ];
    for (const filter of cases) expect(byFastPath(filter), filter).toEqual(byParser(filter));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(byFastPath(text)).toEqual(byParser(text));
      }),
      { numRuns: 500 },
    );
  });

  it('is the value itself for the plain form', () => {
    expect(userNameEqOf('userName eq "ada@example.test"')).toBe('ada@example.test');
    expect(userNameEqOf('USERNAME EQ "Ada"')).toBe('Ada');
    expect(userNameEqOf('userName eq ""')).toBe('');
    expect(userNameEqOf('userName sw "a"')).toBeUndefined();
  });
});
