CREATE TABLE "integration_exclusions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"profile_snapshot" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration_external_ids" (
	"tenant_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"system" text NOT NULL,
	"external_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "integration_external_ids_tenant_id_system_external_id_pk" PRIMARY KEY("tenant_id","system","external_id")
);
--> statement-breakpoint
CREATE TABLE "integration_group_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"rating_mode" text DEFAULT 'all' NOT NULL,
	"rating_system_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration_job_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_by" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "integration_merge_queue" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"profile_a_id" uuid NOT NULL,
	"profile_b_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'suggested' NOT NULL,
	"run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "integration_merges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kept_profile_id" uuid NOT NULL,
	"merged_profile_id" uuid NOT NULL,
	"queue_id" uuid,
	"run_id" uuid,
	"choices" jsonb NOT NULL,
	"before" jsonb NOT NULL,
	"changes" jsonb NOT NULL,
	"merged_by" text NOT NULL,
	"merged_at" timestamp with time zone DEFAULT now() NOT NULL,
	"undone_by" text,
	"undone_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "integration_person_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration_run_items" (
	"run_id" uuid NOT NULL,
	"item_key" text NOT NULL,
	"outcome" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "integration_run_items_run_id_item_key_pk" PRIMARY KEY("run_id","item_key")
);
--> statement-breakpoint
CREATE TABLE "integration_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"include_record_in_safety_check" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration_sync_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"run_id" uuid,
	"member_id" uuid,
	"profile_id" uuid,
	"direction" text NOT NULL,
	"status" text NOT NULL,
	"fields" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration_type_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"profile_type_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"condition" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration_wonde_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"school_id" text NOT NULL,
	"token_encrypted" text NOT NULL,
	"auth_mode" text DEFAULT 'bearer' NOT NULL,
	"mapping" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_synced_at" timestamp with time zone,
	"last_run_id" uuid,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "integration_exclusions" ADD CONSTRAINT "integration_exclusions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_exclusions" ADD CONSTRAINT "integration_exclusions_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_external_ids" ADD CONSTRAINT "integration_external_ids_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_external_ids" ADD CONSTRAINT "integration_external_ids_profile_id_record_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."record_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_group_links" ADD CONSTRAINT "integration_group_links_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_group_links" ADD CONSTRAINT "integration_group_links_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_group_links" ADD CONSTRAINT "integration_group_links_organisation_id_record_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."record_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_job_runs" ADD CONSTRAINT "integration_job_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_merge_queue" ADD CONSTRAINT "integration_merge_queue_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_merge_queue" ADD CONSTRAINT "integration_merge_queue_profile_a_id_record_profiles_id_fk" FOREIGN KEY ("profile_a_id") REFERENCES "public"."record_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_merge_queue" ADD CONSTRAINT "integration_merge_queue_profile_b_id_record_profiles_id_fk" FOREIGN KEY ("profile_b_id") REFERENCES "public"."record_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_merges" ADD CONSTRAINT "integration_merges_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_merges" ADD CONSTRAINT "integration_merges_kept_profile_id_record_profiles_id_fk" FOREIGN KEY ("kept_profile_id") REFERENCES "public"."record_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_merges" ADD CONSTRAINT "integration_merges_merged_profile_id_record_profiles_id_fk" FOREIGN KEY ("merged_profile_id") REFERENCES "public"."record_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_person_links" ADD CONSTRAINT "integration_person_links_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_person_links" ADD CONSTRAINT "integration_person_links_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_person_links" ADD CONSTRAINT "integration_person_links_profile_id_record_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."record_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_person_links" ADD CONSTRAINT "integration_person_links_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_run_items" ADD CONSTRAINT "integration_run_items_run_id_integration_job_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."integration_job_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_settings" ADD CONSTRAINT "integration_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_sync_log" ADD CONSTRAINT "integration_sync_log_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_type_rules" ADD CONSTRAINT "integration_type_rules_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_type_rules" ADD CONSTRAINT "integration_type_rules_profile_type_id_record_profile_types_id_fk" FOREIGN KEY ("profile_type_id") REFERENCES "public"."record_profile_types"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_wonde_connections" ADD CONSTRAINT "integration_wonde_connections_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_wonde_connections" ADD CONSTRAINT "integration_wonde_connections_organisation_id_record_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."record_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "integration_exclusions_member_unique" ON "integration_exclusions" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "integration_exclusions_tenant_idx" ON "integration_exclusions" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "integration_external_ids_profile_idx" ON "integration_external_ids" USING btree ("profile_id");--> statement-breakpoint
CREATE UNIQUE INDEX "integration_group_links_group_unique" ON "integration_group_links" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "integration_group_links_tenant_idx" ON "integration_group_links" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "integration_job_runs_tenant_idx" ON "integration_job_runs" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "integration_merge_queue_pair_unique" ON "integration_merge_queue" USING btree ("profile_a_id","profile_b_id");--> statement-breakpoint
CREATE INDEX "integration_merge_queue_tenant_status_idx" ON "integration_merge_queue" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "integration_merges_tenant_idx" ON "integration_merges" USING btree ("tenant_id","merged_at");--> statement-breakpoint
CREATE INDEX "integration_merges_kept_idx" ON "integration_merges" USING btree ("kept_profile_id");--> statement-breakpoint
CREATE UNIQUE INDEX "integration_person_links_member_unique" ON "integration_person_links" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "integration_person_links_profile_group_unique" ON "integration_person_links" USING btree ("profile_id","group_id");--> statement-breakpoint
CREATE INDEX "integration_person_links_tenant_idx" ON "integration_person_links" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "integration_sync_log_tenant_idx" ON "integration_sync_log" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE INDEX "integration_sync_log_run_idx" ON "integration_sync_log" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "integration_sync_log_profile_idx" ON "integration_sync_log" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "integration_sync_log_member_idx" ON "integration_sync_log" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "integration_type_rules_type_unique" ON "integration_type_rules" USING btree ("tenant_id","profile_type_id");--> statement-breakpoint
CREATE UNIQUE INDEX "integration_wonde_connections_org_unique" ON "integration_wonde_connections" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "integration_wonde_connections_tenant_idx" ON "integration_wonde_connections" USING btree ("tenant_id");