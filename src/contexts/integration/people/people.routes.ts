import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { callerReach } from '../access.js';
import { exclusionSchema, idParams, importInput, memberParams, profileParams, pushInput, readinessSchema, runSchema } from '../integration.schemas.js';
import { presentRun } from '../runs/runs.presenters.js';
import type { PeopleService } from './people.service.js';

export function peopleRoutes(people: PeopleService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['integration: people'];
    app.post('/api/integration/import', { schema: { tags, summary: 'Import members of linked groups as profiles (a job)', body: importInput, response: { 202: runSchema } } }, async (req, reply) => {
      const p = authorize(req, 'integration.manage');
      return reply.status(202).send(presentRun(await people.startImport(p.tenantId, req.body, actorOf(req))));
    });
    app.post('/api/integration/push', { schema: { tags, summary: 'Push profiles into a linked repeat group (a job)', body: pushInput, response: { 202: runSchema } } }, async (req, reply) => {
      const p = authorize(req, 'integration.manage');
      return reply.status(202).send(presentRun(await people.startPush(p.tenantId, req.body, actorOf(req))));
    });
    app.post('/api/integration/members/:memberId/decouple', { schema: { tags, summary: 'Decouple one person (member and profile stay; the link goes)', params: memberParams } }, async (req, reply) => {
      const p = authorize(req, 'integration.manage');
      await people.decouple(p.tenantId, req.params.memberId, actorOf(req));
      return reply.status(204).send();
    });
    app.get(
      '/api/integration/members/:memberId/readiness',
      { schema: { tags, summary: 'Whether the Central Record lets this member sign in, and why not', params: memberParams, response: { 200: readinessSchema } } },
      async (req) => {
        const p = authorize(req, 'integration.read');
        return people.readiness(p.tenantId, req.params.memberId, callerReach(p));
      },
    );
    app.delete(
      '/api/integration/profiles/:profileId',
      { schema: { tags, summary: 'Delete a linked profile; its members go on the exclusion list', params: profileParams, response: { 200: z.object({ excludedMemberIds: z.array(z.string()) }) } } },
      async (req) => {
        // Trust-wide: the service does not refine by organisation, so no organisation scope may grant it.
        const p = authorize(req, 'integration.manage');
        return people.deleteLinkedProfile(p.tenantId, req.params.profileId, actorOf(req));
      },
    );
    app.get('/api/integration/exclusions', { schema: { tags, summary: 'Members the import will not recreate', response: { 200: z.object({ items: z.array(exclusionSchema) }) } } }, async (req) => {
      const p = authorize(req, 'integration.review');
      return { items: await people.exclusions(p.tenantId) };
    });
    app.delete('/api/integration/exclusions/:id', { schema: { tags, summary: 'Undo an exclusion', params: idParams } }, async (req, reply) => {
      const p = authorize(req, 'integration.manage');
      await people.undoExclusion(p.tenantId, req.params.id, actorOf(req));
      return reply.status(204).send();
    });
  };
}
