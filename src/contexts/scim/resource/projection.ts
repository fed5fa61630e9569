import type { Filter } from 'scim2-parse-filter';
import { enterpriseSchema, findAttr, groupSchema, URN, userSchema, type AttrDef } from '../scim.schema.js';
import { isObject, matchesElement, type Element } from './canonical.js';
import { parseFilter } from './filter.js';
import type { ScimJson } from './resource.presenters.js';

/** Splits `attributes` / `excludedAttributes` (comma-separated, maybe URN-qualified) into paths. */
export function attributeList(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

type PathRef = { container: string | null; attr: string; sub?: string; filter?: { def: AttrDef; tree: Filter } };

const ATTR_PATH = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/s;

function refOf(path: string, schemas: string[]): PathRef | undefined {
  const lower = path.toLowerCase();
  let container: string | null = null;
  let rest = path;
  let schemaId: string = URN.user;
  for (const s of schemas) {
    const id = s.toLowerCase();
    if (lower === id) return { container: null, attr: s };
    if (lower.startsWith(`${id}:`)) {
      rest = path.slice(id.length + 1);
      container = s === URN.user || s === URN.group ? null : s;
      schemaId = s;
      break;
    }
  }
  const m = ATTR_PATH.exec(rest);
  if (!m) return undefined;
  const [, attr, filterText, sub] = m;
  if (filterText === undefined) return { container, attr: attr!, sub };
  // A value-filtered path (`emails[type eq "work"]`): keeps or drops the matching values only.
  const defs = schemaId === URN.enterprise ? enterpriseSchema.attributes : [...userSchema.attributes, ...groupSchema.attributes];
  const def = findAttr(defs, attr!);
  if (!def?.multiValued) return undefined;
  let tree: Filter;
  try {
    tree = parseFilter(filterText);
  } catch {
    return undefined;
  }
  return { container, attr: attr!, sub, filter: { def, tree } };
}

const keyIn = (o: ScimJson, name: string) => Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());

const matching = (ref: PathRef, value: unknown[]) =>
  ref.filter ? value.filter((el) => isObject(el) && matchesElement(ref.filter!.def, el as Element, ref.filter!.tree)) : value;

/**
 * RFC 7644 §3.9: `attributes` keeps only the named attributes (plus `schemas` and `id`, always
 * returned); `excludedAttributes` removes the named ones. Names in any case, sub-attributes
 * (`name.givenName`, `meta.created`) and value-filtered paths (`emails[type eq "work"]`, which keep
 * or drop just the matching values). Applied to one presented resource; paths that name nothing
 * are ignored.
 */
export function project(resource: ScimJson, attributes: string[], excluded: string[]): ScimJson {
  const schemas = [URN.user, URN.enterprise, URN.group];
  if (attributes.length > 0) {
    const out: ScimJson = { schemas: resource.schemas, id: resource.id };
    const pickedValues = new Map<string, Map<number, unknown>>();
    for (const path of attributes) {
      const ref = refOf(path, schemas);
      if (!ref) continue;
      const holder = ref.container ? resource[ref.container] : resource;
      if (!isObject(holder)) continue;
      const key = keyIn(holder, ref.attr);
      if (!key) continue;
      const target = ref.container ? ((out[ref.container] as ScimJson | undefined) ?? (out[ref.container] = {})) : out;
      if (!isObject(target)) continue;
      const value = holder[key];
      if (Array.isArray(value)) {
        const slot = `${ref.container ?? ''}|${key}`;
        const picked = pickedValues.get(slot) ?? new Map<number, unknown>();
        pickedValues.set(slot, picked);
        const hit = new Set(matching(ref, value));
        value.forEach((el, i) => {
          if (!hit.has(el)) return;
          const prev = picked.get(i);
          if (!ref.sub || !isObject(el)) picked.set(i, el);
          else if (prev !== el) {
            const subKey = keyIn(el, ref.sub);
            picked.set(i, { ...(isObject(prev) ? prev : {}), ...(subKey ? { [subKey]: el[subKey] } : {}) });
          }
        });
        const next = [...picked.entries()]
          .sort((x, y) => x[0] - y[0])
          .map(([, v]) => v)
          .filter((v) => !(isObject(v) && Object.keys(v).length === 0));
        if (next.length > 0) target[key] = next;
        else delete target[key];
      } else if (ref.sub && isObject(value)) {
        const subKey = keyIn(value, ref.sub);
        if (!subKey) continue;
        const existing = isObject(target[key]) ? (target[key] as ScimJson) : {};
        target[key] = { ...existing, [subKey]: value[subKey] };
      } else if (!ref.filter) target[key] = value;
    }
    return out;
  }
  if (excluded.length === 0) return resource;
  const out: ScimJson = structuredClone(resource);
  for (const path of excluded) {
    const ref = refOf(path, schemas);
    if (!ref) continue;
    const holder = ref.container ? out[ref.container] : out;
    if (!isObject(holder)) continue;
    const key = keyIn(holder, ref.attr);
    if (!key || key === 'id' || key === 'schemas') continue;
    const value = holder[key];
    if (Array.isArray(value) && (ref.filter || ref.sub)) {
      const hit = new Set(matching(ref, value));
      const next = value
        .map((el) => {
          if (!hit.has(el)) return el;
          if (!ref.sub || !isObject(el)) return undefined;
          const copy = { ...el };
          const subKey = keyIn(copy, ref.sub);
          if (subKey) delete copy[subKey];
          return copy;
        })
        .filter((el) => el !== undefined);
      if (next.length > 0) holder[key] = next;
      else delete holder[key];
    } else if (ref.sub) {
      if (isObject(value)) {
        const subKey = keyIn(value, ref.sub);
        if (subKey) delete value[subKey];
      }
    } else delete holder[key];
  }
  return out;
}

/** Whether the presented resource would include `attr` (to skip loading group members). */
export function wants(attr: string, attributes: string[], excluded: string[]): boolean {
  const a = attr.toLowerCase();
  const matches = (p: string) => {
    const l = p.toLowerCase().replace(/\[.*$/s, '');
    return l === a || l.startsWith(`${a}.`) || l.endsWith(`:${a}`) || l.includes(`:${a}.`);
  };
  if (attributes.length > 0) return attributes.some(matches);
  return !excluded.some((p) => p.toLowerCase() === a || p.toLowerCase().endsWith(`:${a}`));
}
