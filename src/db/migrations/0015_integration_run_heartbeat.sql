ALTER TABLE "integration_job_runs" ADD COLUMN "held_by" text;--> statement-breakpoint
ALTER TABLE "integration_job_runs" ADD COLUMN "heartbeat_at" timestamp with time zone;