ALTER TABLE "one_time_tokens" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_last_step" integer;