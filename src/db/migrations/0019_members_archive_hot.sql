DROP INDEX "members_live_group_name_idx";--> statement-breakpoint
CREATE INDEX "members_live_group_name_idx" ON "members" USING btree ("tenant_id","group_id","full_name","id") WHERE "members"."deleted_at" is null;--> statement-breakpoint
-- Room on each page for an archive or restore to stay on its page (a HOT update, decision 039).
ALTER TABLE "members" SET (fillfactor = 90);
