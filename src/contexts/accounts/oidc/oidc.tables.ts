import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Scope } from '../../../platform/http/principal.js';
import { tenants } from '../accounts.tables.js';

export const OIDC_PRESETS = ['entra', 'google', 'okta', 'generic'] as const;
export type OidcPreset = (typeof OIDC_PRESETS)[number];
export type JitRole = 'admin' | 'manager' | 'viewer';
export type GroupRole = { group: string; role: JitRole };

/** A tenant's OpenID Connect connection to its identity provider (Entra ID, Google Workspace, Okta…). */
export const oidcConnections = pgTable(
  'oidc_connections',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    preset: text({ enum: OIDC_PRESETS }).notNull(),
    /** The button text, e.g. "Sign in with Microsoft". */
    label: text().notNull(),
    issuer: text().notNull(),
    clientId: text().notNull(),
    /** Encrypted with SECRET_KEY (platform crypto): we must send it to the token endpoint. */
    clientSecret: text().notNull(),
    scopes: text().notNull().default('openid email profile'),
    /** Entra ID: the directory (tenant) id that the `tid` claim must carry. */
    idpTenantId: text(),
    /** The IdP enforces multi-factor sign-in, so an OIDC sign-in satisfies "require two-factor". */
    idpEnforcesMfa: boolean().notNull().default(false),
    enabled: boolean().notNull().default(true),
    /** Just-in-time creation of unknown users (of the connection's domains). */
    jitEnabled: boolean().notNull().default(false),
    jitRole: text({ enum: ['admin', 'manager', 'viewer'] }).notNull().default('viewer'),
    jitScopes: jsonb().$type<Scope[]>().notNull().default([]),
    /** When not empty, only members of one of these IdP groups (ids in the `groups` claim) are created. */
    allowedGroups: text().array().notNull().default(sql`'{}'::text[]`),
    /** IdP group id → role for users created just in time; the highest matching role wins. */
    groupRoles: jsonb().$type<GroupRole[]>().notNull().default([]),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('oidc_connections_tenant_idx').on(t.tenantId)],
);

/** Which connection serves an email domain: a domain belongs to one connection of one tenant. */
export const oidcDomains = pgTable(
  'oidc_domains',
  {
    domain: text().primaryKey(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    connectionId: uuid()
      .notNull()
      .references(() => oidcConnections.id, { onDelete: 'cascade' }),
  },
  (t) => [index('oidc_domains_connection_idx').on(t.connectionId)],
);

/**
 * One sign-in attempt between the redirect to the IdP and its answer: the state (hashed), the
 * nonce, the PKCE verifier (encrypted) and the hash of the browser-binding cookie. Used once.
 */
export const oidcFlows = pgTable(
  'oidc_flows',
  {
    id: uuid().primaryKey().defaultRandom(),
    stateHash: text().notNull(),
    browserHash: text().notNull(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    connectionId: uuid()
      .notNull()
      .references(() => oidcConnections.id, { onDelete: 'cascade' }),
    nonce: text().notNull(),
    codeVerifier: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('oidc_flows_state_unique').on(t.stateHash), index('oidc_flows_expires_idx').on(t.expiresAt)],
);
