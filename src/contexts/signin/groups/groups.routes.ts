import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { siteScopeOf } from '../access.js';
import { idParams } from '../sites/sites.schemas.js';
import type { GroupsService } from './groups.service.js';
import { contactCandidateSchema, groupCreate, groupPatch, groupSchema } from './groups.schemas.js';

export function groupsRoutes(platform: Platform, groups: GroupsService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['signin: groups'];
    app.get(
      '/api/signin/groups',
      { schema: { tags, summary: 'Groups the caller may see', querystring: z.object({ archived: z.stringbool().default(false) }), response: { 200: z.object({ items: z.array(groupSchema) }) } } },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return { items: await groups.list(p.tenantId, siteScopeOf(p), req.query.archived) };
      },
    );
    app.post(
      '/api/signin/groups',
      { schema: { tags, summary: 'Create a group (its type is fixed)', body: groupCreate, response: { 201: groupSchema } } },
      async (req, reply) => {
        const p = authorize(req, 'signin.manage');
        // A site-scoped admin's new group is shown at one or more of their sites (the service checks).
        return reply.status(201).send(await groups.create(p.tenantId, req.body, actorOf(req), undefined, siteScopeOf(p)));
      },
    );
    app.get(
      '/api/signin/groups/:id',
      { schema: { tags, summary: 'A group and its sign-in options', params: idParams, response: { 200: groupSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return groups.view(p.tenantId, siteScopeOf(p), req.params.id);
      },
    );
    app.patch(
      '/api/signin/groups/:id',
      { schema: { tags, summary: 'Change a group, its options, PIN or contacts', params: idParams, body: groupPatch, response: { 200: groupSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.manage');
        return groups.update(p.tenantId, siteScopeOf(p), req.params.id, req.body, actorOf(req));
      },
    );
    app.get(
      '/api/signin/groups/:id/contact-candidates',
      {
        schema: {
          tags,
          summary: 'Whom the group’s contacts may be: the active users who reach one of its sites, and its contacts as they are (`reaches: false`: no longer, to be taken off)',
          params: idParams,
          response: { 200: z.object({ items: z.array(contactCandidateSchema) }) },
        },
      },
      async (req) => {
        const p = authorize(req, 'signin.manage');
        return { items: await groups.contactCandidates(p.tenantId, siteScopeOf(p), req.params.id) };
      },
    );
    app.post(
      '/api/signin/groups/:id/archive',
      { schema: { tags, summary: 'Archive a group', params: idParams, response: { 200: groupSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.manage');
        return groups.archive(p.tenantId, siteScopeOf(p), req.params.id, actorOf(req), platform.now());
      },
    );
  };
}
