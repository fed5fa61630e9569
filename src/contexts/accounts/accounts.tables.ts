import { sql } from 'drizzle-orm';
import type { Scope } from '../../platform/http/principal.js';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const tenants = pgTable('tenants', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  kind: text({ enum: ['school', 'trust', 'company'] }).notNull().default('school'),
  require2fa: boolean().notNull().default(false),
  /** "Sign in only through the identity provider": password sign-in is refused (owner only; CLI `oidc recover` undoes it). */
  passwordSignInOff: boolean().notNull().default(false),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    email: text().notNull(),
    name: text().notNull().default(''),
    passwordHash: text(),
    role: text({ enum: ['owner', 'admin', 'manager', 'viewer'] }).notNull(),
    totpSecret: text(),
    totpEnabledAt: timestamp({ withTimezone: true }),
    /** The last TOTP time step accepted, so a code cannot be used twice. */
    totpLastStep: integer(),
    disabledAt: timestamp({ withTimezone: true }),
    /** Bumped on password change: sessions older than this are dead. */
    sessionsValidAfter: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(sql`lower(${t.email})`),
    index('users_tenant_idx').on(t.tenantId),
    uniqueIndex('users_one_owner_per_tenant').on(t.tenantId).where(sql`${t.role} = 'owner'`),
  ],
);

/** Scopes narrow a manager's or viewer's reach: to sites (sign-in) or organisations (record). */
export const userScopes = pgTable(
  'user_scopes',
  {
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text({ enum: ['site', 'organisation'] }).notNull(),
    refId: uuid().notNull(),
    /** For organisations: view / edit / administer (the record's permissions). */
    level: text({ enum: ['view', 'edit', 'administer'] }).notNull().default('view'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind, t.refId] })],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    tokenHash: text().notNull(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text().notNull(),
    /** Set when the password was right but a TOTP code is still owed. */
    pendingTotp: boolean().notNull().default(false),
    /** How the session began; an OIDC session names its connection (for the IdP's end-session). */
    authMethod: text({ enum: ['password', 'oidc'] }).notNull().default('password'),
    oidcConnectionId: uuid(),
    /** The IdP did multi-factor sign-in (its connection says so, or the token's `amr`): counts as two-factor. */
    mfaByIdp: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('sessions_token_hash_unique').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    prefix: text().notNull(),
    tokenHash: text().notNull(),
    role: text({ enum: ['admin', 'manager', 'viewer'] }).notNull().default('admin'),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_token_hash_unique').on(t.tokenHash), index('api_keys_tenant_idx').on(t.tenantId)],
);

/** One-time links: invitations and password resets. Only the token's hash is kept. */
export const oneTimeTokens = pgTable(
  'one_time_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    purpose: text({ enum: ['invite', 'password_reset'] }).notNull(),
    tokenHash: text().notNull(),
    email: text().notNull(),
    role: text({ enum: ['owner', 'admin', 'manager', 'viewer'] }),
    /** For invitations: the name the inviter suggested. */
    name: text(),
    /** For invitations: the scopes the user is created with (null or empty: the whole tenant). */
    scopes: jsonb().$type<Scope[]>(),
    userId: uuid().references(() => users.id, { onDelete: 'cascade' }),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('one_time_tokens_hash_unique').on(t.tokenHash)],
);
