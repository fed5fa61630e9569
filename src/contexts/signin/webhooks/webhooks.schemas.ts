import { z } from 'zod';
import { blockedHost } from './webhooks.target.js';

export const WEBHOOK_EVENTS = ['visit.signed_in', 'visit.signed_out', 'visit.rejected'] as const;

/** http(s) only, no credentials in the URL, never a link-local or cloud metadata host (see webhooks.target.ts). */
export const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'An http:// or https:// URL without credentials')
  .refine((v) => !URL.canParse(v) || blockedHost(v) === null, 'Link-local and cloud metadata addresses cannot receive webhooks');

export const webhookCreate = z.object({
  url: webhookUrl,
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(3),
  description: z.string().trim().max(500).default(''),
  active: z.boolean().default(true),
});
export const webhookPatch = z.object({
  url: webhookUrl.optional(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(3).optional(),
  description: z.string().trim().max(500).optional(),
  active: z.boolean().optional(),
});

export const idParams = z.object({ id: z.uuid() });

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const webhookWithSecret = z.object({
  webhook: webhookSchema,
  /** Shown once: keep it to verify the Threshold-Signature header. */
  secret: z.string(),
});

export const deliverySchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  event: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number(),
  lastStatusCode: z.number().nullable(),
  lastDurationMs: z.number().nullable(),
  lastError: z.string().nullable(),
  responseSnippet: z.string().nullable(),
  createdAt: z.string(),
  lastAttemptAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});
