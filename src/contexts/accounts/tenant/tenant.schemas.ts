import { z } from 'zod';

export const tenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['school', 'trust', 'company']),
  require2fa: z.boolean(),
});

export const tenantPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    /** Owner only: every user must sign in with TOTP. */
    require2fa: z.boolean().optional(),
  })
  .strict();
