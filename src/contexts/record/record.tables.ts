import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants, users } from '../accounts/accounts.tables.js';
import type { ConditionGroup } from './rules/conditions.js';

import { ORGANISATION_TYPES } from '../../common/organisation-types.js';

export { ORGANISATION_TYPES, type OrganisationType } from '../../common/organisation-types.js';
export const CHECK_TYPES = ['yesno', 'date', 'text', 'choice', 'document'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

/** A school (or the trust's central team): the unit that keeps a single central record. */
export const recordOrganisations = pgTable(
  'record_organisations',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    type: text({ enum: ORGANISATION_TYPES }).notNull(),
    /** Years a leaver's archived profile is kept before its deletion falls due. */
    retentionYears: integer().notNull().default(6),
    /** IANA time zone of "today" for this organisation (ratings, leavers). */
    timeZone: text().notNull().default('Europe/London'),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('record_organisations_tenant_idx').on(t.tenantId)],
);

/** Teaching Staff, Volunteers, … (built in, renameable, retirable) and the tenant's own. */
export const recordProfileTypes = pgTable(
  'record_profile_types',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** Stable key conditions and checks refer to: `teaching`, `volunteer`, … or `custom_xxxx`. */
    key: text().notNull(),
    name: text().notNull(),
    builtIn: boolean().notNull().default(false),
    retiredAt: timestamp({ withTimezone: true }),
    position: integer().notNull().default(0),
  },
  (t) => [uniqueIndex('record_profile_types_key_unique').on(t.tenantId, t.key)],
);

export type CheckValidity = { n: number; unit: 'months' | 'years' };

/** A check (field) of the record: built in (a versioned KCSIE set), trust-wide or one school's own. */
export const recordChecks = pgTable(
  'record_checks',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** Stable key conditions refer to as `check.<key>`. */
    key: text().notNull(),
    scope: text({ enum: ['builtin', 'tenant', 'organisation'] }).notNull(),
    /** For scope 'organisation': the school that added it. */
    organisationId: uuid().references(() => recordOrganisations.id, { onDelete: 'cascade' }),
    /** For built-in checks: the set it came from, e.g. "KCSIE 2025". */
    setVersion: text(),
    section: text().notNull(),
    name: text().notNull(),
    help: text().notNull().default(''),
    type: text({ enum: CHECK_TYPES }).notNull(),
    /** For choice checks. */
    options: jsonb().$type<string[]>().notNull().default([]),
    /** 'optional': information only, no rating system requires it unless it names the check. */
    requirement: text({ enum: ['statutory', 'recommended', 'optional'] }).notNull(),
    /** Profile type keys it applies to (empty: all). */
    appliesTo: jsonb().$type<string[]>().notNull().default([]),
    condition: jsonb().$type<ConditionGroup | null>(),
    validity: jsonb().$type<CheckValidity | null>(),
    /** For yes/no checks: the answer that counts as done (null: any answer is a fact, not a check). */
    passValue: boolean(),
    /** The date it was done must be recorded too: a yes without its date is not done. */
    dateRequired: boolean().notNull().default(false),
    /** A reference that must accompany the value, e.g. the DBS certificate number. */
    referenceLabel: text(),
    /** The check may only be recorded when this condition holds (e.g. the barred list: regulated activity). */
    allowedWhen: jsonb().$type<{ condition: ConditionGroup; reason: string } | null>(),
    /** Dates that can only be in the past (a check done, a certificate issued). */
    pastOnly: boolean().notNull().default(true),
    /** Documents of this check (e.g. DBS certificate images) are deleted this many months after upload. */
    documentRetentionMonths: integer(),
    enabled: boolean().notNull().default(true),
    position: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('record_checks_key_unique').on(t.tenantId, t.key), index('record_checks_org_idx').on(t.organisationId)],
);

export const recordProfiles = pgTable(
  'record_profiles',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    organisationId: uuid()
      .notNull()
      .references(() => recordOrganisations.id, { onDelete: 'restrict' }),
    profileTypeId: uuid()
      .notNull()
      .references(() => recordProfileTypes.id, { onDelete: 'restrict' }),
    firstName: text().notNull(),
    lastName: text().notNull(),
    dateOfBirth: date({ mode: 'string' }),
    email: text().notNull().default(''),
    phone: text().notNull().default(''),
    role: text().notNull().default(''),
    startDate: date({ mode: 'string' }),
    leavingDate: date({ mode: 'string' }),
    /** Facts about the post by fact key (yes/no), the inputs of the rules; absent = not answered yet. */
    facts: jsonb().$type<Record<string, boolean>>().notNull().default({}),
    status: text({ enum: ['live', 'archived'] }).notNull().default('live'),
    archivedAt: timestamp({ withTimezone: true }),
    /** Optimistic concurrency: a save names the version it started from. */
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('record_profiles_tenant_org_idx').on(t.tenantId, t.organisationId, t.status),
    index('record_profiles_type_idx').on(t.profileTypeId),
    index('record_profiles_name_idx').on(t.tenantId, sql`lower(${t.lastName})`, sql`lower(${t.firstName})`),
  ],
);

export type CheckValue = boolean | string | null;

/** The recorded value of one check for one profile, with who recorded it and the evidence seen. */
export const recordCheckValues = pgTable(
  'record_check_values',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    profileId: uuid()
      .notNull()
      .references(() => recordProfiles.id, { onDelete: 'cascade' }),
    checkId: uuid()
      .notNull()
      .references(() => recordChecks.id, { onDelete: 'restrict' }),
    value: jsonb().$type<CheckValue>(),
    reference: text(),
    /** When the check was done (for date checks, the value itself). */
    checkedOn: date({ mode: 'string' }),
    evidence: text().notNull().default(''),
    recordedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    recordedByLabel: text().notNull().default(''),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('record_check_values_unique').on(t.profileId, t.checkId), index('record_check_values_check_idx').on(t.checkId)],
);

/** An uploaded document (evidence) attached to a check value of a profile. */
export const recordDocuments = pgTable(
  'record_documents',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    profileId: uuid()
      .notNull()
      .references(() => recordProfiles.id, { onDelete: 'cascade' }),
    checkId: uuid().references(() => recordChecks.id, { onDelete: 'set null' }),
    storageKey: text(),
    fileName: text().notNull(),
    contentType: text().notNull(),
    size: integer().notNull(),
    uploadedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    uploadedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When the file must be gone (e.g. DBS certificate images: 6 months after upload). */
    deleteAfter: timestamp({ withTimezone: true }),
    /** Set when the file was deleted; the row (and the check it evidenced) stays. */
    deletedAt: timestamp({ withTimezone: true }),
    deletedReason: text(),
  },
  (t) => [index('record_documents_profile_idx').on(t.profileId), index('record_documents_due_idx').on(t.deleteAfter)],
);

/** Every change to a profile: who, when, field, before → after. */
export const recordProfileHistory = pgTable(
  'record_profile_history',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    profileId: uuid()
      .notNull()
      .references(() => recordProfiles.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    field: text().notNull(),
    before: text(),
    after: text(),
    actorId: uuid(),
    actorLabel: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('record_profile_history_profile_idx').on(t.profileId, t.at)],
);

/** Per profile type: which checks a rating system requires ('statutory', 'all', or a list of check keys). */
export type RatingRules = Record<string, { require: 'statutory' | 'all' | string[] }>;

export const recordRatingSystems = pgTable(
  'record_rating_systems',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    name: text().notNull(),
    readyColour: text().notNull().default('#2f9e44'),
    notReadyColour: text().notNull().default('#e03131'),
    enabled: boolean().notNull().default(true),
    mandatory: boolean().notNull().default(false),
    /** What it requires when no rule names the profile type. */
    defaultRequire: text({ enum: ['statutory', 'all'] }).notNull().default('statutory'),
    rules: jsonb().$type<RatingRules>().notNull().default({}),
    builtIn: boolean().notNull().default(false),
    position: integer().notNull().default(0),
  },
  (t) => [uniqueIndex('record_rating_systems_key_unique').on(t.tenantId, t.key)],
);

/** Per tenant: the version of the built-in rule set it runs (e.g. "KCSIE 2025.1"). */
export const recordSettings = pgTable('record_settings', {
  tenantId: uuid()
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  ruleSetVersion: text().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
