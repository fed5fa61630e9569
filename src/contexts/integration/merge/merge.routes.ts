import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { idParams, mergeAllInput, mergeInput, mergePreviewSchema, mergeSchema, pairSchema, queueItemSchema, runSchema, undoSchema } from '../integration.schemas.js';
import { presentRun } from '../runs/runs.presenters.js';
import type { MergeService } from './merge.service.js';
import { presentMerge } from './merge.presenters.js';

export function mergeRoutes(merge: MergeService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['integration: merge'];
    app.get(
      '/api/integration/merge-queue',
      { schema: { tags, summary: 'Suggested duplicate pairs', querystring: z.object({ status: z.enum(['suggested', 'merged', 'dismissed']).default('suggested') }), response: { 200: z.object({ items: z.array(queueItemSchema) }) } } },
      async (req) => {
        const p = authorize(req, 'integration.review');
        return { items: await merge.queue(p.tenantId, req.query.status) };
      },
    );
    app.get('/api/integration/merge-queue/:id', { schema: { tags, summary: 'A pair side by side with the default choice per field', params: idParams, response: { 200: pairSchema } } }, async (req) => {
      const p = authorize(req, 'integration.review');
      return merge.pair(p.tenantId, req.params.id);
    });
    app.post('/api/integration/merge-queue/:id/dismiss', { schema: { tags, summary: 'Not the same person', params: idParams } }, async (req, reply) => {
      const p = authorize(req, 'integration.manage');
      await merge.dismiss(p.tenantId, req.params.id, actorOf(req));
      return reply.status(204).send();
    });
    app.get('/api/integration/merges', { schema: { tags, summary: 'Merges (undoable)', response: { 200: z.object({ items: z.array(mergeSchema) }) } } }, async (req) => {
      const p = authorize(req, 'integration.review');
      return { items: await merge.merges(p.tenantId) };
    });
    app.post('/api/integration/merges', { schema: { tags, summary: 'Merge two profiles, choosing per field which value to keep', body: mergeInput, response: { 201: mergeSchema } } }, async (req, reply) => {
      const p = authorize(req, 'integration.manage');
      const m = await merge.merge(p.tenantId, req.body, actorOf(req));
      return reply.status(201).send(presentMerge(m));
    });
    app.post(
      '/api/integration/merges/preview',
      { schema: { tags, summary: 'What merge-all would do with these options (the first 200 pairs), without merging', body: mergeAllInput, response: { 200: mergePreviewSchema } } },
      async (req) => {
        const p = authorize(req, 'integration.manage');
        return merge.previewMergeAll(p.tenantId, req.body);
      },
    );
    app.post('/api/integration/merges/all', { schema: { tags, summary: 'Merge every suggested pair with a default rule (a job)', body: mergeAllInput, response: { 202: runSchema } } }, async (req, reply) => {
      const p = authorize(req, 'integration.manage');
      return reply.status(202).send(presentRun(await merge.startMergeAll(p.tenantId, req.body, actorOf(req))));
    });
    app.post('/api/integration/merges/:id/undo', { schema: { tags, summary: 'Undo a merge', params: idParams, response: { 200: undoSchema } } }, async (req) => {
      const p = authorize(req, 'integration.manage');
      return merge.undo(p.tenantId, req.params.id, actorOf(req));
    });
  };
}
