import { z } from 'zod';

export const roleSchema = z.enum(['owner', 'admin', 'manager', 'viewer']);

export const scopeSchema = z.object({
  kind: z.enum(['site', 'organisation']),
  refId: z.uuid(),
  level: z.enum(['view', 'edit', 'administer']).default('view'),
});

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  totpEnabled: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.string(),
  scopes: z.array(scopeSchema),
});

export const userIdParams = z.object({ id: z.uuid() });

export const userListSchema = z.object({ items: z.array(userSchema) });

export const userPatchSchema = z
  .object({
    name: z.string().trim().max(200).optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

export const scopesBodySchema = z.object({ scopes: z.array(scopeSchema).max(500) });
