CREATE TABLE "record_check_values" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"check_id" uuid NOT NULL,
	"value" jsonb,
	"reference" text,
	"checked_on" date,
	"evidence" text DEFAULT '' NOT NULL,
	"recorded_by" uuid,
	"recorded_by_label" text DEFAULT '' NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"scope" text NOT NULL,
	"organisation_id" uuid,
	"set_version" text,
	"section" text NOT NULL,
	"name" text NOT NULL,
	"help" text DEFAULT '' NOT NULL,
	"type" text NOT NULL,
	"options" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requirement" text NOT NULL,
	"applies_to" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"condition" jsonb,
	"validity" jsonb,
	"pass_value" boolean,
	"reference_label" text,
	"allowed_when" jsonb,
	"past_only" boolean DEFAULT true NOT NULL,
	"document_retention_months" integer,
	"enabled" boolean DEFAULT true NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"check_id" uuid,
	"storage_key" text,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"uploaded_by" uuid,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delete_after" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"deleted_reason" text
);
--> statement-breakpoint
CREATE TABLE "record_organisations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"retention_years" integer DEFAULT 6 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_profile_history" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"field" text NOT NULL,
	"before" text,
	"after" text,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_profile_types" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"built_in" boolean DEFAULT false NOT NULL,
	"retired_at" timestamp with time zone,
	"position" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"profile_type_id" uuid NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"date_of_birth" date,
	"email" text DEFAULT '' NOT NULL,
	"phone" text DEFAULT '' NOT NULL,
	"role" text DEFAULT '' NOT NULL,
	"start_date" date,
	"leaving_date" date,
	"status" text DEFAULT 'live' NOT NULL,
	"archived_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_rating_systems" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"ready_colour" text DEFAULT '#2f9e44' NOT NULL,
	"not_ready_colour" text DEFAULT '#e03131' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"mandatory" boolean DEFAULT false NOT NULL,
	"default_require" text DEFAULT 'statutory' NOT NULL,
	"rules" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"built_in" boolean DEFAULT false NOT NULL,
	"position" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "roll_call_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"roll_call_id" uuid NOT NULL,
	"visit_id" uuid NOT NULL,
	"member_id" uuid,
	"person_name" text NOT NULL,
	"group_id" uuid NOT NULL,
	"group_name" text NOT NULL,
	"group_colour" text DEFAULT '#1c7ed6' NOT NULL,
	"signed_in_at" timestamp with time zone NOT NULL,
	"joined_during" boolean DEFAULT false NOT NULL,
	"signed_out_at" timestamp with time zone,
	"status" text DEFAULT 'unaccounted' NOT NULL,
	"marked_at" timestamp with time zone,
	"marked_by_label" text
);
--> statement-breakpoint
CREATE TABLE "roll_call_events" (
	"tenant_id" uuid NOT NULL,
	"roll_call_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "roll_call_events_roll_call_id_seq_pk" PRIMARY KEY("roll_call_id","seq")
);
--> statement-breakpoint
CREATE TABLE "roll_calls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"site_name" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"seq" integer DEFAULT 0 NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"started_by_id" uuid,
	"started_by_label" text NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by_label" text
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"subscription_id" uuid NOT NULL,
	"event" text NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_status_code" integer,
	"last_duration_ms" integer,
	"last_error" text,
	"response_snippet" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"url" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"events" jsonb NOT NULL,
	"secret_encrypted" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "record_check_values" ADD CONSTRAINT "record_check_values_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_check_values" ADD CONSTRAINT "record_check_values_profile_id_record_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."record_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_check_values" ADD CONSTRAINT "record_check_values_check_id_record_checks_id_fk" FOREIGN KEY ("check_id") REFERENCES "public"."record_checks"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_check_values" ADD CONSTRAINT "record_check_values_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_checks" ADD CONSTRAINT "record_checks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_checks" ADD CONSTRAINT "record_checks_organisation_id_record_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."record_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_documents" ADD CONSTRAINT "record_documents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_documents" ADD CONSTRAINT "record_documents_profile_id_record_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."record_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_documents" ADD CONSTRAINT "record_documents_check_id_record_checks_id_fk" FOREIGN KEY ("check_id") REFERENCES "public"."record_checks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_documents" ADD CONSTRAINT "record_documents_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_organisations" ADD CONSTRAINT "record_organisations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_profile_history" ADD CONSTRAINT "record_profile_history_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_profile_history" ADD CONSTRAINT "record_profile_history_profile_id_record_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."record_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_profile_types" ADD CONSTRAINT "record_profile_types_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_profiles" ADD CONSTRAINT "record_profiles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_profiles" ADD CONSTRAINT "record_profiles_organisation_id_record_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."record_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_profiles" ADD CONSTRAINT "record_profiles_profile_type_id_record_profile_types_id_fk" FOREIGN KEY ("profile_type_id") REFERENCES "public"."record_profile_types"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_rating_systems" ADD CONSTRAINT "record_rating_systems_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roll_call_entries" ADD CONSTRAINT "roll_call_entries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roll_call_entries" ADD CONSTRAINT "roll_call_entries_roll_call_id_roll_calls_id_fk" FOREIGN KEY ("roll_call_id") REFERENCES "public"."roll_calls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roll_call_events" ADD CONSTRAINT "roll_call_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roll_call_events" ADD CONSTRAINT "roll_call_events_roll_call_id_roll_calls_id_fk" FOREIGN KEY ("roll_call_id") REFERENCES "public"."roll_calls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roll_calls" ADD CONSTRAINT "roll_calls_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roll_calls" ADD CONSTRAINT "roll_calls_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_webhook_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."webhook_subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "record_check_values_unique" ON "record_check_values" USING btree ("profile_id","check_id");--> statement-breakpoint
CREATE INDEX "record_check_values_check_idx" ON "record_check_values" USING btree ("check_id");--> statement-breakpoint
CREATE UNIQUE INDEX "record_checks_key_unique" ON "record_checks" USING btree ("tenant_id","key");--> statement-breakpoint
CREATE INDEX "record_checks_org_idx" ON "record_checks" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "record_documents_profile_idx" ON "record_documents" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "record_documents_due_idx" ON "record_documents" USING btree ("delete_after");--> statement-breakpoint
CREATE INDEX "record_organisations_tenant_idx" ON "record_organisations" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "record_profile_history_profile_idx" ON "record_profile_history" USING btree ("profile_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "record_profile_types_key_unique" ON "record_profile_types" USING btree ("tenant_id","key");--> statement-breakpoint
CREATE INDEX "record_profiles_tenant_org_idx" ON "record_profiles" USING btree ("tenant_id","organisation_id","status");--> statement-breakpoint
CREATE INDEX "record_profiles_type_idx" ON "record_profiles" USING btree ("profile_type_id");--> statement-breakpoint
CREATE INDEX "record_profiles_name_idx" ON "record_profiles" USING btree ("tenant_id",lower("last_name"),lower("first_name"));--> statement-breakpoint
CREATE UNIQUE INDEX "record_rating_systems_key_unique" ON "record_rating_systems" USING btree ("tenant_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "roll_call_entries_visit_unique" ON "roll_call_entries" USING btree ("roll_call_id","visit_id");--> statement-breakpoint
CREATE INDEX "roll_calls_tenant_idx" ON "roll_calls" USING btree ("tenant_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "roll_calls_one_open_per_site" ON "roll_calls" USING btree ("site_id") WHERE "roll_calls"."status" = 'open';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_subscription_idx" ON "webhook_deliveries" USING btree ("tenant_id","subscription_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_tenant_idx" ON "webhook_subscriptions" USING btree ("tenant_id");