import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from '../accounts/accounts.tables.js';
import { groups, members } from '../signin/signin.tables.js';
import { recordOrganisations, recordProfiles, recordProfileTypes } from '../record/record.tables.js';
import type { ConditionGroup } from '../record/index.js';

/**
 * The integration between sign-in and the Central Record. Foreign keys point into the sign-in and
 * record tables; the integration reads and writes those through their contexts' services only.
 */

export const RATING_MODES = ['all', 'none', 'selected'] as const;
export type RatingMode = (typeof RATING_MODES)[number];

/** A repeat or SCIM group linked to one organisation of the tenant, and which rating systems count. */
export const integrationGroupLinks = pgTable(
  'integration_group_links',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    groupId: uuid()
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    organisationId: uuid()
      .notNull()
      .references(() => recordOrganisations.id, { onDelete: 'cascade' }),
    ratingMode: text({ enum: RATING_MODES }).notNull().default('all'),
    /** For ratingMode 'selected': record rating system ids. */
    ratingSystemIds: jsonb().$type<string[]>().notNull().default([]),
    createdBy: text().notNull().default(''),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('integration_group_links_group_unique').on(t.groupId), index('integration_group_links_tenant_idx').on(t.tenantId)],
);

/** Tenant-wide integration settings. */
export const integrationSettings = pgTable('integration_settings', {
  tenantId: uuid()
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** "Include the Central Record's criteria in the safety check." */
  includeRecordInSafetyCheck: boolean().notNull().default(false),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Profile type map: one rule per profile type, ordered; the first match wins. */
export const integrationTypeRules = pgTable(
  'integration_type_rules',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    profileTypeId: uuid()
      .notNull()
      .references(() => recordProfileTypes.id, { onDelete: 'cascade' }),
    position: integer().notNull().default(0),
    condition: jsonb().$type<ConditionGroup>().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('integration_type_rules_type_unique').on(t.tenantId, t.profileTypeId)],
);

/** A member linked to a profile: the pair two-way sync keeps equal. One profile per member. */
export const integrationPersonLinks = pgTable(
  'integration_person_links',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    memberId: uuid()
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    profileId: uuid()
      .notNull()
      .references(() => recordProfiles.id, { onDelete: 'cascade' }),
    groupId: uuid()
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    /** How the link came about: import, push, wonde, merge (moved by a merge). */
    source: text().notNull(),
    /** Versions of both sides when they were last made equal (two-way sync compares these). */
    memberVersion: integer().notNull().default(0),
    profileVersion: integer().notNull().default(0),
    syncedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('integration_person_links_member_unique').on(t.memberId),
    uniqueIndex('integration_person_links_profile_group_unique').on(t.profileId, t.groupId),
    index('integration_person_links_tenant_idx').on(t.tenantId),
  ],
);

/** An identifier of a profile in another system (a Wonde UPI), for matching across runs. */
export const integrationExternalIds = pgTable(
  'integration_external_ids',
  {
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    profileId: uuid()
      .notNull()
      .references(() => recordProfiles.id, { onDelete: 'cascade' }),
    system: text().notNull(), // 'wonde' | 'scim' | 'member'
    externalId: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.system, t.externalId] }),
    index('integration_external_ids_profile_idx').on(t.profileId),
  ],
);

/** Members the import must not recreate a profile for (their linked profile was deleted). */
export const integrationExclusions = pgTable(
  'integration_exclusions',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    memberId: uuid()
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    reason: text().notNull(),
    /** What the deleted profile looked like (shown by the web app). */
    profileSnapshot: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdBy: text().notNull().default(''),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('integration_exclusions_member_unique').on(t.memberId), index('integration_exclusions_tenant_idx').on(t.tenantId)],
);

export const DUPLICATE_REASONS = ['same_email', 'same_name_dob', 'same_external_id'] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

/** Suggested duplicate pairs (profileA < profileB by id, so a pair is suggested once). */
export const integrationMergeQueue = pgTable(
  'integration_merge_queue',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    profileAId: uuid()
      .notNull()
      .references(() => recordProfiles.id, { onDelete: 'cascade' }),
    profileBId: uuid()
      .notNull()
      .references(() => recordProfiles.id, { onDelete: 'cascade' }),
    reason: text({ enum: DUPLICATE_REASONS }).notNull(),
    detail: text().notNull().default(''),
    status: text({ enum: ['suggested', 'merged', 'dismissed'] }).notNull().default('suggested'),
    runId: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('integration_merge_queue_pair_unique').on(t.profileAId, t.profileBId),
    index('integration_merge_queue_tenant_status_idx').on(t.tenantId, t.status),
  ],
);

/** What a merge changed, with full before-snapshots so it can be undone. */
export type ProfileSnapshot = {
  profile: Record<string, unknown>;
  checkValues: Array<Record<string, unknown>>;
  externalIds: Array<{ system: string; externalId: string }>;
  links: Array<{ memberId: string; groupId: string; source: string }>;
};
export type MergeChanges = {
  /** Field → value the kept profile got from the merge (to tell later edits apart on undo). */
  fields: Record<string, unknown>;
  /** Check value ids moved from the merged profile to the kept one. */
  movedCheckValueIds: string[];
  /** Check value ids of the kept profile replaced (deleted) by the merged profile's more recent value. */
  replacedCheckValueIds: string[];
  movedLinkMemberIds: string[];
  movedExternalIds: Array<{ system: string; externalId: string }>;
  /** Evidence documents moved with their check values (absent in merges made before documents followed). */
  movedDocumentIds?: string[];
};

export const integrationMerges = pgTable(
  'integration_merges',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    keptProfileId: uuid()
      .notNull()
      .references(() => recordProfiles.id, { onDelete: 'cascade' }),
    /** The merged-away profile is archived, not deleted, so nothing of it is lost. */
    mergedProfileId: uuid()
      .notNull()
      .references(() => recordProfiles.id, { onDelete: 'cascade' }),
    queueId: uuid(),
    runId: uuid(),
    choices: jsonb().$type<Record<string, 'kept' | 'merged'>>().notNull(),
    before: jsonb().$type<{ kept: ProfileSnapshot; merged: ProfileSnapshot }>().notNull(),
    changes: jsonb().$type<MergeChanges>().notNull(),
    mergedBy: text().notNull(),
    mergedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    undoneBy: text(),
    undoneAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('integration_merges_tenant_idx').on(t.tenantId, t.mergedAt), index('integration_merges_kept_idx').on(t.keptProfileId)],
);

export const RUN_KINDS = ['import', 'merge_all', 'push', 'wonde_sync', 'sync'] as const;
/** Why an import skipped a member: already linked to a profile, excluded, its group archived, no profile type matched. */
export const SKIP_REASONS = ['already_linked', 'excluded', 'group_archived', 'no_profile_type'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
export type RunKind = (typeof RUN_KINDS)[number];
export const RUN_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A long job's progress row: the web app's progress bar and the CLI's line read it. */
export const integrationJobRuns = pgTable(
  'integration_job_runs',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text({ enum: RUN_KINDS }).notNull(),
    status: text({ enum: RUN_STATUSES }).notNull().default('queued'),
    params: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    total: integer().notNull().default(0),
    done: integer().notNull().default(0),
    created: integer().notNull().default(0),
    /** Of `created`: profiles created as probable duplicates of existing ones, waiting in the merge queue. */
    queued: integer().notNull().default(0),
    updated: integer().notNull().default(0),
    skipped: integer().notNull().default(0),
    failed: integer().notNull().default(0),
    error: text(),
    attempts: integer().notNull().default(0),
    createdBy: text().notNull().default(''),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    /** Which execution works the run now (a random id per attempt); null when none does. */
    heldBy: text(),
    /** Written by that execution every few seconds (database time); a stale one means it died. */
    heartbeatAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('integration_job_runs_tenant_idx').on(t.tenantId, t.createdAt)],
);

/** Items a run has finished (keyed by run + item), so a resumed run skips them: no duplicates. */
export const integrationRunItems = pgTable(
  'integration_run_items',
  {
    runId: uuid()
      .notNull()
      .references(() => integrationJobRuns.id, { onDelete: 'cascade' }),
    itemKey: text().notNull(),
    /** created | updated | skipped | queued | failed; a skip with its reason is `skipped:<SKIP_REASONS>` (counted apart for the run's summary). */
    outcome: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.itemKey] })],
);

/** Two-way sync and Wonde log: one row per person per run (or per single change). */
export const integrationSyncLog = pgTable(
  'integration_sync_log',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    runId: uuid(),
    memberId: uuid(),
    profileId: uuid(),
    direction: text({ enum: ['member_to_profile', 'profile_to_member', 'wonde_to_profile', 'wonde_run'] }).notNull(),
    status: text({ enum: ['applied', 'unchanged', 'refused', 'error'] }).notNull(),
    fields: jsonb().$type<string[]>().notNull().default([]),
    message: text().notNull().default(''),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('integration_sync_log_tenant_idx').on(t.tenantId, t.at),
    index('integration_sync_log_run_idx').on(t.runId),
    index('integration_sync_log_profile_idx').on(t.profileId),
    index('integration_sync_log_member_idx').on(t.memberId),
  ],
);

/** "Use the Wonde connection" for one organisation. The token is encrypted (encryptSecret). */
export const integrationWondeConnections = pgTable(
  'integration_wonde_connections',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    organisationId: uuid()
      .notNull()
      .references(() => recordOrganisations.id, { onDelete: 'cascade' }),
    enabled: boolean().notNull().default(true),
    schoolId: text().notNull(),
    tokenEncrypted: text().notNull(),
    authMode: text({ enum: ['bearer', 'basic'] }).notNull().default('bearer'),
    mapping: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** Start of the last successful run: the next run asks for `updated_after` this. */
    lastSyncedAt: timestamp({ withTimezone: true }),
    lastRunId: uuid(),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('integration_wonde_connections_org_unique').on(t.organisationId), index('integration_wonde_connections_tenant_idx').on(t.tenantId)],
);

