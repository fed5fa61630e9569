import { z } from 'zod';
import { scopeSchema } from '../users/users.schemas.js';
import { OIDC_PRESETS } from './oidc.tables.js';

const jitRole = z.enum(['admin', 'manager', 'viewer']);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain such as school.org.uk');
const group = z.string().trim().min(1).max(256);

const connectionFields = {
  preset: z.enum(OIDC_PRESETS),
  label: z.string().trim().min(1).max(80),
  issuer: z.string().trim().min(1).max(500),
  clientId: z.string().trim().min(1).max(500),
  clientSecret: z.string().min(1).max(2000),
  scopes: z
    .string()
    .trim()
    .max(500)
    .refine((s) => s.split(/\s+/).includes('openid'), 'must include openid'),
  domains: z.array(domain).min(1).max(50),
  /** Entra ID: the directory (tenant) id, a GUID. */
  idpTenantId: z.string().trim().max(100).nullable(),
  idpEnforcesMfa: z.boolean(),
  enabled: z.boolean(),
  jitEnabled: z.boolean(),
  jitRole,
  jitScopes: z.array(scopeSchema).max(200),
  allowedGroups: z.array(group).max(200),
  groupRoles: z.array(z.object({ group, role: jitRole })).max(200),
};

export const connectionCreateSchema = z
  .object(connectionFields)
  .partial({ scopes: true, idpTenantId: true, idpEnforcesMfa: true, enabled: true, jitEnabled: true, jitRole: true, jitScopes: true, allowedGroups: true, groupRoles: true })
  .strict();
export type ConnectionCreate = z.infer<typeof connectionCreateSchema>;

export const connectionPatchSchema = z.object(connectionFields).omit({ preset: true }).partial().strict();
export type ConnectionPatch = z.infer<typeof connectionPatchSchema>;

export const connectionSchema = z.object({
  id: z.string(),
  preset: z.enum(OIDC_PRESETS),
  label: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  /** The secret is never shown again; only whether one is set. */
  clientSecretSet: z.boolean(),
  scopes: z.string(),
  domains: z.array(z.string()),
  idpTenantId: z.string().nullable(),
  idpEnforcesMfa: z.boolean(),
  enabled: z.boolean(),
  jitEnabled: z.boolean(),
  jitRole,
  jitScopes: z.array(scopeSchema),
  allowedGroups: z.array(z.string()),
  groupRoles: z.array(z.object({ group: z.string(), role: jitRole })),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const oidcSettingsSchema = z.object({
  /** Sign in only through the identity provider: password sign-in is refused. */
  passwordSignInOff: z.boolean(),
  /** The redirect URI to register at the identity provider (built from PUBLIC_URL). */
  redirectUri: z.string(),
});

export const connectionTestSchema = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string() })),
});

export const discoverSchema = z.object({
  connections: z.array(z.object({ id: z.string(), label: z.string(), preset: z.enum(OIDC_PRESETS) })),
  passwordSignIn: z.boolean(),
});
