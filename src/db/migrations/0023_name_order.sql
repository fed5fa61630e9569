-- name_key(name): the order people and places are listed in (platform/db/name-order.ts): lower
-- case, accents off (NFKD, combining marks U+0300–U+036F removed; Ø, Ł, Đ as O, L, D), so that
-- collation C (both databases) no longer puts "adam" and "Émile" after "Zoe".
CREATE FUNCTION "name_key"(name text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $key$
  SELECT lower(translate(regexp_replace(normalize(name, NFKD), E'[\u0300-\u036f]', '', 'g'), 'ØøŁłĐđ', 'OoLlDd'))
$key$;--> statement-breakpoint
DROP INDEX "members_live_group_name_idx";--> statement-breakpoint
CREATE INDEX "members_live_group_name_idx" ON "members" USING btree ("tenant_id","group_id",name_key("full_name"),"id") WHERE "members"."deleted_at" is null;