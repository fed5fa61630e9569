import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { actorOf, authorize, authorizeTenantWide } from '../../../platform/http/auth.js';
import { siteScopeOf } from '../access.js';
import type { SitesService } from './sites.service.js';
import { idParams, siteInput, sitePatch, siteSchema } from './sites.schemas.js';

export function sitesRoutes(platform: Platform, sites: SitesService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['signin: sites'];
    app.get(
      '/api/signin/sites',
      { schema: { tags, summary: 'Sites the caller may see', querystring: z.object({ archived: z.stringbool().default(false) }), response: { 200: z.object({ items: z.array(siteSchema) }) } } },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return { items: await sites.list(p.tenantId, siteScopeOf(p), req.query.archived) };
      },
    );
    app.post(
      '/api/signin/sites',
      { schema: { tags, summary: 'Create a site', body: siteInput, response: { 201: siteSchema } } },
      async (req, reply) => {
        // The trust's sites, like the record's organisations, are added and archived by its central team.
        const p = authorizeTenantWide(req, 'signin.manage', 'Only a trust-wide administrator can add a site');
        return reply.status(201).send(await sites.create(p.tenantId, req.body, actorOf(req)));
      },
    );
    app.get(
      '/api/signin/sites/:id',
      { schema: { tags, summary: 'A site and its groups', params: idParams, response: { 200: siteSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return sites.view(p.tenantId, siteScopeOf(p), req.params.id);
      },
    );
    app.patch(
      '/api/signin/sites/:id',
      { schema: { tags, summary: 'Change a site', params: idParams, body: sitePatch, response: { 200: siteSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.manage');
        return sites.update(p.tenantId, siteScopeOf(p), req.params.id, req.body, actorOf(req));
      },
    );
    app.post(
      '/api/signin/sites/:id/archive',
      { schema: { tags, summary: 'Archive a site', params: idParams, response: { 200: siteSchema } } },
      async (req) => {
        const p = authorizeTenantWide(req, 'signin.manage', 'Only a trust-wide administrator can archive a site');
        return sites.archive(p.tenantId, siteScopeOf(p), req.params.id, actorOf(req), platform.now());
      },
    );
    app.post(
      '/api/signin/sites/:id/restore',
      { schema: { tags, summary: 'Restore an archived site (a live one is answered as it is)', params: idParams, response: { 200: siteSchema } } },
      async (req) => {
        const p = authorizeTenantWide(req, 'signin.manage', 'Only a trust-wide administrator can restore a site');
        return sites.restore(p.tenantId, siteScopeOf(p), req.params.id, actorOf(req));
      },
    );
    app.put(
      '/api/signin/sites/:id/groups',
      {
        schema: {
          tags,
          summary: 'Set which groups appear on the site, in order (409 group_archived naming an archived group)',
          params: idParams,
          body: z.object({ groupIds: z.array(z.uuid()).max(200) }),
          response: { 200: siteSchema },
        },
      },
      async (req) => {
        const p = authorize(req, 'signin.manage');
        return sites.setGroups(p.tenantId, siteScopeOf(p), req.params.id, req.body.groupIds, actorOf(req));
      },
    );
  };
}
