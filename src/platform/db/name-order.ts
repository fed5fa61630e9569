import { sql, type Column, type SQL } from 'drizzle-orm';

/**
 * The order people and places are listed in: `name_key(name)` (migration 0023), the name with its
 * accents taken off (NFKD, combining marks removed), the letters NFKD keeps whole written as plain
 * ones (Ø, Ł, Đ, Ð, Ħ, ı, Ŧ as O, L, D, D, H, i, T; Æ, Œ, ß, Þ as ae, oe, ss, th; ’ and ‘ as '),
 * in lower case: "adam" comes after "Ada" and before "Zoe", "Émile" among the E's. Compared byte
 * by byte (`COLLATE "C"`), so the order is the same on every database whatever its locale (PGlite
 * has only C; a server's database may sort linguistically). Immutable, so a column and an index can
 * hold it: `members.full_name_key` is it, stored, for the members page's index, the kiosk search's
 * ties and the kiosk's offline copy (an ORDER BY expression is computed for every row returned, even in index order).
 * A new PostgreSQL major version or C library may change `lower` or `normalize` for some letters:
 * recompute the column (`UPDATE members SET full_name = full_name`) and REINDEX after such
 * an upgrade, and give any change to the key a new function name. Order by it and then by an id,
 * so names with equal keys ("Ada", "ada") come out the same way every time. Lower case beyond
 * ASCII needs a UTF-8 character type (`C.UTF-8`, `en_GB.UTF-8`, PGlite's); the database must be UTF8.
 */
export function nameKey(name: Column | SQL): SQL {
  return sql`name_key(${name}) COLLATE "C"`;
}

/** A stored `name_key` (a column generated from it, as `members.full_name_key`) compared as `nameKey` compares: the same order, read instead of computed. */
export function storedNameKey(key: Column | SQL): SQL {
  return sql`${key} COLLATE "C"`;
}
