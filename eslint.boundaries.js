/**
 * The walls between contexts, enforced by `no-restricted-imports` (docs/ARCHITECTURE.md, "Ownership").
 *
 * - A file of one context imports another context only through its `index.ts` (its plugin, port
 *   and service types). The one exception: a `*.tables.ts` may import another context's
 *   `*.tables.ts` for a foreign key. Tests and test helpers of a context (`*.test.ts`, `test/`,
 *   `fixtures/`) may also import another context's `*.tables.ts`, to arrange and assert rows, and
 *   nothing else of its internals.
 * - `src/platform/` imports no context (its `*.tables.ts` may import a context's `*.tables.ts` for a
 *   foreign key, e.g. the audit log's tenant).
 * - The web app (`web/src/`) imports nothing under `src/` but `src/common/`.
 * - Exempt, because they assemble the whole application: the composition root and app level
 *   (`src/*.ts`, `src/contexts/*.ts`), `test/`, `web/e2e/` and `bench/`.
 *
 * Imports are relative, so each folder depth gets its own patterns: the regexes below match
 * exactly the specifiers that climb to `src/contexts/` (or `src/`) and go down into a forbidden
 * folder, never a same-named folder of one's own.
 */
export const CONTEXTS = ['accounts', 'signin', 'scim', 'record', 'integration'];
const MAX_DEPTH = 8;
const up = (n) => `(?:\\.\\./){${n}}`;
const TABLES = '(?:[^/]+/)*[^/]+\\.tables\\.js$';
const TESTS = ['**/*.test.ts', '**/test/**', '**/fixtures/**'];

function rule(regex, message) {
  return { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] };
}

/** `src/contexts/<ctx>/` + `d` folders: the other contexts' internals, but `allow`. */
function contextBlocks(ctx) {
  const others = CONTEXTS.filter((c) => c !== ctx).join('|');
  const blocks = [];
  for (let d = 0; d <= MAX_DEPTH; d++) {
    const files = `src/contexts/${ctx}/${'*/'.repeat(d)}*.{ts,tsx}`;
    // From depth d, `../` × (d+1) is src/contexts/ and `../` × (d+2) + `contexts/` is too.
    const into = `^(?:${up(d + 1)}|${up(d + 2)}contexts/)(?:${others})/`;
    const message = `Import another context only through its index.ts (its port); a *.tables.ts may import another context's *.tables.ts for a foreign key.`;
    blocks.push({ files: [files], rules: rule(`${into}(?!index\\.js$)`, message) });
    blocks.push({ files: [[files, '**/*.tables.ts']], rules: rule(`${into}(?!index\\.js$|${TABLES})`, message) });
    blocks.push({
      files: TESTS.map((t) => [files, t]),
      rules: rule(`${into}(?!index\\.js$|${TABLES})`, `A context's tests import another context through its index.ts, or its *.tables.ts to arrange and assert rows.`),
    });
  }
  return blocks;
}

function platformBlocks() {
  const blocks = [];
  for (let d = 0; d <= MAX_DEPTH; d++) {
    const files = `src/platform/${'*/'.repeat(d)}*.{ts,tsx}`;
    const into = `^${up(d + 1)}contexts`;
    const message = 'src/platform knows no context: invert the dependency (a port or hook passed in) or move the code.';
    blocks.push({ files: [files], rules: rule(`${into}(?:/|$)`, message) });
    blocks.push({ files: [[files, '**/*.tables.ts']], rules: rule(`${into}(?!/[^/]+/${TABLES})(?:/|$)`, message) });
  }
  return blocks;
}

function webBlocks() {
  const blocks = [];
  for (let d = 0; d <= MAX_DEPTH; d++) {
    const files = `web/src/${'*/'.repeat(d)}*.{ts,tsx}`;
    // From web/src + d folders, `../` × (d+2) is the repository root.
    blocks.push({ files: [files], rules: rule(`^${up(d + 2)}src/(?!common/)`, 'The web app imports only src/common/ from the server (it talks to the rest over HTTP).') });
  }
  return blocks;
}

export const boundaries = [...CONTEXTS.flatMap(contextBlocks), ...platformBlocks(), ...webBlocks()];
