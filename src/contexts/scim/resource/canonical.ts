import type { Filter } from 'scim2-parse-filter';
import { parseFilter } from './filter.js';
import { commonAttributes, findAttr, type AttrDef, type ResourceDef, type SchemaDef } from '../scim.schema.js';
import { invalidPath, invalidSyntax, invalidValue, mutability } from '../scim.errors.js';

/**
 * The canonical form of a SCIM resource body: attribute names spelt as in our schema, booleans as
 * booleans ("True" → true), multi-valued attributes as arrays of objects, empty values removed,
 * read-only and unknown attributes dropped, extension attributes under the extension's URN.
 * Every identity-provider quirk of *shape* is normalised here, once, for POST, PUT and PATCH.
 */
export type Element = Record<string, string | boolean>;
export type Doc = Record<string, unknown>;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function toBool(raw: unknown, where: string): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const l = raw.trim().toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  throw invalidValue(`${where} must be a boolean`);
}

function toStr(raw: unknown, where: string): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw invalidValue(`${where} must be a string`);
}

const MEANINGLESS_ALONE = new Set(['type', 'primary', 'display']);

function canonComplex(def: AttrDef, raw: unknown, where: string): Element | undefined {
  if (!isObject(raw)) throw invalidValue(`${where} must be an object`);
  const out: Element = {};
  for (const [key, value] of Object.entries(raw)) {
    const sub = findAttr(def.subAttributes ?? [], key);
    if (!sub || sub.ignored || sub.mutability === 'readOnly') continue;
    const v = canonValue(sub, value, `${where}.${sub.name}`);
    if (v !== undefined) out[sub.name] = v as string | boolean;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function canonElement(def: AttrDef, raw: unknown, where: string): Element | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  const hasValue = Boolean(findAttr(def.subAttributes ?? [], 'value'));
  const el = typeof raw === 'string' || typeof raw === 'number' ? (hasValue ? { value: String(raw) } : undefined) : canonComplex(def, raw, where);
  if (!el) return undefined;
  return Object.keys(el).some((k) => !MEANINGLESS_ALONE.has(k)) ? el : undefined;
}

const elementKey = (def: AttrDef, el: Element) =>
  JSON.stringify(
    Object.keys(el)
      .sort()
      .map((k) => {
        const v = el[k]!;
        const caseExact = findAttr(def.subAttributes ?? [], k)?.caseExact ?? false;
        return [k, typeof v === 'string' && !caseExact ? v.toLowerCase() : v];
      }),
  );

/** Canonical value of one attribute, or undefined when the value clears it ("" / null / empty). */
export function canonValue(def: AttrDef, raw: unknown, where: string = def.name): unknown {
  if (raw === null || raw === undefined || raw === '') return undefined;
  if (def.multiValued) {
    const list = Array.isArray(raw) ? raw : [raw];
    const out: Element[] = [];
    const seen = new Set<string>();
    // Members are one entry per id, whatever else the client sent with it.
    const keyOf = def.name === 'members' ? (el: Element) => String(el.value ?? '').toLowerCase() : (el: Element) => elementKey(def, el);
    let primarySeen = false;
    for (const item of list) {
      const el = canonElement(def, item, where);
      if (!el) continue;
      const k = keyOf(el);
      if (seen.has(k)) continue;
      seen.add(k);
      if (el.primary === true) {
        if (primarySeen) el.primary = false;
        primarySeen = true;
      }
      out.push(el);
    }
    return out.length > 0 ? out : undefined;
  }
  if (def.type === 'boolean') return toBool(raw, where);
  if (def.type === 'complex') {
    if (def.name === 'manager') {
      // Entra sends the manager as "id", {"value": "id"} or [{"value": "id", "$ref": "…"}].
      const first = Array.isArray(raw) ? raw[0] : raw;
      if (first === null || first === undefined || first === '') return undefined;
      if (typeof first === 'string' || typeof first === 'number') return { value: String(first) };
      return canonComplex(def, first, where);
    }
    return canonComplex(def, raw, where);
  }
  return toStr(raw, where);
}

/** Where an attribute path points: an attribute (optionally filtered and/or a sub-attribute). */
export type Target =
  | { kind: 'ignored' }
  | { kind: 'readOnly'; name: string }
  | { kind: 'extension'; schema: SchemaDef }
  | { kind: 'attr'; container: string | null; attr: AttrDef; filter?: Filter; sub?: AttrDef; subName?: string };

const NAME = /^[A-Za-z$][\w$-]*/;

/** Splits `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub` (brackets may hold quoted `]`). */
function splitPath(text: string): { name: string; filter?: string; sub?: string } | undefined {
  const m = NAME.exec(text);
  if (!m) return undefined;
  const name = m[0];
  let i = name.length;
  let filter: string | undefined;
  if (text[i] === '[') {
    let inQuote = false;
    let j = i + 1;
    for (; j < text.length; j++) {
      const c = text[j];
      if (inQuote) {
        if (c === '\\') j++;
        else if (c === '"') inQuote = false;
      } else if (c === '"') inQuote = true;
      else if (c === ']') break;
    }
    if (j >= text.length) return undefined;
    filter = text.slice(i + 1, j);
    i = j + 1;
  }
  let sub: string | undefined;
  if (text[i] === '.') {
    const s = NAME.exec(text.slice(i + 1));
    if (!s) return undefined;
    sub = s[0];
    i += 1 + sub.length;
  }
  if (i !== text.length) return undefined;
  return { name, filter, sub };
}

/**
 * Resolves an attribute path (PATCH `path`, or a key of a body / no-path PATCH value, which may be
 * dotted or URN-qualified). `strict`: an unknown attribute is a 400 invalidPath and a read-only one
 * a 400 mutability; otherwise both are ignored (identity providers send extra attributes).
 */
export function resolvePath(res: ResourceDef, rawPath: string, strict: boolean): Target {
  const path = rawPath.trim();
  const lower = path.toLowerCase();
  let schema: SchemaDef = res.core;
  let rest = path;
  let isCore = true;
  for (const s of [...res.extensions, res.core]) {
    const id = s.id.toLowerCase();
    if (lower === id) {
      if (s === res.core) throw invalidPath(`${path} is not an attribute path`);
      return { kind: 'extension', schema: s };
    }
    if (lower.startsWith(`${id}:`)) {
      schema = s;
      rest = path.slice(id.length + 1);
      isCore = s === res.core;
      break;
    }
  }
  const parts = splitPath(rest);
  if (!parts) {
    if (strict) throw invalidPath(`${path} is not a valid attribute path`);
    return { kind: 'ignored' };
  }
  let attr = findAttr(schema.attributes, parts.name) ?? (isCore ? findAttr(commonAttributes, parts.name) : undefined);
  if (!attr && isCore) {
    // An extension attribute by its short path (Entra: `"path": "manager"`), when no core
    // attribute has that name.
    for (const ext of res.extensions) {
      const found = findAttr(ext.attributes, parts.name);
      if (found) {
        attr = found;
        schema = ext;
        isCore = false;
        break;
      }
    }
  }
  if (!attr) {
    if (strict) throw invalidPath(`${parts.name} is not an attribute of ${res.name}`);
    return { kind: 'ignored' };
  }
  if (attr.mutability === 'readOnly') {
    if (strict && attr.name !== 'groups') throw mutability(`${attr.name} is read-only`);
    return { kind: 'readOnly', name: attr.name };
  }
  if (attr.ignored) return { kind: 'ignored' };
  let filter: Filter | undefined;
  if (parts.filter !== undefined) {
    if (!attr.multiValued) throw invalidPath(`${attr.name} is not multi-valued, so it cannot be filtered`);
    try {
      filter = parseFilter(parts.filter);
    } catch {
      throw invalidPath(`${path}: the filter is not valid`);
    }
    checkElementFilter(attr, filter);
  }
  let sub: AttrDef | undefined;
  if (parts.sub !== undefined) {
    sub = findAttr(attr.subAttributes ?? [], parts.sub);
    if (!sub || attr.type !== 'complex') {
      if (strict) throw invalidPath(`${parts.sub} is not a sub-attribute of ${attr.name}`);
      return { kind: 'ignored' };
    }
    if (sub.mutability === 'readOnly') {
      if (strict) throw mutability(`${attr.name}.${sub.name} is read-only`);
      return { kind: 'readOnly', name: `${attr.name}.${sub.name}` };
    }
  }
  return { kind: 'attr', container: isCore ? null : schema.id, attr, filter, sub };
}

function checkElementFilter(attr: AttrDef, f: Filter): void {
  switch (f.op) {
    case 'and':
    case 'or':
      f.filters.forEach((x) => checkElementFilter(attr, x));
      return;
    case 'not':
      checkElementFilter(attr, f.filter);
      return;
    case '[]':
      throw invalidPath('Nested value filters are not supported');
    default:
      if (!findAttr(attr.subAttributes ?? [], f.attrPath)) throw invalidPath(`${f.attrPath} is not a sub-attribute of ${attr.name}`);
  }
}

/** Evaluates a value filter on one element of a multi-valued attribute (PATCH targets only). */
export function matchesElement(attr: AttrDef, el: Element, f: Filter): boolean {
  switch (f.op) {
    case 'and':
      return f.filters.every((x) => matchesElement(attr, el, x));
    case 'or':
      return f.filters.some((x) => matchesElement(attr, el, x));
    case 'not':
      return !matchesElement(attr, el, f.filter);
    case '[]':
      return false;
    case 'pr': {
      const sub = findAttr(attr.subAttributes ?? [], f.attrPath);
      const v = sub ? el[sub.name] : undefined;
      return v !== undefined && v !== '';
    }
    default: {
      const sub = findAttr(attr.subAttributes ?? [], f.attrPath);
      if (!sub) return false;
      const have = el[sub.name];
      let want = f.compValue;
      if (have === undefined) return f.op === 'ne' ? want !== null : f.op === 'eq' && want === null;
      if (typeof have === 'boolean') {
        if (typeof want === 'string') want = want.toLowerCase() === 'true' ? true : want.toLowerCase() === 'false' ? false : want;
        if (f.op === 'eq') return have === want;
        if (f.op === 'ne') return have !== want;
        return false;
      }
      if (typeof want !== 'string') return f.op === 'ne';
      const a = sub.caseExact ? have : have.toLowerCase();
      const b = sub.caseExact ? want : want.toLowerCase();
      switch (f.op) {
        case 'eq':
          return a === b;
        case 'ne':
          return a !== b;
        case 'co':
          return a.includes(b);
        case 'sw':
          return a.startsWith(b);
        case 'ew':
          return a.endsWith(b);
        case 'gt':
          return a > b;
        case 'ge':
          return a >= b;
        case 'lt':
          return a < b;
        case 'le':
          return a <= b;
      }
      return false;
    }
  }
}

/** The attribute values an `eq` filter pins down (`type eq "work"` → {type: "work"}), for creating a missing element. */
export function seedFromFilter(attr: AttrDef, f: Filter): Element | undefined {
  if (f.op === 'eq') {
    const sub = findAttr(attr.subAttributes ?? [], f.attrPath);
    if (!sub || f.compValue === null) return undefined;
    const v = canonValue(sub, f.compValue);
    return v === undefined ? undefined : { [sub.name]: v as string | boolean };
  }
  if (f.op === 'and') {
    const out: Element = {};
    for (const x of f.filters) {
      const s = seedFromFilter(attr, x);
      if (!s) return undefined;
      Object.assign(out, s);
    }
    return out;
  }
  return undefined;
}

/** Body → canonical document (POST / PUT). Unknown, read-only and write-only attributes are dropped. */
export function canonicalDoc(res: ResourceDef, body: unknown): Doc {
  if (!isObject(body)) throw invalidSyntax('The body must be a JSON object');
  const doc: Doc = {};
  for (const [key, value] of Object.entries(body)) setByKey(res, doc, key, value);
  return doc;
}

function setByKey(res: ResourceDef, doc: Doc, key: string, value: unknown): void {
  const t = resolvePath(res, key, false);
  if (t.kind === 'extension') {
    if (value === null || value === '') {
      delete doc[t.schema.id];
      return;
    }
    if (!isObject(value)) throw invalidValue(`${t.schema.id} must be an object`);
    for (const [k, v] of Object.entries(value)) setByKey(res, doc, `${t.schema.id}:${k}`, v);
    return;
  }
  if (t.kind !== 'attr' || t.filter) return;
  setAttr(doc, t, value, 'replace');
}

/** Writes one attribute (or sub-attribute) into the document; "" / null clear it. */
export function setAttr(doc: Doc, t: Extract<Target, { kind: 'attr' }>, value: unknown, mode: 'add' | 'replace'): void {
  const holder = holderOf(doc, t.container);
  const { attr, sub } = t;
  if (sub && !attr.multiValued) {
    const current = isObject(holder[attr.name]) ? { ...(holder[attr.name] as Element) } : {};
    current[sub.name] = value as string;
    if (value === null || value === '') delete current[sub.name];
    putAttr(doc, t.container, attr, current);
    return;
  }
  if (sub) {
    // A sub-attribute of every element (rare); creates one element when there is none.
    const list = (Array.isArray(holder[attr.name]) ? (holder[attr.name] as Element[]) : []).map((e) => ({ ...e }));
    if (list.length === 0) list.push({});
    for (const el of list) {
      if (value === null || value === '') delete el[sub.name];
      else el[sub.name] = value as string;
    }
    putAttr(doc, t.container, attr, list);
    return;
  }
  if (attr.type === 'complex' && !attr.multiValued && attr.name !== 'manager' && isObject(value)) {
    // Sub-attributes not given are left as they are (RFC 7644 §3.5.2.3).
    const current = isObject(holder[attr.name]) ? { ...(holder[attr.name] as Element) } : {};
    for (const [k, v] of Object.entries(value)) {
      const s = findAttr(attr.subAttributes ?? [], k);
      if (!s) continue;
      if (v === null || v === '') delete current[s.name];
      else current[s.name] = v as string;
    }
    putAttr(doc, t.container, attr, current);
    return;
  }
  if (attr.multiValued && mode === 'add' && value !== null && value !== '') {
    const existing = Array.isArray(holder[attr.name]) ? (holder[attr.name] as Element[]) : [];
    const incoming = Array.isArray(value) ? value : [value];
    putAttr(doc, t.container, attr, [...existing, ...incoming]);
    return;
  }
  putAttr(doc, t.container, attr, value);
}

export function holderOf(doc: Doc, container: string | null): Doc {
  if (container === null) return doc;
  return isObject(doc[container]) ? (doc[container] as Doc) : {};
}

/** Stores the canonical value of an attribute, removing it (and an empty extension) when cleared. */
export function putAttr(doc: Doc, container: string | null, attr: AttrDef, raw: unknown): void {
  const value = canonValue(attr, raw);
  if (value === undefined && attr.neverCleared) throw invalidValue(`${attr.name} must be true or false: it cannot be null, empty or removed`);
  if (container === null) {
    if (value === undefined) delete doc[attr.name];
    else doc[attr.name] = value;
    return;
  }
  const holder = isObject(doc[container]) ? { ...(doc[container] as Doc) } : {};
  if (value === undefined) delete holder[attr.name];
  else holder[attr.name] = value;
  if (Object.keys(holder).length === 0) delete doc[container];
  else doc[container] = holder;
}
