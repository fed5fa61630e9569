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
  });
});
