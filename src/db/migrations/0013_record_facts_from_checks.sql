-- Facts about the post (decision 012) were stored as yes/no "checks" with no passing answer in the
-- KCSIE 2025 set. Move them: values become profile facts (kept, with a version-history row each),
-- every stored condition and mapping that names check.<key> now names fact.<key>, rating rules
-- stop listing them, and the check rows go. Tenants then run "KCSIE 2025" as facts.
INSERT INTO "record_profile_history" ("tenant_id", "profile_id", "version", "field", "before", "after", "actor_id", "actor_label", "at")
SELECT v."tenant_id", v."profile_id", p."version" + 1, 'About the post: ' || c."name",
       'Recorded as a check: ' || CASE WHEN v."value" = 'true'::jsonb THEN 'Yes' ELSE 'No' END,
       'Fact about the post: ' || CASE WHEN v."value" = 'true'::jsonb THEN 'Yes' ELSE 'No' END,
       NULL, 'Rule set migration', now()
FROM "record_check_values" v
JOIN "record_checks" c ON c."id" = v."check_id"
JOIN "record_profiles" p ON p."id" = v."profile_id"
WHERE c."scope" = 'builtin' AND c."type" = 'yesno' AND c."pass_value" IS NULL
  AND c."key" IN ('management_post', 'volunteer_supervised', 'regulated_activity', 'lived_abroad', 'early_years_childcare')
  AND jsonb_typeof(v."value") = 'boolean';
--> statement-breakpoint
UPDATE "record_profiles" p SET "facts" = p."facts" || m."facts", "version" = p."version" + 1, "updated_at" = now()
FROM (
  SELECT v."profile_id", jsonb_object_agg(c."key", v."value") AS "facts"
  FROM "record_check_values" v
  JOIN "record_checks" c ON c."id" = v."check_id"
  WHERE c."scope" = 'builtin' AND c."type" = 'yesno' AND c."pass_value" IS NULL
    AND c."key" IN ('management_post', 'volunteer_supervised', 'regulated_activity', 'lived_abroad', 'early_years_childcare')
    AND jsonb_typeof(v."value") = 'boolean'
  GROUP BY v."profile_id"
) m
WHERE p."id" = m."profile_id";
--> statement-breakpoint
UPDATE "record_checks" SET
  "condition" = regexp_replace("condition"::text, '"check\.(management_post|volunteer_supervised|regulated_activity|lived_abroad|early_years_childcare)"', '"fact.\1"', 'g')::jsonb,
  "allowed_when" = regexp_replace("allowed_when"::text, '"check\.(management_post|volunteer_supervised|regulated_activity|lived_abroad|early_years_childcare)"', '"fact.\1"', 'g')::jsonb
WHERE "condition"::text ~ '"check\.(management_post|volunteer_supervised|regulated_activity|lived_abroad|early_years_childcare)"'
   OR "allowed_when"::text ~ '"check\.(management_post|volunteer_supervised|regulated_activity|lived_abroad|early_years_childcare)"';
--> statement-breakpoint
UPDATE "integration_type_rules" SET
  "condition" = regexp_replace("condition"::text, '"check\.(management_post|volunteer_supervised|regulated_activity|lived_abroad|early_years_childcare)"', '"fact.\1"', 'g')::jsonb
WHERE "condition"::text ~ '"check\.(management_post|volunteer_supervised|regulated_activity|lived_abroad|early_years_childcare)"';
--> statement-breakpoint
UPDATE "integration_wonde_connections" SET
  "mapping" = regexp_replace("mapping"::text, '"check\.(management_post|volunteer_supervised|regulated_activity|lived_abroad|early_years_childcare)"', '"fact.\1"', 'g')::jsonb
WHERE "mapping"::text ~ '"check\.(management_post|volunteer_supervised|regulated_activity|lived_abroad|early_years_childcare)"';
--> statement-breakpoint
UPDATE "record_rating_systems" s SET "rules" = (
  SELECT coalesce(jsonb_object_agg(e.k, CASE WHEN jsonb_typeof(e.r -> 'require') = 'array' THEN jsonb_set(e.r, '{require}', coalesce(
    (SELECT jsonb_agg(x) FROM jsonb_array_elements(e.r -> 'require') x
     WHERE (x #>> '{}') NOT IN ('management_post', 'volunteer_supervised', 'regulated_activity', 'lived_abroad', 'early_years_childcare')), '[]'::jsonb)) ELSE e.r END), '{}'::jsonb)
  FROM jsonb_each(s."rules") AS e(k, r))
WHERE s."rules"::text ~ '"(management_post|volunteer_supervised|regulated_activity|lived_abroad|early_years_childcare)"';
--> statement-breakpoint
DELETE FROM "record_check_values" v USING "record_checks" c
WHERE c."id" = v."check_id" AND c."scope" = 'builtin' AND c."type" = 'yesno' AND c."pass_value" IS NULL
  AND c."key" IN ('management_post', 'volunteer_supervised', 'regulated_activity', 'lived_abroad', 'early_years_childcare');
--> statement-breakpoint
DELETE FROM "record_checks" c
WHERE c."scope" = 'builtin' AND c."type" = 'yesno' AND c."pass_value" IS NULL
  AND c."key" IN ('management_post', 'volunteer_supervised', 'regulated_activity', 'lived_abroad', 'early_years_childcare');
--> statement-breakpoint
INSERT INTO "record_settings" ("tenant_id", "rule_set_version")
SELECT DISTINCT "tenant_id", 'KCSIE 2025' FROM "record_checks" WHERE "scope" = 'builtin'
ON CONFLICT ("tenant_id") DO NOTHING;
