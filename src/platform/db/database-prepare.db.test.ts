import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { sqlLiteral } from './database.js';

const env = useTestEnv();

const awkward = ["plain", "it's", 'back\\slash', "both \\' and '' here", 'E\'x\'', '$1 $$ dollars $$', 'zoë 😀 中文\n\ttabs', '', '--', '/*', "'; select 1; --"];

describe('Database.prepare (decision 028)', () => {
  it('runs a statement many times with its parameters, literal text coming back as it went in', async () => {
    const { database } = env.platform;
    const echo = database.prepare('test_echo', 'select $1::text as t, $2::int + 1 as n, $3::boolean as b, $4::uuid as u, $5::text is null as missing');
    for (const text of awkward) {
      const rows = await echo([text, 41, false, '0b8f4e3c-1f6e-4c8a-9f1e-2d3c4b5a6978', null]);
      expect(rows).toEqual([[text, 42, false, '0b8f4e3c-1f6e-4c8a-9f1e-2d3c4b5a6978', true]]);
    }
    // The same name and text again (a second service on the same database) shares the statement.
    expect(await database.prepare('test_echo', 'select $1::text as t, $2::int + 1 as n, $3::boolean as b, $4::uuid as u, $5::text is null as missing')(['x', 1, true, '0b8f4e3c-1f6e-4c8a-9f1e-2d3c4b5a6978', 'y'])).toEqual([
      ['x', 2, true, '0b8f4e3c-1f6e-4c8a-9f1e-2d3c4b5a6978', false],
    ]);
  });

  it('prepares again what was deallocated by hand, and refuses bad names and values', async () => {
    const { database } = env.platform;
    const one = database.prepare('test_again', 'select $1::int * 2');
    expect(await one([2])).toEqual([[4]]);
    if (database.kind === 'pglite') await database.exec('DEALLOCATE test_again');
    expect(await one([3])).toEqual([[6]]);
    expect(() => database.prepare('Bad-Name', 'select 1')).toThrow();
    await expect(one(['1\0'])).rejects.toThrow();
  });

  it('takes arrays (unnest of a batch, decision 048): each element back as it went in, NULL and the text NULL apart', async () => {
    const { database } = env.platform;
    const texts = [...awkward, 'NULL', null, '{a,b}', 'say "hi"', ' spaced ', 'a,b', '\\"'];
    const echo = database.prepare('test_echo_array', 'select t, n::int from unnest($1::text[]) with ordinality as q(t, n) order by n');
    expect(await echo([texts])).toEqual(texts.map((t, i) => [t, i + 1]));
    expect(await echo([[]])).toEqual([]);
    const ids = database.prepare('test_echo_uuids', 'select array_length($1::uuid[], 1), ($1::uuid[])[2]');
    expect(await ids([['0b8f4e3c-1f6e-4c8a-9f1e-2d3c4b5a6978', '0B8F4E3C-1F6E-4C8A-9F1E-2D3C4B5A6979']])).toEqual([[2, '0b8f4e3c-1f6e-4c8a-9f1e-2d3c4b5a6979']]);
    await expect(echo([['ok', 'nul\0']])).rejects.toThrow();
  });
});

describe('sqlLiteral', () => {
  it('writes literals as quote_literal does, and refuses what has none', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(12)).toBe('12');
    expect(sqlLiteral(true)).toBe('true');
    expect(() => sqlLiteral(1.5)).toThrow();
    expect(() => sqlLiteral({})).toThrow();
    expect(() => sqlLiteral('nul\0')).toThrow();
    expect(sqlLiteral(['a"b', null, 'c\\d', "it's"])).toBe(`E'{"a\\\\"b",NULL,"c\\\\\\\\d","it''s"}'`);
    expect(() => sqlLiteral([{}])).toThrow();
    expect(() => sqlLiteral([['nested']])).toThrow();
  });
});
