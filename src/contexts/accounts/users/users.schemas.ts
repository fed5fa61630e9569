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
  scopesVersion: z.string().describe('The version of these scopes: send it back as `scopesVersion` with PUT /api/users/{id}/scopes, which answers 409 version_conflict when they changed since'),
});

export const userIdParams = z.object({ id: z.uuid() });

export const userListSchema = z.object({ items: z.array(userSchema) });

export const userPatchSchema = z
  .object({
    name: z.string().trim().max(200).optional(),
    role: roleSchema.optional(),
    /** Optional (callers that predate it are not refused): the user's role as the editor read it. */
    fromRole: roleSchema
      .optional()
      .describe('The user’s `role` as the editor read it: when given and their role changed since, nothing is saved and the answer is 409 version_conflict (with the role now)'),
    disabled: z.boolean().optional(),
  })
  .strict();

export const scopesBodySchema = z.object({
  scopes: z.array(scopeSchema).max(500),
  /** Optional (callers that predate it are not refused): the user's `scopesVersion` as the editor read it. */
  scopesVersion: z.string().max(100).optional().describe('The `scopesVersion` read with the user: when given and the scopes changed since, nothing is saved and the answer is 409 version_conflict'),
});
