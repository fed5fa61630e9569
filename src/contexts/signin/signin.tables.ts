import { sql } from 'drizzle-orm';
import { boolean, check, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants, users } from '../accounts/accounts.tables.js';
import { storedNameKey } from '../../platform/db/name-order.js';

export const sites = pgTable(
  'sites',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    address: text().notNull().default(''),
    timezone: text().notNull().default('Europe/London'),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('sites_tenant_idx').on(t.tenantId)],
);

export type GroupType = 'standard' | 'repeat' | 'scim';

/** Per-group sign-in options (kept as one validated JSON document; see groups.schemas.ts). */
export type SignInOptions = Record<string, unknown>;

export const groups = pgTable(
  'groups',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    type: text({ enum: ['standard', 'repeat', 'scim'] }).notNull(),
    colour: text().notNull().default('#1c7ed6'),
    isStaffGroup: boolean().notNull().default(false),
    options: jsonb().$type<SignInOptions>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp({ withTimezone: true }),
  },
  // (tenant_id, id) is unique so that rows of a group name its tenant too (members, SCIM users:
  // a composite foreign key, decision 047); it also serves what `groups_tenant_idx` served.
  (t) => [uniqueIndex('groups_tenant_id_unique').on(t.tenantId, t.id)],
);

export const siteGroups = pgTable(
  'site_groups',
  {
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    siteId: uuid()
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    groupId: uuid()
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    position: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.groupId] })],
);

export const groupContacts = pgTable(
  'group_contacts',
  {
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    groupId: uuid()
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] })],
);

/**
 * People on the roster of a repeat or SCIM group. SCIM-specific attributes live in the scim
 * context's own table keyed by member id; this row holds what sign-in needs.
 */
export const members = pgTable(
  'members',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The group's tenant: (tenant_id, group_id) references the group (`members_group_fk`), so a member cannot name another tenant than its group's. */
    tenantId: uuid().notNull(),
    groupId: uuid().notNull(),
    fullName: text().notNull(),
    role: text().notNull().default(''),
    email: text(),
    phone: text(),
    startDate: date({ mode: 'string' }),
    endDate: date({ mode: 'string' }),
    customFields: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    photoKey: text(),
    qrToken: text().notNull(),
    /** Archived members cannot sign in; their history is kept. */
    archivedAt: timestamp({ withTimezone: true }),
    /** Removed (e.g. SCIM DELETE): gone from the group, history kept for the retention period. */
    deletedAt: timestamp({ withTimezone: true }),
    /** Optimistic concurrency: bumped on every change. */
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /**
     * The member as `presentMember` presents it, as JSON text (`memberDocSql`): set on every insert
     * and update by the trigger `members_doc` (migration 0020), never written by the code; the
     * members page sends it as is (decision 037). Read only by the page: the members repo's
     * reads leave it out (`memberColumns`).
     */
    doc: text().notNull().default(''),
    /**
     * `name_key(full_name)` (platform/db/name-order.ts), kept by PostgreSQL: the members page orders
     * by it through its index; stored, so a page reads 50 keys instead of computing them (an ORDER
     * BY expression is computed for every row returned, even in index order: 0.13 ms a page).
     */
    fullNameKey: text().generatedAlwaysAs(sql`name_key(full_name)`),
  },
  (t) => [
    // One check a write instead of two (tenant, group), and the member's tenant is its group's
    // (decision 047); a tenant's groups, and so their members, go with it.
    foreignKey({ name: 'members_group_fk', columns: [t.tenantId, t.groupId], foreignColumns: [groups.tenantId, groups.id] }).onDelete('cascade'),
    // A group's live members in name order (the members page: 50 at a time, stops at the 50th;
    // decision 010), the order of `nameKey` (accents and case aside, migration 0023). No `archived_at` (decision 039): an archive or restore (SCIM's `active`)
    // then changes no indexed column and is a HOT update that writes none of these indexes (the
    // trigram GIN one included); the page's live/archived filter reads the rows it presents
    // anyway, and its total is kept in memory (decision 034).
    index('members_live_group_name_idx')
      .on(t.tenantId, t.groupId, storedNameKey(t.fullNameKey), t.id)
      .where(sql`${t.deletedAt} is null`),
    uniqueIndex('members_qr_token_unique').on(t.qrToken),
    // The trigger always sets `doc` (it runs before the check); a row written with triggers off
    // (a manual load under session_replication_role = replica) is refused rather than left to
    // break the members page's JSON.
    check('members_doc_set', sql`${t.doc} <> ''`),
    // The kiosk's name search (kiosk/kiosk.search.ts). No pending list (fastupdate off): with one,
    // every search reads all of it (no autovacuum on PGlite to merge it; decision 030).
    index('members_name_trgm_idx').using('gin', sql`${t.fullName} gin_trgm_ops`).with({ fastupdate: false }),
  ],
);

/** Extra columns of groups that are not sign-in options (kept out of the options document). */
export const groupSecrets = pgTable('group_secrets', {
  groupId: uuid()
    .primaryKey()
    .references(() => groups.id, { onDelete: 'cascade' }),
  tenantId: uuid()
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** The kiosk PIN of the group, hashed (sha256 with the group id as salt). */
  pinHash: text(),
});

export type VisitOutcome = 'signed_in' | 'rejected';
export type SafetyStatus = 'passed' | 'notified' | 'rejected' | 'skipped';
export type VisitReason = { check: string; code: string; reason: string };
export type VisitorDetails = { fullName: string; company?: string; email?: string; phone?: string; dateOfBirth?: string };

/**
 * Every sign-in attempt: a visit is open while signedOutAt is null and outcome is signed_in.
 * Rejected attempts are kept as visits too, with their reasons.
 */
export const visits = pgTable(
  'visits',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    siteId: uuid()
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    groupId: uuid()
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    memberId: uuid().references(() => members.id, { onDelete: 'set null' }),
    /** Visitors of standard groups: their details as given at the kiosk. */
    visitor: jsonb().$type<VisitorDetails>(),
    /** Name at the time of the visit (member or visitor), for history and search. */
    personName: text().notNull(),
    signedInAt: timestamp({ withTimezone: true }).notNull(),
    signedOutAt: timestamp({ withTimezone: true }),
    signedOutBy: text({ enum: ['kiosk', 'manual', 'auto'] }),
    outcome: text({ enum: ['signed_in', 'rejected'] }).notNull(),
    safetyStatus: text({ enum: ['passed', 'notified', 'rejected', 'skipped'] }).notNull(),
    reasons: jsonb().$type<VisitReason[]>().notNull().default([]),
    answers: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    agreementVersion: text(),
    hostMemberId: uuid().references(() => members.id, { onDelete: 'set null' }),
    kioskId: uuid(),
    /** Kept beyond the tenant's retention period (e.g. an incident). */
    protected: boolean().notNull().default(false),
    /** Recorded by a kiosk while offline and replayed later (times are the kiosk's, corrected for its clock). */
    recordedOffline: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('visits_tenant_signed_in_idx').on(t.tenantId, t.signedInAt, t.id),
    /**
     * Open visits by tenant and site (who is on site). `tenant_id IS NOT NULL` (always true) keeps
     * it to statements that name the tenant, which every reader of open visits does: the kiosk
     * search's per-member lookup (`member_id = m.id`, open) names no tenant, and under an empty
     * table's statistics PostgreSQL priced a whole scan of this index, a heap row per open visit,
     * below the unique per-member one, for each member shown (decision 038).
     */
    index('visits_tenant_site_open_idx').on(t.tenantId, t.siteId).where(sql`${t.signedOutAt} IS NULL AND ${t.outcome} = 'signed_in' AND ${t.tenantId} IS NOT NULL`),
    index('visits_member_idx').on(t.memberId),
    /** At most one open visit per member: concurrent kiosks cannot both sign the same person in. */
    uniqueIndex('visits_one_open_per_member')
      .on(t.memberId)
      .where(sql`${t.memberId} IS NOT NULL AND ${t.signedOutAt} IS NULL AND ${t.outcome} = 'signed_in'`),
  ],
);

/** Kiosk pairing codes: short, one-time, 10 minutes; stored hashed. */
export const kioskPairings = pgTable(
  'kiosk_pairings',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    siteId: uuid()
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    codeHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdBy: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('kiosk_pairings_code_unique').on(t.codeHash)],
);

/** A paired kiosk device; its token (`thr_kiosk_…`) is stored hashed. */
export const kioskDevices = pgTable(
  'kiosk_devices',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    siteId: uuid()
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    name: text().notNull().default(''),
    tokenHash: text().notNull(),
    prefix: text().notNull(),
    lastSeenAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('kiosk_devices_token_unique').on(t.tokenHash), index('kiosk_devices_tenant_idx').on(t.tenantId)],
);

/** People who must not sign in; matched on whole normalised names and structured fields. */
export const blockList = pgTable(
  'block_list',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    fullName: text().notNull(),
    normalisedName: text().notNull(),
    email: text(),
    dateOfBirth: date({ mode: 'string' }),
    reason: text().notNull().default(''),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('block_list_tenant_name_idx').on(t.tenantId, t.normalisedName)],
);

/** Per-tenant sign-in settings. */
export const signinSettings = pgTable('signin_settings', {
  tenantId: uuid()
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** Visits older than this many days are deleted (except protected ones); null keeps them. */
  retentionDays: integer(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * Offline events a kiosk replayed, one row per idempotency key: a key seen again gets the first
 * answer back and changes nothing. Conflicts and refusals are kept with their reasons (the sync log).
 */
export const kioskReplays = pgTable(
  'kiosk_replays',
  {
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kioskId: uuid()
      .notNull()
      .references(() => kioskDevices.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    kind: text().notNull(),
    /** accepted, conflict (accepted with a rule applied) or refused. */
    status: text({ enum: ['accepted', 'conflict', 'refused'] }).notNull(),
    code: text(),
    reason: text(),
    visitId: uuid(),
    /** The kiosk's clock time of the event, and the time it was recorded under. */
    eventAt: timestamp({ withTimezone: true }),
    recordedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kioskId, t.key] }), index('kiosk_replays_tenant_created_idx').on(t.tenantId, t.createdAt)],
);
