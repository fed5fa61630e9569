DROP INDEX "members_name_trgm_idx";--> statement-breakpoint
CREATE INDEX "members_name_trgm_idx" ON "members" USING gin ("full_name" gin_trgm_ops) WITH (fastupdate=false);