import { z } from 'zod';

export const inviteRoleSchema = z.enum(['admin', 'manager', 'viewer']);

export const inviteBodySchema = z.object({
  email: z.email().max(320),
  role: inviteRoleSchema,
  name: z.string().trim().max(200).optional(),
});

export const inviteCreatedSchema = z.object({ inviteId: z.string(), inviteUrl: z.string(), expiresAt: z.string() });

export const pendingInviteSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: inviteRoleSchema,
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});

export const pendingInviteListSchema = z.object({ items: z.array(pendingInviteSchema) });

export const invitePreviewSchema = z.object({ email: z.string(), role: inviteRoleSchema, name: z.string(), tenantName: z.string() });

export const tokenParams = z.object({ token: z.string().min(1).max(200) });

export const inviteIdParams = z.object({ id: z.uuid() });

export const acceptBodySchema = z.object({
  token: z.string().min(1).max(200),
  password: z.string().max(1024),
  name: z.string().trim().min(1).max(200),
});
