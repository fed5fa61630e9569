import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { desc, eq } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import { authorize } from '../../../platform/http/auth.js';
import { notFound } from '../../../platform/errors.js';
import { idParams, runSchema } from '../integration.schemas.js';
import { integrationJobRuns } from '../integration.tables.js';
import { integrationRepo } from '../integration.repo.js';
import { presentRun } from './runs.js';

export function runsRoutes(platform: Platform): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['integration: runs'];
    app.get('/api/integration/runs', { schema: { tags, summary: 'Recent import, merge, push and Wonde runs', response: { 200: z.object({ items: z.array(runSchema) }) } } }, async (req) => {
      const p = authorize(req, 'integration.read');
      const rows = await platform.db.select().from(integrationJobRuns).where(eq(integrationJobRuns.tenantId, p.tenantId)).orderBy(desc(integrationJobRuns.createdAt)).limit(50);
      return { items: rows.map(presentRun) };
    });
    app.get('/api/integration/runs/:id', { schema: { tags, summary: 'Progress of a run', params: idParams, response: { 200: runSchema } } }, async (req) => {
      const p = authorize(req, 'integration.read');
      const run = await integrationRepo.run(platform.db, p.tenantId, req.params.id);
      if (!run) throw notFound('Run');
      return presentRun(run);
    });
  };
}
