import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { runSchema } from '../integration.schemas.js';
import { presentRun } from '../runs/runs.presenters.js';
import type { SyncService } from './sync.service.js';

const logEntry = z.object({
  id: z.uuid(),
  runId: z.string().nullable(),
  memberId: z.string().nullable(),
  profileId: z.string().nullable(),
  personName: z.string().nullable().describe("Who the entry is about: the profile's name, else the member's (null for a run's own entry)"),
  direction: z.string(),
  status: z.string(),
  fields: z.array(z.string()),
  message: z.string(),
  at: z.string(),
});

export function syncRoutes(sync: SyncService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['integration: sync'];
    app.post('/api/integration/sync', { schema: { tags, summary: 'Run the two-way sync of linked people now (a job)', response: { 202: runSchema } } }, async (req, reply) => {
      const p = authorize(req, 'integration.manage');
      return reply.status(202).send(presentRun(await sync.startSync(p.tenantId, actorOf(req))));
    });
    app.get(
      '/api/integration/sync-log',
      {
        schema: {
          tags,
          summary: 'The sync log, per person or per run',
          querystring: z.object({ memberId: z.uuid().optional(), profileId: z.uuid().optional(), runId: z.uuid().optional() }),
          response: { 200: z.object({ items: z.array(logEntry) }) },
        },
      },
      async (req) => {
        const p = authorize(req, 'integration.review');
        return { items: await sync.logOf(p.tenantId, req.query) };
      },
    );
  };
}
