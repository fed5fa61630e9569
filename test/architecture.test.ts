import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..');
const ROOTS = ['src', 'web/src', 'web/e2e', 'bench', 'test', 'docs'];

/** Folders under `dir` (relative to the repository) that hold at least one file somewhere below. */
function foldersWithFiles(dir: string): string[] {
  const found: string[] = [];
  let hasFile = false;
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (entry.isFile()) hasFile = true;
    else if (entry.isDirectory() && entry.name !== 'node_modules') {
      const below = foldersWithFiles(`${dir}/${entry.name}`);
      if (below.length > 0) hasFile = true;
      found.push(...below);
    }
  }
  return hasFile ? [dir, ...found] : [];
}

describe('docs/ARCHITECTURE.md', () => {
  it('explains every folder (by its path, or by its name inside its parent folder’s line)', () => {
    const doc = readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
    const lines = doc.split('\n');
    const undocumented = ROOTS.flatMap(foldersWithFiles).filter((dir) => {
      if (doc.includes(`\`${dir}/`) || doc.includes(`\`${dir}\``)) return false;
      const parent = path.posix.dirname(dir);
      const name = path.posix.basename(dir);
      // A parent line may name its subfolders (`kiosk/`) or all of them with a placeholder (`<area>/`).
      return !lines.some((l) => l.includes(`\`${parent}/`) && (l.includes(`\`${name}/`) || l.includes(`\`${parent}/<`)));
    });
    expect(undocumented).toEqual([]);
  });
});
