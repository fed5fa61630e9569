import { sql, type Column, type SQL } from 'drizzle-orm';

/**
 * The order people and places are listed in: `name_key(name)` (migration 0023), the name in lower
 * case with its accents taken off (NFKD, combining marks removed; Ø, Ł and Đ as O, L and D), so
 * "adam" comes after "Ada" and before "Zoe", and "Émile" among the E's. Both databases sort text
 * by its bytes (collation C: PGlite has no other), which put every lower-case or accented initial
 * after Z. Immutable, so an index can hold it (the members page's does). Order by it and then by
 * an id, so names with equal keys ("Ada", "ada") come out the same way every time.
 */
export function nameKey(name: Column | SQL): SQL {
  return sql`name_key(${name})`;
}
