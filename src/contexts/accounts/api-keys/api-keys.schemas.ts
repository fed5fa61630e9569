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

export const createApiKeyBody = z.object({
  name: z.string().trim().min(1).max(100),
  // Scripts written against the API rely on the default; the web form starts at viewer and asks admin to be confirmed.
  role: apiKeyRoleSchema
    .default('admin')
    .describe('What the key may do. Omitted, it is admin (as it has always been): give the least role that does the job, viewer for a read-only export.'),
});

/** `apiKey` is the secret: shown in this answer only. */
export const apiKeyCreatedSchema = z.object({ apiKey: z.string(), key: apiKeySchema });

export const apiKeyIdParams = z.object({ id: z.uuid() });
