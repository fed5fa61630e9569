import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { levelAt, reachOf } from '../../../platform/http/access.js';
import { notFound } from '../../../platform/errors.js';
import { runSchema } from '../integration.schemas.js';
import { presentRun } from '../runs/runs.presenters.js';
import { wondeFieldMappingSchema } from './wonde.mapper.js';
import type { WondeService } from './wonde.service.js';

const params = z.object({ organisationId: z.uuid() });
const connectionSchema = z.object({
  organisationId: z.uuid(),
  enabled: z.boolean(),
  schoolId: z.string(),
  authMode: z.enum(['bearer', 'basic']),
  hasToken: z.boolean(),
  mapping: z.record(z.string(), z.unknown()),
  lastSyncedAt: z.string().nullable(),
  lastRunId: z.string().nullable(),
  lastError: z.string().nullable(),
});
const connectionInput = z.object({
  schoolId: z.string().trim().min(1).max(100),
  token: z.string().min(8).max(500).optional(),
  authMode: z.enum(['bearer', 'basic']).optional(),
  enabled: z.boolean().optional(),
  mapping: wondeFieldMappingSchema.partial().optional(),
});

export function wondeRoutes(wonde: WondeService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['integration: wonde'];
    app.get(
      '/api/integration/organisations/:organisationId/wonde',
      { schema: { tags, summary: "An organisation's Wonde connection (the token is never shown)", params, response: { 200: z.object({ connection: connectionSchema.nullable() }) } } },
      async (req) => {
        const p = authorize(req, 'integration.read');
        // An organisation out of the caller's reach is not found, as in the record.
        if (levelAt(reachOf(p, 'organisation'), req.params.organisationId) === null) throw notFound('Organisation');
        return { connection: await wonde.get(p.tenantId, req.params.organisationId) };
      },
    );
    app.put(
      '/api/integration/organisations/:organisationId/wonde',
      { schema: { tags, summary: 'Use the Wonde connection: school id, token (stored encrypted), field mapping', params, body: connectionInput, response: { 200: connectionSchema } } },
      async (req) => {
        const p = authorize(req, 'integration.manage');
        return wonde.save(p.tenantId, req.params.organisationId, req.body, actorOf(req));
      },
    );
    app.post(
      '/api/integration/organisations/:organisationId/wonde/sync',
      { schema: { tags, summary: 'Sync from Wonde now (a job)', params, response: { 202: runSchema } } },
      async (req, reply) => {
        const p = authorize(req, 'integration.manage');
        return reply.status(202).send(presentRun(await wonde.startSync(p.tenantId, req.params.organisationId, actorOf(req))));
      },
    );
  };
}
