import { z } from 'zod';

export const apiKeyRoleSchema = z.enum(['admin', 'manager', 'viewer']);

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: apiKeyRoleSchema,
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const apiKeyListSchema = z.object({ items: z.array(apiKeySchema) });

export const createApiKeyBody = z.object({ name: z.string().trim().min(1).max(100), role: apiKeyRoleSchema.default('admin') });

/** `apiKey` is the secret: shown in this answer only. */
export const apiKeyCreatedSchema = z.object({ apiKey: z.string(), key: apiKeySchema });

export const apiKeyIdParams = z.object({ id: z.uuid() });
