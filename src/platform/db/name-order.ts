import { sql, type Column, type SQL } from 'drizzle-orm';

/**
 * The order people and places are listed in: `name_key(name)` (migration 0023), the name with its
 * accents taken off (NFKD, combining marks removed), the letters NFKD keeps whole written as plain
 * ones (Ø, Ł, Đ, Ð, Ħ, ı, Ŧ as O, L, D, D, H, i, T; Æ, Œ, ß, Þ as ae, oe, ss, th; ’ and ‘ as '),
 * in lower case: "adam" comes after "Ada" and before "Zoe", "Émile" among the E's. Compared byte
 * by byte (`COLLATE "C"`), so the order is the same on every database whatever its locale (PGlite
 * has only C; a server's database may sort linguistically). Immutable, so an index can hold it (the
 * members page's does, with the same collation); a new PostgreSQL major version or C library may
 * change `lower` or `normalize` for some letters: REINDEX `members_live_group_name_idx` after such
 * an upgrade, and give any change to the key a new function name. Order by it and then by an id,
 * so names with equal keys ("Ada", "ada") come out the same way every time. Lower case beyond
 * ASCII needs a UTF-8 character type (`C.UTF-8`, `en_GB.UTF-8`, PGlite's); the database must be UTF8.
 */
export function nameKey(name: Column | SQL): SQL {
  return sql`name_key(${name}) COLLATE "C"`;
}
