import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { storableDateTime } from '../http/dates.js';
import type { Platform } from '../platform.js';
import { authorize } from '../http/auth.js';
import { listAudit, type AuditRow } from './audit.repo.js';

const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  summary: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export function presentAuditEntry(r: AuditRow): z.infer<typeof auditEntrySchema> {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actorKind: r.actorKind,
    actorId: r.actorId,
    actorLabel: r.actorLabel,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    summary: r.summary,
    data: r.data,
  };
}

const text = z.string().trim().min(1).max(200).optional();

export function auditRoutes(platform: Platform): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/audit',
      {
        schema: {
          tags: ['audit'],
          summary: "The tenant's audit log, newest first (keyset pagination with nextCursor)",
          querystring: z.object({
            action: text.describe('exact action, or a prefix ending in * (e.g. user.*)'),
            actorId: text,
            targetType: text,
            targetId: text,
            from: storableDateTime.optional().describe('inclusive'),
            to: storableDateTime.optional().describe('exclusive'),
            cursor: z.string().max(500).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: { 200: z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() }) },
        },
      },
      async (req) => {
        const p = authorize(req, 'audit.read');
        const q = req.query;
        const page = await listAudit(
          platform.db,
          p.tenantId,
          {
            action: q.action,
            actorId: q.actorId,
            targetType: q.targetType,
            targetId: q.targetId,
            from: q.from ? new Date(q.from) : undefined,
            to: q.to ? new Date(q.to) : undefined,
          },
          { cursor: q.cursor, limit: q.limit },
        );
        return { items: page.items.map(presentAuditEntry), nextCursor: page.nextCursor };
      },
    );
  };
}
