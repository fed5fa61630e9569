import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants, users } from '../accounts/accounts.tables.js';

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
  (t) => [index('groups_tenant_idx').on(t.tenantId)],
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
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    groupId: uuid()
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
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
  },
  (t) => [
    index('members_tenant_group_idx').on(t.tenantId, t.groupId),
    uniqueIndex('members_qr_token_unique').on(t.qrToken),
    index('members_name_trgm_idx').using('gin', sql`${t.fullName} gin_trgm_ops`),
  ],
);
