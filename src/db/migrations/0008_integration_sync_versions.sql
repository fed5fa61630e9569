ALTER TABLE "integration_person_links" ADD COLUMN "member_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "integration_person_links" ADD COLUMN "profile_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "integration_person_links" ADD COLUMN "synced_at" timestamp with time zone;