import { asc, desc, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { invalidValue, scimError } from '../scim.errors.js';
import { listed } from './filter.js';

/**
 * Paging and sorting of a SCIM list (GET or POST /.search): index paging (RFC 7644 §3.4.2.4,
 * `startIndex`/`count`), cursor paging (RFC 9865, `cursor`/`count`) and `sortBy`/`sortOrder`
 * (RFC 7644 §3.4.2.3), all done in SQL. Index pages are in the order asked for, ties broken by
 * (created, id); cursor pages always walk (created, id), so a walk sees every resource that
 * existed for its whole duration exactly once, whatever is added or removed meanwhile.
 */
export type ListQuery = {
  filter?: string;
  startIndex?: string;
  count?: string;
  sortBy?: string;
  sortOrder?: string;
  cursor?: string;
};

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export type Position = { at: string; id: string };
export type Paging = { mode: 'index'; startIndex: number; count: number } | { mode: 'cursor'; after: Position | undefined; count: number };

const int = (raw: string | undefined, name: string, fallback: number) => {
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d{1,15}$/.test(raw.trim())) throw invalidValue(`${name} must be an integer`);
  return Number(raw.trim());
};

/** `startIndex` (1-based, < 1 means 1) and `count` (< 0 means 0, capped) per RFC 7644 §3.4.2.4. */
export function paging(q: ListQuery): { startIndex: number; count: number } {
  const startIndex = Math.max(1, int(q.startIndex, 'startIndex', 1));
  const count = Math.min(MAX_PAGE, Math.max(0, int(q.count, 'count', DEFAULT_PAGE)));
  return { startIndex, count };
}

const invalidCursor = (detail: string) => scimError(400, 'invalidCursor', detail);

/** Index or cursor paging; `cursor` present (even empty, the first page) asks for cursor paging. */
export function pagingOf(q: ListQuery): Paging {
  if (q.cursor === undefined) return { mode: 'index', ...paging(q) };
  if (q.startIndex !== undefined && q.startIndex !== '') throw invalidValue('Send either cursor or startIndex, not both');
  if (q.sortBy !== undefined && q.sortBy !== '') throw invalidValue('Cursor paging walks in creation order; sortBy cannot be combined with cursor');
  const count = int(q.count, 'count', DEFAULT_PAGE);
  if (count < 0 || count > MAX_PAGE) throw scimError(400, 'invalidCount', `count must be between 0 and ${MAX_PAGE} with cursor paging`);
  return { mode: 'cursor', after: q.cursor === '' ? undefined : decodeCursor(q.cursor), count };
}

const MICROS = /^\d{1,16}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An opaque cursor: the (created, id) of the last resource of a page, created in epoch microseconds. */
export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.at, p.id]), 'utf8').toString('base64url');
}

export function decodeCursor(raw: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('The cursor is not one this server gave');
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') {
    throw invalidCursor('The cursor is not one this server gave');
  }
  const [at, id] = parsed as [string, string];
  if (!MICROS.test(at) || !UUID.test(id)) throw invalidCursor('The cursor is not one this server gave');
  return { at, id };
}

/** A timestamp column as exact epoch microseconds (text), for a cursor. */
export const positionOf = (created: SQLWrapper) => sql<string>`(extract(epoch from ${created}) * 1000000)::bigint::text`;

/** The keyset condition "after this position" in (created, id) order (integer arithmetic, exact). */
export const afterPosition = (created: SQLWrapper, id: SQLWrapper, p: Position): SQL =>
  sql`((${created}, ${id}) > (timestamptz 'epoch' + ${p.at}::bigint * interval '1 microsecond', ${p.id}::uuid))`;

/** Sortable attributes (lower case, without URN) → the expression to order by. */
export type SortWhitelist = { urns: string[]; attrs: Record<string, SQLWrapper> };

/**
 * ORDER BY for `sortBy`/`sortOrder`, then (created, id) as the stable tie-break in the same
 * direction. Without `sortBy`: (created, id) ascending. An unknown attribute is a 400.
 */
export function orderOf(q: ListQuery, wl: SortWhitelist, created: SQLWrapper, id: SQLWrapper): SQL[] {
  const order = (q.sortOrder ?? '').trim().toLowerCase();
  if (order !== '' && order !== 'ascending' && order !== 'descending') throw invalidValue('sortOrder must be ascending or descending');
  const dir = order === 'descending' ? desc : asc;
  const by = (q.sortBy ?? '').trim();
  if (by === '') return [dir(created), dir(id)];
  let name = by.toLowerCase();
  for (const urn of wl.urns) if (name.startsWith(`${urn}:`)) name = name.slice(urn.length + 1);
  const expr = listed(wl.attrs, name);
  if (!expr) throw invalidValue(`Sorting by ${by.slice(0, 100)} is not supported; sort by ${Object.keys(wl.attrs).join(', ')}`);
  // Resources without a value sort last ascending and first descending (PostgreSQL's default).
  return [order === 'descending' ? sql`${expr} DESC` : sql`${expr} ASC`, dir(created), dir(id)];
}
