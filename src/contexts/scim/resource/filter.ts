import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { parse, type Filter } from 'scim2-parse-filter';
import { invalidFilter } from '../scim.errors.js';
import { BAD_TEXT } from './text.js';

/**
 * SCIM filter (RFC 7644 §3.4.2.2) → SQL, through an explicit whitelist of attributes. The
 * maintained parser (scim2-parse-filter) gives the tree; its evaluator is never used. Anything not
 * in the whitelist is a 400 invalidFilter, never a dropped clause. Attribute names are matched
 * case-insensitively, values case-insensitively unless the attribute is caseExact (RFC 7643).
 * Leaves are plain comparisons (so indexes such as lower(user_name) serve them); under `not` and
 * in `ne` the expression is made two-valued (`NOT coalesce(…, false)`), so missing values match.
 */
export type TextColumn = { kind: 'text'; expr: SQLWrapper; caseExact: boolean };
export type BoolColumn = { kind: 'boolean'; expr: SQLWrapper };
export type TimeColumn = { kind: 'dateTime'; expr: SQLWrapper };
export type ScalarColumn = TextColumn | BoolColumn | TimeColumn;
/** A multi-valued attribute: `exists(cond)` wraps a condition on one of its elements. */
export type MultiColumn = { kind: 'multi'; exists: (cond: SQL) => SQL; sub: Record<string, ScalarColumn>; defaultSub: string };
export type FilterColumn = ScalarColumn | MultiColumn;

export type FilterWhitelist = {
  /** Schema URNs that may prefix an attribute (lower case). */
  urns: string[];
  /** Lower-case attribute path → column. */
  attrs: Record<string, FilterColumn>;
};

export const MAX_FILTER_LENGTH = 4096;
const MAX_DEPTH = 32;


export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw invalidFilter(`The filter is longer than ${MAX_FILTER_LENGTH} characters`);
  if (BAD_TEXT.test(text)) throw invalidFilter('The filter contains a NUL character or a lone UTF-16 surrogate');
  let tree: unknown;
  try {
    tree = parse(quoteBareValues(text));
  } catch (err) {
    throw invalidFilter(`The filter could not be parsed: ${(err as Error).message}`.slice(0, 300));
  }
  checkTree(tree, 0);
  return tree as Filter;
}

const COMPARISON = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const JSON_LITERAL = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)$/;

/**
 * Lenient reading of comparison values that clients send unquoted (`userName sw O`,
 * `meta.created gt 2015-10-10T14:38:21.8617979-07:00`): a bare word right after a comparison
 * operator that is not a JSON literal is read as the quoted string. Only that position is touched;
 * anything else (a value of two words, a stray token) is left for the parser to reject, so an
 * ambiguous filter stays a 400 invalidFilter.
 */
export function quoteBareValues(text: string): string {
  type State = 'attr' | 'op' | 'value' | 'logic' | 'afterBracket';
  let state: State = 'attr';
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      out += c;
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) if (text[j] === '\\') j++;
      out += text.slice(i, j + 1);
      i = j + 1;
      state = 'logic';
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      out += c;
      i++;
      state = c === '(' || c === '[' ? 'attr' : c === ']' ? 'afterBracket' : 'logic';
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s()[\]"]/.test(text[j]!)) j++;
    const word = text.slice(i, j);
    const lower = word.toLowerCase();
    i = j;
    if (state === 'value' && !JSON_LITERAL.test(lower)) {
      out += JSON.stringify(word);
      state = 'logic';
      continue;
    }
    out += word;
    if (state === 'attr') state = lower === 'not' ? 'attr' : 'op';
    else if (state === 'op') state = COMPARISON.has(lower) ? 'value' : 'logic';
    else if (state === 'value') state = 'logic';
    else if (state === 'afterBracket' && word.startsWith('.')) state = 'op';
    else state = lower === 'and' || lower === 'or' ? 'attr' : 'logic';
  }
  return out;
}

/**
 * The parser accepts some malformed input and returns a tree of the wrong shape (e.g.
 * `userName pr not (title eq "x")` gives a `not` with two operands): every node is checked here,
 * so the compiler and the PATCH engine only ever see well-formed trees.
 */
function checkTree(f: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw invalidFilter('The filter is nested too deeply');
  const bad = () => invalidFilter('The filter is not well formed');
  if (typeof f !== 'object' || f === null) throw bad();
  const node = f as Record<string, unknown>;
  switch (node.op) {
    case 'and':
    case 'or':
      if (!Array.isArray(node.filters) || node.filters.length < 2) throw bad();
      for (const x of node.filters) checkTree(x, depth + 1);
      return;
    case 'not':
      if (!('filter' in node) || 'filters' in node) throw bad();
      checkTree(node.filter, depth + 1);
      return;
    case '[]':
      if (typeof node.attrPath !== 'string' || !node.attrPath) throw bad();
      checkTree(node.valFilter, depth + 1);
      return;
    case 'pr':
      if (typeof node.attrPath !== 'string' || !node.attrPath) throw bad();
      return;
    default: {
      if (typeof node.op !== 'string' || !COMPARISON.has(node.op)) throw bad();
      if (typeof node.attrPath !== 'string' || !node.attrPath) throw bad();
      const v = node.compValue;
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw bad();
      if (typeof v === 'number' && !Number.isFinite(v)) throw bad();
    }
  }
}

/** A date-time value PostgreSQL can hold (years 1 to 9999), or a 400 invalidFilter. */
function timestamp(value: string | number | boolean, path: string): string {
  const at = typeof value === 'string' ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw invalidFilter(`${path} needs a date-time value`);
  const year = at.getUTCFullYear();
  if (year < 1 || year > 9999) throw invalidFilter(`${path}: ${String(value).slice(0, 40)} is outside the years 1 to 9999`);
  return at.toISOString();
}

export function compileFilter(text: string, wl: FilterWhitelist): SQL {
  return compileParsed(parseFilter(text), wl);
}

/** `compileFilter` of a filter already parsed (`parseFilter`). */
export function compileParsed(tree: Filter, wl: FilterWhitelist): SQL {
  return compile(tree, wl, 0);
}

type Resolved = { col: ScalarColumn; wrap?: (cond: SQL) => SQL };

function stripUrn(path: string, wl: FilterWhitelist): string {
  const lower = path.toLowerCase();
  for (const urn of wl.urns) if (lower.startsWith(`${urn}:`)) return lower.slice(urn.length + 1);
  return lower;
}

/**
 * The whitelist's entry for a name, its own properties only: `__proto__` or `constructor` in a
 * filter would otherwise find Object's prototype (a 500, not the 400 an unknown attribute is).
 */
export function listed<T>(entries: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(entries, name) ? entries[name] : undefined;
}

function resolve(path: string, wl: FilterWhitelist): Resolved {
  const name = stripUrn(path, wl);
  const direct = listed(wl.attrs, name);
  if (direct) {
    if (direct.kind !== 'multi') return { col: direct };
    const sub = listed(direct.sub, direct.defaultSub);
    if (!sub) throw invalidFilter(`${path} has no value to compare; filter on one of its sub-attributes`);
    return { col: sub, wrap: direct.exists };
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const head = listed(wl.attrs, name.slice(0, dot));
    const sub = head?.kind === 'multi' ? listed(head.sub, name.slice(dot + 1)) : undefined;
    if (head?.kind === 'multi' && sub) return { col: sub, wrap: head.exists };
  }
  throw invalidFilter(`Filtering on ${path} is not supported`);
}

function compile(f: Filter, wl: FilterWhitelist, depth: number): SQL {
  if (depth > MAX_DEPTH) throw invalidFilter('The filter is nested too deeply');
  switch (f.op) {
    case 'and':
    case 'or': {
      const parts = f.op === 'and' ? mergeValuePathSubAttrs(f.filters) : f.filters;
      const compiled = parts.map((x) => compile(x, wl, depth + 1));
      return sql`(${sql.join(compiled, f.op === 'and' ? sql` AND ` : sql` OR `)})`;
    }
    case 'not':
      return sql`(NOT coalesce(${compile(f.filter, wl, depth + 1)}, false))`;
    case '[]': {
      const head = listed(wl.attrs, stripUrn(f.attrPath, wl));
      if (head?.kind !== 'multi') throw invalidFilter(`${f.attrPath} is not a multi-valued attribute`);
      const inner: FilterWhitelist = { urns: [], attrs: head.sub };
      return head.exists(compile(f.valFilter, inner, depth + 1));
    }
    default: {
      const { col, wrap } = resolve(f.attrPath, wl);
      const leaf = f.op === 'pr' ? present(col) : compare(col, f.op, f.compValue, f.attrPath);
      return wrap ? wrap(leaf) : leaf;
    }
  }
}

/**
 * `emails[type eq "work"].value eq "x"` (sent by Entra) parses as `emails[type eq "work"] and
 * emails.value eq "x"`; both conditions are meant for the same element, so they are merged into
 * one value filter.
 */
function mergeValuePathSubAttrs(filters: Filter[]): Filter[] {
  const out: Filter[] = [];
  for (let i = 0; i < filters.length; i++) {
    const cur = filters[i]!;
    const next = filters[i + 1];
    if (cur.op === '[]' && next && 'attrPath' in next && next.op !== '[]') {
      const prefix = `${cur.attrPath.toLowerCase()}.`;
      if (next.attrPath.toLowerCase().startsWith(prefix)) {
        const sub = { ...next, attrPath: next.attrPath.slice(prefix.length) } as Filter;
        out.push({ op: '[]', attrPath: cur.attrPath, valFilter: { op: 'and', filters: [cur.valFilter, sub] } });
        i++;
        continue;
      }
    }
    out.push(cur);
  }
  return out;
}

function present(col: ScalarColumn): SQL {
  if (col.kind === 'text') return sql`(${col.expr} <> '')`;
  return sql`(${col.expr} IS NOT NULL)`;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function compare(col: ScalarColumn, op: string, value: string | number | boolean | null, path: string): SQL {
  if (value === null) {
    if (op === 'eq') return sql`(NOT coalesce(${present(col)}, false))`;
    if (op === 'ne') return present(col);
    throw invalidFilter(`${op} null is not meaningful for ${path}`);
  }
  if (col.kind === 'boolean') {
    const b = typeof value === 'boolean' ? value : typeof value === 'string' ? ({ true: true, false: false } as Record<string, boolean>)[value.toLowerCase()] : undefined;
    if (b === undefined) throw invalidFilter(`${path} is a boolean`);
    if (op === 'eq') return sql`(${col.expr} = ${b})`;
    if (op === 'ne') return sql`(NOT coalesce(${col.expr} = ${b}, false))`;
    throw invalidFilter(`${op} is not supported for the boolean ${path}`);
  }
  if (col.kind === 'dateTime') {
    const at = sql`${timestamp(value, path)}::timestamptz`;
    const ops: Record<string, SQL> = {
      eq: sql`(${col.expr} = ${at})`,
      ne: sql`(NOT coalesce(${col.expr} = ${at}, false))`,
      gt: sql`(${col.expr} > ${at})`,
      ge: sql`(${col.expr} >= ${at})`,
      lt: sql`(${col.expr} < ${at})`,
      le: sql`(${col.expr} <= ${at})`,
    };
    const out = ops[op];
    if (!out) throw invalidFilter(`${op} is not supported for the date-time ${path}`);
    return out;
  }
  if (typeof value === 'boolean') throw invalidFilter(`${path} is a string`);
  const v = String(value);
  const lhs = col.caseExact ? sql`${col.expr}` : sql`lower(${col.expr})`;
  const rhs = (s: string) => (col.caseExact ? sql`${s}` : sql`lower(${s})`);
  switch (op) {
    case 'eq':
      return sql`(${lhs} = ${rhs(v)})`;
    case 'ne':
      return sql`(NOT coalesce(${lhs} = ${rhs(v)}, false))`;
    case 'co':
      return sql`(${lhs} LIKE ${rhs(`%${escapeLike(v)}%`)} ESCAPE '\\')`;
    case 'sw':
      return sql`(${lhs} LIKE ${rhs(`${escapeLike(v)}%`)} ESCAPE '\\')`;
    case 'ew':
      return sql`(${lhs} LIKE ${rhs(`%${escapeLike(v)}`)} ESCAPE '\\')`;
    case 'gt':
      return sql`(${lhs} > ${rhs(v)})`;
    case 'ge':
      return sql`(${lhs} >= ${rhs(v)})`;
    case 'lt':
      return sql`(${lhs} < ${rhs(v)})`;
    case 'le':
      return sql`(${lhs} <= ${rhs(v)})`;
  }
  throw invalidFilter(`Unknown operator ${op}`);
}

/** A jsonb array of objects (emails, phoneNumbers, addresses) as a multi-valued filter column. */
export function jsonbArray(column: SQLWrapper, sub: Record<string, { key: string; kind: 'text' | 'boolean'; caseExact?: boolean }>): MultiColumn {
  const subCols: Record<string, ScalarColumn> = {};
  for (const [name, s] of Object.entries(sub)) {
    const expr = sql.raw(`(scim_el.v->>'${s.key.replace(/'/g, "''")}')`);
    subCols[name] =
      s.kind === 'boolean' ? { kind: 'boolean', expr: sql`(${expr})::boolean` } : { kind: 'text', expr, caseExact: s.caseExact ?? false };
  }
  return {
    kind: 'multi',
    defaultSub: 'value',
    sub: subCols,
    exists: (cond) => sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${column}) AS scim_el(v) WHERE ${cond})`,
  };
}
