ALTER TABLE "scim_users" DROP CONSTRAINT "scim_users_tenant_id_tenants_id_fk";
--> statement-breakpoint
ALTER TABLE "scim_users" DROP CONSTRAINT "scim_users_group_id_groups_id_fk";
--> statement-breakpoint
ALTER TABLE "members" DROP CONSTRAINT "members_tenant_id_tenants_id_fk";
--> statement-breakpoint
ALTER TABLE "members" DROP CONSTRAINT "members_group_id_groups_id_fk";
--> statement-breakpoint
-- The unique index first: the composite foreign keys below need it (drizzle-kit wrote it last).
CREATE UNIQUE INDEX "groups_tenant_id_unique" ON "groups" USING btree ("tenant_id","id");--> statement-breakpoint
DROP INDEX "groups_tenant_idx";--> statement-breakpoint
ALTER TABLE "scim_users" ADD CONSTRAINT "scim_users_group_fk" FOREIGN KEY ("tenant_id","group_id") REFERENCES "public"."groups"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_group_fk" FOREIGN KEY ("tenant_id","group_id") REFERENCES "public"."groups"("tenant_id","id") ON DELETE cascade ON UPDATE no action;
