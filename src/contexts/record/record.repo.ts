import { and, asc, eq, inArray, isNull, or, sql, type Placeholder } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../platform/db/database.js';
import { preparedStatement } from '../../platform/db/prepared.js';
import {
  recordCheckValues,
  recordChecks,
  recordDocuments,
  recordOrganisations,
  recordProfileTypes,
  recordProfiles,
  recordRatingSystems,
  recordSettings,
} from './record.tables.js';
import type { BuiltInFact } from './kcsie/kcsie-2025.js';
import { LATEST_RULE_SET, ruleSetOf } from './kcsie/rule-sets.js';
import type { RuleCheck, RuleProfile, RuleRatingSystem, RuleValue } from './rules/rating.js';
import { nameKey } from '../../platform/db/name-order.js';

export type OrganisationRow = typeof recordOrganisations.$inferSelect;
export type ProfileTypeRow = typeof recordProfileTypes.$inferSelect;
export type CheckRow = typeof recordChecks.$inferSelect;
export type ProfileRow = typeof recordProfiles.$inferSelect;
export type CheckValueRow = typeof recordCheckValues.$inferSelect;
/** What lists, reports and the rules engine read of a value (not the whole row: 10,000s of them). */
export type ValueLite = Pick<CheckValueRow, 'profileId' | 'checkId' | 'value' | 'reference' | 'checkedOn' | 'recordedByLabel'>;
export type RatingSystemRow = typeof recordRatingSystems.$inferSelect;
export type DocumentRow = typeof recordDocuments.$inferSelect;

export const toRuleCheck = (c: CheckRow): RuleCheck => ({
  id: c.id,
  key: c.key,
  name: c.name,
  section: c.section,
  type: c.type,
  requirement: c.requirement,
  appliesTo: c.appliesTo,
  condition: c.condition ?? null,
  dateRequired: c.dateRequired,
  pastOnly: c.pastOnly,
  validity: c.validity ?? null,
  passValue: c.passValue,
  referenceLabel: c.referenceLabel,
  options: c.options,
  enabled: c.enabled,
  organisationId: c.organisationId,
});

export const toRuleSystem = (s: RatingSystemRow): RuleRatingSystem => ({
  id: s.id,
  key: s.key,
  name: s.name,
  enabled: s.enabled,
  mandatory: s.mandatory,
  defaultRequire: s.defaultRequire,
  rules: s.rules,
});

/** Everything the rules engine needs about a tenant's record, loaded once per request. */
export type RecordModel = {
  organisations: Map<string, OrganisationRow>;
  profileTypes: Map<string, ProfileTypeRow>;
  checks: CheckRow[];
  checksByKey: Map<string, CheckRow>;
  systems: RatingSystemRow[];
  /** The built-in rule set the tenant runs, and its facts about the post. */
  ruleSetVersion: string;
  facts: BuiltInFact[];
};

export async function loadModel(db: DbOrTx, tenantId: string): Promise<RecordModel> {
  // One after the other: on a transaction's single connection, concurrent queries only queue (and
  // pg warns that this will stop working in pg 9).
  const orgs = await db.select().from(recordOrganisations).where(eq(recordOrganisations.tenantId, tenantId)).orderBy(nameKey(recordOrganisations.name), asc(recordOrganisations.id));
  const types = await db.select().from(recordProfileTypes).where(eq(recordProfileTypes.tenantId, tenantId)).orderBy(asc(recordProfileTypes.position));
  const checks = await db.select().from(recordChecks).where(eq(recordChecks.tenantId, tenantId)).orderBy(asc(recordChecks.position));
  const systems = await db.select().from(recordRatingSystems).where(eq(recordRatingSystems.tenantId, tenantId)).orderBy(asc(recordRatingSystems.position));
  const settings = await db.select().from(recordSettings).where(eq(recordSettings.tenantId, tenantId));
  const set = (settings[0] && ruleSetOf(settings[0].ruleSetVersion)) || LATEST_RULE_SET;
  return {
    organisations: new Map(orgs.map((o) => [o.id, o])),
    profileTypes: new Map(types.map((t) => [t.id, t])),
    checks,
    checksByKey: new Map(checks.map((c) => [c.key, c])),
    systems,
    ruleSetVersion: settings[0]?.ruleSetVersion ?? LATEST_RULE_SET.version,
    facts: set.facts,
  };
}

/**
 * A stamp of a tenant's rule data (organisations, profile types, checks, rating systems, the rule
 * set in use) that changes whenever any of those rows is inserted, updated or deleted: each row's
 * id with its row version (`xmin`, new on every write), hashed in one round trip.
 */
export async function rulesStamp(db: DbOrTx, tenantId: string): Promise<string> {
  const [row] = await db.select({ stamp: rulesStampSql(tenantId) }).from(sql`(SELECT 1) AS one`);
  return row!.stamp;
}

function rulesStampSql(tenantId: string | Placeholder) {
  const part = (table: typeof recordOrganisations | typeof recordProfileTypes | typeof recordChecks | typeof recordRatingSystems) =>
    sql`coalesce((SELECT string_agg(${table.id}::text || ':' || xmin::text, ',' ORDER BY ${table.id}) FROM ${table} WHERE ${table.tenantId} = ${tenantId}), '')`;
  const settings = sql`coalesce((SELECT xmin::text FROM ${recordSettings} WHERE ${recordSettings.tenantId} = ${tenantId}), '')`;
  return sql<string>`md5(${part(recordOrganisations)} || '|' || ${part(recordProfileTypes)} || '|' || ${part(recordChecks)} || '|' || ${part(recordRatingSystems)} || '|' || ${settings})`;
}

export function toRuleValue(v: Pick<CheckValueRow, 'value' | 'reference' | 'checkedOn'>, hasDocument = false): RuleValue {
  return { value: v.value ?? null, reference: v.reference, checkedOn: v.checkedOn, hasDocument };
}

export function toRuleProfile(model: RecordModel, p: ProfileRow, values: ReadonlyMap<string, RuleValue>): RuleProfile {
  return {
    organisationId: p.organisationId,
    organisationType: model.organisations.get(p.organisationId)?.type ?? 'other',
    profileTypeKey: model.profileTypes.get(p.profileTypeId)?.key ?? '',
    fields: {
      first_name: p.firstName,
      last_name: p.lastName,
      email: p.email,
      phone: p.phone,
      role: p.role,
      date_of_birth: p.dateOfBirth,
      start_date: p.startDate,
      leaving_date: p.leavingDate,
    },
    values,
    facts: p.facts,
  };
}

/** A value as packed in JSON: check id, value, reference, checked on, recorded by. */
type Packed = [string, CheckValueRow['value'], string | null, string | null, string];

/** Profiles with their values (by check id), in one round trip per 1,000 profiles. */
export async function loadProfilesWithValues(
  db: DbOrTx,
  tenantId: string,
  filter: { organisationIds?: string[] | null; status?: 'live' | 'archived' | null; profileTypeIds?: string[] | null; ids?: string[] },
) {
  const conds = [eq(recordProfiles.tenantId, tenantId)];
  if (filter.organisationIds) conds.push(filter.organisationIds.length ? inArray(recordProfiles.organisationId, filter.organisationIds) : isNull(recordProfiles.id));
  if (filter.status) conds.push(eq(recordProfiles.status, filter.status));
  if (filter.profileTypeIds) conds.push(filter.profileTypeIds.length ? inArray(recordProfiles.profileTypeId, filter.profileTypeIds) : isNull(recordProfiles.id));
  if (filter.ids) conds.push(filter.ids.length ? inArray(recordProfiles.id, filter.ids) : isNull(recordProfiles.id));
  const profiles = await db
    .select()
    .from(recordProfiles)
    .where(and(...conds))
    .orderBy(nameKey(recordProfiles.lastName), nameKey(recordProfiles.firstName), asc(recordProfiles.id));
  const values = new Map<string, Map<string, ValueLite>>();
  const wanted = new Set(profiles.map((p) => p.id));
  // One row per profile with its values as a JSON array (10,000s of value rows are slow to ship and map one by one).
  const rows = profiles.length
    ? await db
        .select({
          profileId: recordCheckValues.profileId,
          values: sql<Packed[]>`json_agg(json_build_array(${recordCheckValues.checkId}, ${recordCheckValues.value}, ${recordCheckValues.reference}, ${recordCheckValues.checkedOn}, ${recordCheckValues.recordedByLabel}))`,
        })
        .from(recordCheckValues)
        .innerJoin(recordProfiles, eq(recordProfiles.id, recordCheckValues.profileId))
        .where(and(eq(recordCheckValues.tenantId, tenantId), ...conds))
        .groupBy(recordCheckValues.profileId)
    : [];
  for (const r of rows) {
    if (!wanted.has(r.profileId)) continue;
    const packed: Packed[] = typeof r.values === 'string' ? JSON.parse(r.values) : r.values;
    values.set(r.profileId, new Map(packed.map(([checkId, value, reference, checkedOn, recordedByLabel]) => [checkId, { profileId: r.profileId, checkId, value, reference, checkedOn, recordedByLabel }])));
  }
  return profiles.map((p) => ({ profile: p, values: values.get(p.id) ?? new Map<string, ValueLite>() }));
}

/** The columns of `profilesWithValuesStamped`'s statement (`tenantId` a value or a placeholder). */
function stampedColumns(tenantId: string | Placeholder) {
  return {
    profile: recordProfiles,
    stamp: rulesStampSql(tenantId),
    values: sql<Packed[] | string | null>`(SELECT json_agg(json_build_array(v.check_id, v.value, v.reference, v.checked_on, v.recorded_by_label)) FROM ${recordCheckValues} v WHERE v.tenant_id = ${tenantId} AND v.profile_id = "record_profiles"."id")`,
  };
}
type StampedRow = { profile: ProfileRow; stamp: string; values: Packed[] | string | null };

function stampedResult(rows: StampedRow[]) {
  return {
    stamp: rows[0]?.stamp,
    rows: rows.map((r) => {
      const packed: Packed[] = r.values === null ? [] : typeof r.values === 'string' ? JSON.parse(r.values) : r.values;
      const values = new Map(packed.map(([checkId, value, reference, checkedOn, recordedByLabel]): [string, ValueLite] => [checkId, { profileId: r.profile.id, checkId, value, reference, checkedOn, recordedByLabel }]));
      return { profile: r.profile, values };
    }),
  };
}

/**
 * Profiles by id with their values and the tenant's `rulesStamp`, in one statement (a sign-in's
 * record check asks for one profile: decision 030). The same rows as `loadProfilesWithValues`
 * with `ids`; no stamp when no profile is found.
 */
export async function profilesWithValuesStamped(db: DbOrTx, tenantId: string, ids: readonly string[]) {
  if (ids.length === 0) return { stamp: undefined, rows: [] };
  const rows = await db
    .select(stampedColumns(tenantId))
    .from(recordProfiles)
    .where(and(eq(recordProfiles.tenantId, tenantId), inArray(recordProfiles.id, [...ids])))
    .orderBy(nameKey(recordProfiles.lastName), nameKey(recordProfiles.firstName), asc(recordProfiles.id));
  return stampedResult(rows);
}
export type ProfilesWithValuesStamped = typeof profilesWithValuesStamped;

/**
 * `profilesWithValuesStamped` with the one-profile case (every sign-in's record check) built once
 * and prepared (`preparedStatement`: on PostgreSQL parsed and planned once per connection, run in
 * the caller's transaction too); more profiles are built per call as before (decision 038).
 */
export function createProfilesWithValuesStamped(db: Db): ProfilesWithValuesStamped {
  const p = { tenantId: sql.placeholder('tenantId'), profileId: sql.placeholder('profileId') };
  const one = preparedStatement(db, 'record_profile_with_values_stamped', (d) =>
    d
      .select(stampedColumns(p.tenantId))
      .from(recordProfiles)
      .where(and(eq(recordProfiles.tenantId, p.tenantId), eq(recordProfiles.id, p.profileId))),
  );
  return async (dbx, tenantId, ids) => {
    if (ids.length !== 1) return profilesWithValuesStamped(dbx, tenantId, ids);
    return stampedResult(await one.execute(dbx, { tenantId, profileId: ids[0] }));
  };
}

/** Checks visible in an organisation: built-in, trust-wide, and that organisation's own. */
export function checksFor(db: DbOrTx, tenantId: string, organisationId: string) {
  return db
    .select()
    .from(recordChecks)
    .where(and(eq(recordChecks.tenantId, tenantId), or(isNull(recordChecks.organisationId), eq(recordChecks.organisationId, organisationId))))
    .orderBy(asc(recordChecks.position));
}
