import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../../platform/http/auth.js';
import { idParams, runSchema } from '../integration.schemas.js';
import type { Runs } from './runs.js';

export function runsRoutes(runs: Runs): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['integration: runs'];
    app.get('/api/integration/runs', { schema: { tags, summary: 'Recent import, merge, push and Wonde runs', response: { 200: z.object({ items: z.array(runSchema) }) } } }, async (req) => {
      const p = authorize(req, 'integration.review');
      return { items: await runs.list(p.tenantId) };
    });
    app.get('/api/integration/runs/:id', { schema: { tags, summary: 'Progress of a run', params: idParams, response: { 200: runSchema } } }, async (req) => {
      const p = authorize(req, 'integration.review');
      return runs.get(p.tenantId, req.params.id);
    });
  };
}
