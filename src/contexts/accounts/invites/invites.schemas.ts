import { z } from 'zod';
import { scopeSchema, scopesBodySchema } from '../users/users.schemas.js';

export const inviteRoleSchema = z.enum(['admin', 'manager', 'viewer']);

export const inviteBodySchema = z.object({
  email: z.email().max(320),
  role: inviteRoleSchema,
  name: z.string().trim().max(200).optional(),
  /** As PUT /api/users/:id/scopes: none (or absent) is the whole tenant. */
  scopes: scopesBodySchema.shape.scopes.optional(),
});

export const inviteCreatedSchema = z.object({ inviteId: z.string(), inviteUrl: z.string(), expiresAt: z.string() });

export const pendingInviteSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: inviteRoleSchema,
  name: z.string(),
  scopes: z.array(scopeSchema),
  createdAt: z.string(),
  expiresAt: z.string(),
});

export const pendingInviteListSchema = z.object({ items: z.array(pendingInviteSchema) });

export const invitePreviewSchema = z.object({
  email: z.string(),
  role: inviteRoleSchema,
  name: z.string(),
  tenantName: z.string(),
  /** What the invited person will reach: the whole tenant, or the names of the sites and organisations. */
  reach: z.union([z.literal('whole_tenant'), z.object({ sites: z.array(z.string()), organisations: z.array(z.string()) })]),
});

export const tokenParams = z.object({ token: z.string().min(1).max(200) });

export const inviteIdParams = z.object({ id: z.uuid() });

export const acceptBodySchema = z.object({
  token: z.string().min(1).max(200),
  password: z.string().max(1024),
  name: z.string().trim().min(1).max(200),
});
