CREATE TABLE "record_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"rule_set_version" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "record_checks" ADD COLUMN "date_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "record_organisations" ADD COLUMN "time_zone" text DEFAULT 'Europe/London' NOT NULL;--> statement-breakpoint
ALTER TABLE "record_profiles" ADD COLUMN "facts" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "record_settings" ADD CONSTRAINT "record_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;