ALTER TABLE "members" ADD COLUMN "doc" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- members.doc: the member as presentMember presents it (members.presenters.ts memberDocSql over NEW),
-- kept by this trigger on every insert and update (decision 037).
CREATE FUNCTION "members_doc"() RETURNS trigger LANGUAGE plpgsql AS $doc$
BEGIN
  NEW.doc := ('{"id":"' || NEW.id || '","groupId":"' || NEW.group_id || '","fullName":' || to_json(NEW.full_name)::text || ',"role":' || to_json(NEW.role)::text || ',"email":' || coalesce(to_json(NEW.email)::text, 'null') || ',"phone":' || coalesce(to_json(NEW.phone)::text, 'null') || ',"startDate":' || coalesce(to_json(NEW.start_date)::text, 'null') || ',"endDate":' || coalesce(to_json(NEW.end_date)::text, 'null') || ',"customFields":' || NEW.custom_fields::text || ',"photoUrl":' || (case when NEW.photo_key is null then 'null' else '"/api/signin/members/' || NEW.id || '/photo?v=' || NEW.version || '"' end) || ',"archived":' || (case when NEW.archived_at is null then 'false' else 'true' end) || ',"version":' || NEW.version || ',"createdAt":"' || to_char(NEW.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '","updatedAt":"' || to_char(NEW.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"}');
  RETURN NEW;
END
$doc$;--> statement-breakpoint
CREATE TRIGGER "members_doc" BEFORE INSERT OR UPDATE ON "members" FOR EACH ROW EXECUTE FUNCTION "members_doc"();--> statement-breakpoint
UPDATE "members" SET "doc" = '';
