// "A table is written only by its own context" (STYLE.md), checked over the source: the import
// walls (eslint.boundaries.js) keep another context's table objects out of a context's code, but
// a statement can name a table in SQL text, and a table object can come through a port. This scans
// every module of src/ (tests aside) for drizzle writes (`.insert(t)`, `.update(t)`, `.delete(t)`)
// and SQL text that writes (`INSERT INTO t`, `UPDATE t`, `DELETE FROM t`, `TRUNCATE t`, `MERGE
// INTO t`), and checks each table written belongs to the writer's context; and likewise every read
// (`.from(t)`, joins, `FROM t`, `JOIN t`): a context reads another's rows through its port.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..');

/** The owner of a module: its context (`src/contexts/<name>`), else `platform`, else `app` (src/ outside both). */
function ownerOf(file: string): string {
  const m = /^src\/contexts\/([^/]+)\//.exec(file);
  if (m) return `contexts/${m[1]}`;
  return file.startsWith('src/platform/') ? 'platform' : 'app';
}

function walk(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    // Test kits and fixtures arrange rows as a test needs (a test may write any table).
    if (e.isDirectory()) return e.name === 'test' || e.name === 'fixtures' || e.name === 'migrations' ? [] : walk(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

type Table = { sqlName: string; variable: string; owner: string };

/** Every `pgTable('name', …)` of a `*.tables.ts` file: its SQL name, the variable holding it and its owner. */
function tablesOf(files: string[]): Table[] {
  const tables: Table[] = [];
  for (const file of files.filter((f) => f.endsWith('.tables.ts'))) {
    const source = ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        if (!init || !ts.isCallExpression(init) || init.expression.getText(source) !== 'pgTable') continue;
        const name = init.arguments[0];
        if (name && ts.isStringLiteral(name)) {
          tables.push({ sqlName: name.text, variable: d.name.getText(source), owner: ownerOf(file) });
        }
      }
    }
  }
  return tables;
}

const WRITE = { calls: ['insert', 'update', 'delete'], sql: /\b(insert\s+into|update|delete\s+from|truncate(?:\s+table)?|merge\s+into)\s+(?:only\s+)?(?:public\.)?"?([a-z_][a-z0-9_]*)"?/gi };
const READ = { calls: ['from', 'innerJoin', 'leftJoin', 'rightJoin', 'fullJoin', 'crossJoin'], sql: /\b(from|join|using)\s+(?:only\s+)?(?:public\.)?"?([a-z_][a-z0-9_]*)"?/gi };

/** Uses of a table in one module: drizzle calls on its variable, and SQL text naming it after a keyword of `kind`. */
function usesIn(file: string, text: string, tables: Table[], kind: typeof WRITE): Array<{ table: Table; how: string }> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const byVariable = new Map(tables.map((t) => [t.variable, t]));
  const bySqlName = new Map(tables.map((t) => [t.sqlName, t]));
  const found: Array<{ table: Table; how: string }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && kind.calls.includes(node.expression.name.text)) {
      const arg = node.arguments[0];
      const table = arg && ts.isIdentifier(arg) ? byVariable.get(arg.text) : undefined;
      if (table) found.push({ table, how: `.${node.expression.name.text}(${table.variable})` });
    }
    if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      for (const m of node.text.matchAll(kind.sql)) {
        const table = bySqlName.get(m[2]!.toLowerCase());
        if (table) found.push({ table, how: m[0] });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('who writes and reads each table', () => {
  const files = walk('src');
  const tables = tablesOf(files);

  it('finds the tables of every tables file', () => {
    expect(tables.map((t) => t.sqlName)).toEqual(expect.arrayContaining(['members', 'scim_users', 'record_profiles', 'audit_log', 'tenants', 'notifications']));
  });

  it('a table is written only by the context (or platform module) that defines it', () => {
    const foreign = files.flatMap((file) =>
      usesIn(file, readFileSync(path.join(root, file), 'utf8'), tables, WRITE)
        .filter(({ table }) => table.owner !== ownerOf(file))
        .map(({ table, how }) => `${file}: ${how} (${table.sqlName} is ${table.owner}'s)`),
    );
    expect(foreign).toEqual([]);
  });

  it('sees a foreign write in SQL text and through a table object, and not a word in prose', () => {
    const fake: Table[] = [
      { sqlName: 'members', variable: 'members', owner: 'contexts/signin' },
      { sqlName: 'record_profiles', variable: 'recordProfiles', owner: 'contexts/record' },
    ];
    const code = [
      'const a = sql`UPDATE members SET full_name = ${x} WHERE id = ${y}`;',
      "const b = db.insert(recordProfiles).values({});",
      "const c = 'delete from \"members\" where true';",
      '// Members update their names through the port.',
      "const d = 'the members we update';",
      'const e = db.select().from(members);',
    ].join('\n');
    expect(usesIn('src/contexts/scim/x.ts', code, fake, WRITE).map((w) => w.how)).toEqual(['UPDATE members', '.insert(recordProfiles)', 'delete from "members"']);
    expect(usesIn('src/contexts/scim/x.ts', code, fake, READ).map((w) => w.how)).toEqual(['from "members"', '.from(members)']);
  });

  it("a context reads another's table only through that context's port (SQL text and drizzle alike)", () => {
    const foreign = files
      .filter((file) => ownerOf(file) !== 'app')
      .flatMap((file) =>
        usesIn(file, readFileSync(path.join(root, file), 'utf8'), tables, READ)
          .filter(({ table }) => table.owner !== ownerOf(file))
          .map(({ table, how }) => `${file}: ${how} (${table.sqlName} is ${table.owner}'s)`),
      );
    expect(foreign).toEqual([]);
  });
});
