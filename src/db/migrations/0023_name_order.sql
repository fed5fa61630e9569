-- name_key(name): the order people and places are listed in (platform/db/name-order.ts, which
-- compares it with COLLATE "C"): accents off (NFKD, combining marks U+0300–U+036F removed), the
-- letters NFKD keeps whole as plain ones, lower case; so that byte order no longer puts "adam" and
-- "Émile" after "Zoe". A change to it takes a new name (members.full_name_key and its index hold its values).
CREATE FUNCTION "name_key"(name text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $key$
  SELECT lower(replace(replace(replace(replace(replace(replace(replace(replace(
    translate(regexp_replace(normalize(name, NFKD), E'[\u0300-\u036f]', '', 'g'), 'ØøŁłĐđÐðĦħıŦŧ’‘', 'OoLlDdDdHhiTt'''''),
    'Æ', 'AE'), 'æ', 'ae'), 'Œ', 'OE'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'SS'), 'Þ', 'TH'), 'þ', 'th'))
$key$;--> statement-breakpoint
DROP INDEX "members_live_group_name_idx";--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "full_name_key" text GENERATED ALWAYS AS (name_key(full_name)) STORED;--> statement-breakpoint
CREATE INDEX "members_live_group_name_idx" ON "members" USING btree ("tenant_id","group_id","full_name_key" COLLATE "C","id") WHERE "members"."deleted_at" is null;