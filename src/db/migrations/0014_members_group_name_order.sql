DROP INDEX "members_tenant_group_idx";--> statement-breakpoint
CREATE INDEX "members_tenant_group_name_idx" ON "members" USING btree ("tenant_id","group_id","full_name","id");