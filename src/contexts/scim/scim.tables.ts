import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from '../accounts/accounts.tables.js';
import { groups, members } from '../signin/signin.tables.js';

/** A SCIM multi-valued entry as stored (emails, phoneNumbers, addresses): canonical keys only. */
export type ScimMultiValue = { value?: string; type?: string; primary?: boolean; display?: string } & Record<string, string | boolean | undefined>;

/** The bearer token of one SCIM group (`thr_scim_…`), stored hashed; one live token per group. */
export const scimTokens = pgTable(
  'scim_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    groupId: uuid()
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    tokenHash: text().notNull(),
    /** The first characters of the token, to recognise it in the portal. */
    prefix: text().notNull(),
    createdBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('scim_tokens_hash_unique').on(t.tokenHash),
    uniqueIndex('scim_tokens_one_live_per_group').on(t.groupId).where(sql`${t.revokedAt} IS NULL`),
  ],
);

/**
 * The token bucket of a SCIM group (rate limit shared by every instance): `tokens` left at
 * `refilledAt`; refills at `perSecond` up to `burst`. Both are per-group settings.
 */
export const scimRateBuckets = pgTable('scim_rate_buckets', {
  groupId: uuid()
    .primaryKey()
    .references(() => groups.id, { onDelete: 'cascade' }),
  tenantId: uuid()
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  burst: integer().notNull().default(1000),
  perSecond: doublePrecision().notNull().default(200),
  tokens: doublePrecision().notNull().default(1000),
  refilledAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** The SCIM attributes of a member of a SCIM group; the SCIM id is the member id. */
export const scimUsers = pgTable(
  'scim_users',
  {
    memberId: uuid()
      .primaryKey()
      .references(() => members.id, { onDelete: 'cascade' }),
    /** The group's tenant: (tenant_id, group_id) references the group (`scim_users_group_fk`, decision 047). */
    tenantId: uuid().notNull(),
    groupId: uuid().notNull(),
    userName: text().notNull(),
    externalId: text(),
    formattedName: text(),
    familyName: text(),
    givenName: text(),
    middleName: text(),
    honorificPrefix: text(),
    honorificSuffix: text(),
    displayName: text(),
    nickName: text(),
    profileUrl: text(),
    title: text(),
    userType: text(),
    preferredLanguage: text(),
    locale: text(),
    timezone: text(),
    active: boolean().notNull().default(true),
    emails: jsonb().$type<ScimMultiValue[]>().notNull().default([]),
    phoneNumbers: jsonb().$type<ScimMultiValue[]>().notNull().default([]),
    addresses: jsonb().$type<ScimMultiValue[]>().notNull().default([]),
    employeeNumber: text(),
    costCenter: text(),
    organization: text(),
    division: text(),
    department: text(),
    /** The manager's SCIM id (enterprise `manager.value`). */
    manager: text(),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** SCIM DELETE: gone from SCIM (404), kept with the member's history for the retention period. */
    deletedAt: timestamp({ withTimezone: true }),
    /**
     * The user as SCIM presents it, as JSON text with a mark where the group's base URL goes
     * (`userDocSql`): set on every insert and update by the trigger `scim_users_doc` (migration
     * 0018), never written by the code; the reads send it as is (decision 036).
     */
    doc: text().notNull().default(''),
  },
  (t) => [
    foreignKey({ name: 'scim_users_group_fk', columns: [t.tenantId, t.groupId], foreignColumns: [groups.tenantId, groups.id] }).onDelete('cascade'),
    uniqueIndex('scim_users_group_user_name_unique').on(t.groupId, sql`lower(${t.userName})`).where(sql`${t.deletedAt} IS NULL`),
    // tenant_id in the order index: a page's count of the group's live users is read from the index alone.
    index('scim_users_group_order_idx').on(t.groupId, t.tenantId, t.createdAt, t.memberId).where(sql`${t.deletedAt} IS NULL`),
    index('scim_users_group_external_idx').on(t.groupId, t.externalId),
  ],
);

/** A group of the identity provider, inside a SCIM group (see docs/decisions/001-scim-idp-groups.md). */
export const scimGroups = pgTable(
  'scim_groups',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    groupId: uuid()
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    displayName: text().notNull(),
    externalId: text(),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('scim_groups_display_name_unique').on(t.groupId, sql`lower(${t.displayName})`),
    index('scim_groups_group_order_idx').on(t.groupId, t.createdAt, t.id),
  ],
);

export const scimGroupMembers = pgTable(
  'scim_group_members',
  {
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    scimGroupId: uuid()
      .notNull()
      .references(() => scimGroups.id, { onDelete: 'cascade' }),
    memberId: uuid()
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.scimGroupId, t.memberId] }), index('scim_group_members_member_idx').on(t.memberId)],
);

/**
 * The SCIM tab's request log (kept 30 days): one row per group per write of the log buffer, the
 * requests it gathered (a quarter of a second's, up to 200) as a JSON array in `entries`, oldest
 * first (`StoredEntry` in access/request-log.ts). A row a request cost PostgreSQL ~15 µs of key
 * checks and index entries each; under a SCIM client's load those writes were what kept the reads'
 * slowest answers twice as slow as a bare server's (decision 050). `entries` is stored
 * uncompressed (migration 0026, `STORAGE EXTERNAL`): compressing it cost more than writing it.
 */
export const scimRequestLogBatches = pgTable(
  'scim_request_log_batches',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The group's tenant: (tenant_id, group_id) references the group (`scim_request_log_batches_group_fk`). */
    tenantId: uuid().notNull(),
    groupId: uuid().notNull(),
    /** The earliest and latest `at` among the entries. */
    firstAt: timestamp({ withTimezone: true }).notNull(),
    lastAt: timestamp({ withTimezone: true }).notNull(),
    entries: text().notNull(),
  },
  (t) => [
    foreignKey({ name: 'scim_request_log_batches_group_fk', columns: [t.tenantId, t.groupId], foreignColumns: [groups.tenantId, groups.id] }).onDelete('cascade'),
    index('scim_request_log_batches_group_idx').on(t.groupId, t.lastAt.desc(), t.id.desc()),
    index('scim_request_log_batches_last_at_idx').on(t.lastAt),
  ],
);
