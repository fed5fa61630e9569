import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from '../accounts/accounts.tables.js';
import { sites } from './signin.tables.js';

/** The live side of sign-in: webhooks out, and fire roll calls (evacuation records). */

export type WebhookEventType = 'visit.signed_in' | 'visit.signed_out' | 'visit.rejected';

/** A URL a tenant subscribed to visit events. The signing key is stored encrypted (we send it). */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    url: text().notNull(),
    description: text().notNull().default(''),
    events: jsonb().$type<WebhookEventType[]>().notNull(),
    secretEncrypted: text().notNull(),
    active: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('webhook_subscriptions_tenant_idx').on(t.tenantId)],
);

/**
 * One event to one subscription. Its id is the Idempotency-Key (the same on every retry); the
 * body is fixed when the event happens so every attempt sends the same bytes.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    subscriptionId: uuid()
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    event: text().notNull(),
    body: text().notNull(),
    status: text({ enum: ['pending', 'succeeded', 'failed'] }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    lastStatusCode: integer(),
    lastDurationMs: integer(),
    lastError: text(),
    responseSnippet: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp({ withTimezone: true }),
    completedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('webhook_deliveries_subscription_idx').on(t.tenantId, t.subscriptionId, t.createdAt)],
);

/**
 * A fire roll call: who was on site (in groups shown on the fire list) when it started, plus who
 * signed in during it. Kept as an evacuation record once closed. `seq` is the last event's number.
 */
export const rollCalls = pgTable(
  'roll_calls',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    siteId: uuid()
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    siteName: text().notNull(),
    status: text({ enum: ['open', 'closed'] }).notNull().default('open'),
    seq: integer().notNull().default(0),
    note: text().notNull().default(''),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    startedById: uuid(),
    startedByLabel: text().notNull(),
    closedAt: timestamp({ withTimezone: true }),
    closedByLabel: text(),
  },
  (t) => [
    index('roll_calls_tenant_idx').on(t.tenantId, t.startedAt),
    /** One open roll call per site. */
    uniqueIndex('roll_calls_one_open_per_site').on(t.siteId).where(sql`${t.status} = 'open'`),
  ],
);

/** A person on a roll call, copied from the visit so the record outlives the visit. */
export const rollCallEntries = pgTable(
  'roll_call_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    rollCallId: uuid()
      .notNull()
      .references(() => rollCalls.id, { onDelete: 'cascade' }),
    visitId: uuid().notNull(),
    memberId: uuid(),
    personName: text().notNull(),
    groupId: uuid().notNull(),
    groupName: text().notNull(),
    groupColour: text().notNull().default('#1c7ed6'),
    signedInAt: timestamp({ withTimezone: true }).notNull(),
    /** Signed in after the roll call started. */
    joinedDuring: boolean().notNull().default(false),
    signedOutAt: timestamp({ withTimezone: true }),
    status: text({ enum: ['unaccounted', 'safe'] }).notNull().default('unaccounted'),
    markedAt: timestamp({ withTimezone: true }),
    markedByLabel: text(),
  },
  (t) => [uniqueIndex('roll_call_entries_visit_unique').on(t.rollCallId, t.visitId)],
);

/** The numbered changes of a roll call: a device that reconnects replays those after its last. */
export const rollCallEvents = pgTable(
  'roll_call_events',
  {
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    rollCallId: uuid()
      .notNull()
      .references(() => rollCalls.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    type: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    at: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.rollCallId, t.seq] })],
);
