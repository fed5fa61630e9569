import { findAttr, type ResourceDef } from '../scim.schema.js';
import { invalidSyntax, invalidValue, noTarget } from '../scim.errors.js';
import {
  canonicalDoc,
  canonValue,
  holderOf,
  isObject,
  matchesElement,
  putAttr,
  resolvePath,
  seedFromFilter,
  setAttr,
  type Doc,
  type Element,
  type Target,
} from './canonical.js';

/**
 * The SCIM PATCH engine (RFC 7644 §3.5.2) over our fixed schema. Okta's and Entra's shapes are
 * normalised here: `op` in any case, no-path add/replace whose value has dotted and URN-qualified
 * keys, value-filter paths that create the element when it is missing (Entra's
 * `emails[type eq "work"].value`), "" / null clearing, and removal of multi-valued entries given
 * by value (Entra's `{"op":"Remove","path":"members","value":[{"value":"…"}]}`).
 * Pure: takes a canonical document and returns a new one; any error rejects the whole request.
 */
export type PatchOp = { op: 'add' | 'replace' | 'remove'; path?: string; value?: unknown };

const MAX_OPERATIONS = 1000;

export function parsePatchBody(body: unknown): PatchOp[] {
  if (!isObject(body)) throw invalidSyntax('The PATCH body must be a JSON object');
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const list = key ? body[key] : undefined;
  if (!Array.isArray(list)) throw invalidSyntax('The PATCH body needs an Operations array');
  if (list.length > MAX_OPERATIONS) throw invalidValue(`At most ${MAX_OPERATIONS} operations per request`);
  return list.map((raw, i) => {
    if (!isObject(raw)) throw invalidSyntax(`Operations[${i}] must be an object`);
    const field = (name: string) => raw[Object.keys(raw).find((k) => k.toLowerCase() === name) ?? name];
    const op = field('op');
    const opName = typeof op === 'string' ? op.trim().toLowerCase() : '';
    if (opName !== 'add' && opName !== 'replace' && opName !== 'remove') {
      throw invalidSyntax(`Operations[${i}].op must be add, replace or remove`);
    }
    const path = field('path');
    if (path !== undefined && path !== null && typeof path !== 'string') throw invalidSyntax(`Operations[${i}].path must be a string`);
    return { op: opName, path: typeof path === 'string' && path.trim() !== '' ? path : undefined, value: field('value') };
  });
}

export function applyPatch(res: ResourceDef, doc: Doc, ops: PatchOp[]): Doc {
  let out: Doc = structuredClone(doc);
  for (const op of ops) {
    applyOne(res, out, op);
    out = canonicalDoc(res, out);
  }
  return out;
}

function applyOne(res: ResourceDef, doc: Doc, op: PatchOp): void {
  if (op.path === undefined) {
    if (op.op === 'remove') throw noTarget('A remove operation needs a path');
    if (!isObject(op.value)) throw invalidValue(`An ${op.op} operation without a path needs an object value`);
    for (const [key, value] of Object.entries(op.value)) applyAt(res, doc, resolvePath(res, key, false), op.op, value);
    return;
  }
  applyAt(res, doc, resolvePath(res, op.path, true), op.op, op.value);
}

function applyAt(res: ResourceDef, doc: Doc, t: Target, op: PatchOp['op'], value: unknown): void {
  if (t.kind === 'ignored' || t.kind === 'readOnly') return;
  if (t.kind === 'extension') {
    if (op === 'remove' || value === null || value === '') {
      delete doc[t.schema.id];
      return;
    }
    if (!isObject(value)) throw invalidValue(`${t.schema.id} must be an object`);
    for (const [k, v] of Object.entries(value)) applyAt(res, doc, resolvePath(res, `${t.schema.id}:${k}`, false), op, v);
    return;
  }
  const { attr } = t;
  const holder = holderOf(doc, t.container);
  if (t.filter) {
    const filter = t.filter;
    const list = (Array.isArray(holder[attr.name]) ? (holder[attr.name] as Element[]) : []).map((e) => ({ ...e }));
    const hit = list.map((el) => matchesElement(attr, el, filter));
    const clears = op === 'remove' || value === null || value === '';
    let next: Element[];
    if (clears) {
      next = t.sub ? list.map((el, i) => (hit[i] ? without(el, t.sub!.name) : el)) : list.filter((_, i) => !hit[i]);
    } else if (hit.some(Boolean)) {
      next = list.map((el, i) => {
        if (!hit[i]) return el;
        if (t.sub) return { ...el, [t.sub.name]: value as string };
        if (!isObject(value)) throw invalidValue(`The value for ${attr.name}[…] must be an object`);
        return { ...el, ...(value as Element) };
      });
    } else {
      const seed = seedFromFilter(attr, filter);
      if (!seed) throw noTarget(`No ${attr.name} value matches the filter`);
      if (t.sub) next = [...list, { ...seed, [t.sub.name]: value as string }];
      else if (isObject(value)) next = [...list, { ...seed, ...(value as Element) }];
      else throw invalidValue(`The value for ${attr.name}[…] must be an object`);
    }
    putAttr(doc, t.container, attr, next);
    return;
  }
  if (op === 'remove') {
    if (t.sub) {
      setAttr(doc, t, null, 'replace');
      return;
    }
    if (attr.multiValued && value !== undefined && value !== null && value !== '') {
      // Entra: remove the listed entries, matched on their value.
      const drop = canonValue(attr, value) as Element[] | undefined;
      const keys = new Set((drop ?? []).map((e) => String(e.value ?? '').toLowerCase()));
      const valueSub = findAttr(attr.subAttributes ?? [], 'value');
      if (!valueSub) throw invalidValue(`${attr.name} entries have no value to match`);
      const list = Array.isArray(holder[attr.name]) ? (holder[attr.name] as Element[]) : [];
      putAttr(
        doc,
        t.container,
        attr,
        list.filter((e) => !keys.has(String(e.value ?? '').toLowerCase())),
      );
      return;
    }
    putAttr(doc, t.container, attr, undefined);
    return;
  }
  setAttr(doc, t, value, op);
}

function without(el: Element, key: string): Element {
  const copy = { ...el };
  delete copy[key];
  return copy;
}
