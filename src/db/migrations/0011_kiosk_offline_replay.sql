CREATE TABLE "kiosk_replays" (
	"tenant_id" uuid NOT NULL,
	"kiosk_id" uuid NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"code" text,
	"reason" text,
	"visit_id" uuid,
	"event_at" timestamp with time zone,
	"recorded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kiosk_replays_kiosk_id_key_pk" PRIMARY KEY("kiosk_id","key")
);
--> statement-breakpoint
ALTER TABLE "visits" ADD COLUMN "recorded_offline" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "kiosk_replays" ADD CONSTRAINT "kiosk_replays_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kiosk_replays" ADD CONSTRAINT "kiosk_replays_kiosk_id_kiosk_devices_id_fk" FOREIGN KEY ("kiosk_id") REFERENCES "public"."kiosk_devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kiosk_replays_tenant_created_idx" ON "kiosk_replays" USING btree ("tenant_id","created_at");