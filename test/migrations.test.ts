import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Migrations are append-only: once landed on main, a migration file never changes. Landed files
 * and their SHA-256 are listed in landed.json (append an entry when a migration lands).
 */
const dir = path.resolve('src/db/migrations');
const landed = JSON.parse(readFileSync(path.join(dir, 'landed.json'), 'utf8')) as Record<string, string>;
const journal = JSON.parse(readFileSync(path.join(dir, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };

describe('migrations', () => {
  it('never change once landed', () => {
    for (const [file, sha] of Object.entries(landed)) {
      const actual = createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex');
      expect(actual, `${file} changed after it landed`).toBe(sha);
    }
  });

  it('are all in the journal, in order, and every journal entry has its file', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
    expect(journal.entries.map((e) => `${e.tag}.sql`)).toEqual(files);
    journal.entries.forEach((e, i) => expect(e.idx).toBe(i));
  });
});
