import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from '../../contexts/accounts/accounts.tables.js';

export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actorKind: text().notNull(),
    actorId: text(),
    actorLabel: text().notNull().default(''),
    action: text().notNull(),
    targetType: text(),
    targetId: text(),
    summary: text().notNull().default(''),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    requestId: text(),
  },
  (t) => [index('audit_log_tenant_at_idx').on(t.tenantId, t.at.desc())],
);
