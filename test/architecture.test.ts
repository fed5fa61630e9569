import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
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

/** Every .ts file below `dir` (tests and test helpers excluded). */
function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'test' || entry.name === 'fixtures' ? [] : sourceFiles(rel);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/**
 * Module-level state that may hold what one Platform's graph put there: a `let`/`var`, or a
 * `const` holding an empty (so filled later) Map, Set, WeakMap, WeakSet or array.
 */
function moduleStateIn(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const filledLater = (init: ts.Expression | undefined): boolean => {
    if (!init) return false;
    while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
    if (ts.isArrayLiteralExpression(init)) return init.elements.length === 0;
    return ts.isNewExpression(init) && ['Map', 'Set', 'WeakMap', 'WeakSet', 'Array'].includes(init.expression.getText(source)) && (init.arguments?.length ?? 0) === 0;
  };
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const mutable = !(statement.declarationList.flags & ts.NodeFlags.Const);
    for (const d of statement.declarationList.declarations) {
      if (mutable || filledLater(d.initializer)) found.push(`${file}: ${d.name.getText(source)}`);
    }
  }
  return found;
}
const moduleStateOf = (file: string) => moduleStateIn(file, readFileSync(path.join(root, file), 'utf8'));

/**
 * The documented exceptions: caches of pure computations, the same for every Platform (each is
 * named in ARCHITECTURE.md, which says why it is allowed).
 */
const MODULE_STATE_ALLOWED = [
  'src/contexts/accounts/passwords.ts: dummy',
  'src/contexts/record/rules/conditions.ts: wanted',
  'src/platform/zoned-clock.ts: clocks',
];

describe('the composition root', () => {
  it('src/contexts and src/platform hold no module-level mutable state (registries, flags) but the documented caches', () => {
    const state = [...sourceFiles('src/contexts'), ...sourceFiles('src/platform')].flatMap(moduleStateOf);
    expect(state.filter((s) => !MODULE_STATE_ALLOWED.includes(s))).toEqual([]);
    const doc = readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
    expect(MODULE_STATE_ALLOWED.filter((s) => !doc.includes(`\`${s.split(': ')[1]}\``))).toEqual([]);
  });

  it('finds a registry or a flag when one appears, and lets lookup tables and caches in functions be', () => {
    const text = [
      'const registered: SafetyCheck[] = [];',
      'let safetyCheckRegistered = false;',
      'export const listeners = new Map<string, Listener>();',
      'var old = 1;',
      "const UNSAFE = new Set(['POST', 'PUT']);",
      "export const KINDS = ['a', 'b'] as const;",
      'export function make() { const handlers = new Map(); let n = 0; return { handlers, n }; }',
    ].join('\n');
    expect(moduleStateIn('x.ts', text)).toEqual(['x.ts: registered', 'x.ts: safetyCheckRegistered', 'x.ts: listeners', 'x.ts: old']);
  });
});
