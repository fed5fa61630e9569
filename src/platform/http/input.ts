import type { z } from 'zod';
import { badRequest } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Keys of the body whose items the route checks for unstorable text itself, each item on its
     * own (an offline kiosk's queued events: one bad event is refused alone, never the batch).
     */
    textCheckedPerItem?: readonly string[];
  }
}

/**
 * A PATCH body that must change something: `{}` (or only unknown fields, which are dropped) is a
 * 400 naming the body, not an empty UPDATE that the database driver refuses with a 500.
 */
export function nonEmptyPatch<T extends z.ZodType<Record<string, unknown>>>(schema: T) {
  return schema.refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'send at least one field to change' });
}

/** NUL (PostgreSQL's text refuses it) and UTF-16 surrogates without their pair (jsonb refuses them). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isStorableText = (s: string): boolean => !UNSTORABLE.test(s);

/**
 * The path (`body.members.2.name`) of the first string in `value` — a value or an object key —
 * that cannot be stored, or undefined. Buffers (file uploads) are not text and are skipped.
 */
export function findUnstorableText(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path;
  if (value === null || typeof value !== 'object' || depth > 64 || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findUnstorableText(value[i], `${path}.${i}`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) {
    if (!isStorableText(key)) return `${path}.${key.replace(UNSTORABLE, '?')}`;
    const bad = findUnstorableText(v, `${path}.${key}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

export const unstorableTextError = (field: string) =>
  badRequest('invalid_text', `${field}: contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored`, field);

/**
 * The one boundary check for text coming in: request bodies, query strings and route parameters
 * (a root `preValidation` hook) and imported cells (`assertStorableCells`).
 */
export function assertStorableRequest(req: { body?: unknown; query?: unknown; params?: unknown }, perItem?: () => readonly string[] | undefined): void {
  for (const [where, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
    const bad = findUnstorableText(value, where);
    if (!bad) continue;
    // Only when something is bad: the body's keys the route checks item by item (`textCheckedPerItem`) are left to it.
    const own = where === 'body' ? perItem?.() : undefined;
    if (own && own.length > 0 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const rest = Object.fromEntries(Object.entries(value).filter(([k]) => !own.includes(k)));
      const left = findUnstorableText(rest, where);
      if (left) throw unstorableTextError(left);
      continue;
    }
    throw unstorableTextError(bad);
  }
}

/** Imported rows: the first bad cell is named by its data row (1 = the first under the header) and column. */
export function assertStorableCells(columns: readonly string[], rows: readonly (readonly string[])[], field = 'file'): void {
  columns.forEach((c, i) => {
    if (!isStorableText(c)) throw badRequest('invalid_text', `${field}: the heading of column ${i + 1} contains a NUL character or an unpaired surrogate`, field);
  });
  rows.forEach((row, r) =>
    row.forEach((cell, c) => {
      if (!isStorableText(cell)) {
        throw badRequest('invalid_text', `${field}: data row ${r + 1}, column "${columns[c] ?? c + 1}" contains a NUL character or an unpaired surrogate`, field);
      }
    }),
  );
}
