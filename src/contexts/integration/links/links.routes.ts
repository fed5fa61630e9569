import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { callerReach } from '../access.js';
import { groupLinkView, groupParams, linkInput, linkSchema, settingsSchema } from '../integration.schemas.js';
import type { LinksService } from './links.service.js';
import { presentGroupLinkView } from './links.presenters.js';

export function linksRoutes(links: LinksService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['integration: links'];
    app.get('/api/integration/settings', { schema: { tags, summary: 'Tenant integration settings', response: { 200: settingsSchema } } }, async (req) => {
      const p = authorize(req, 'integration.read');
      return links.settings(p.tenantId);
    });
    app.put(
      '/api/integration/settings',
      { schema: { tags, summary: "Include the Central Record's criteria in the safety check", body: settingsSchema, response: { 200: settingsSchema } } },
      async (req) => {
        const p = authorize(req, 'integration.manage');
        return links.saveSettings(p.tenantId, req.body, actorOf(req));
      },
    );
    app.get('/api/integration/links', { schema: { tags, summary: 'Groups linked to organisations', response: { 200: z.object({ items: z.array(linkSchema) }) } } }, async (req) => {
      const p = authorize(req, 'integration.read');
      return { items: await links.list(p.tenantId, callerReach(p)) };
    });
    app.get(
      '/api/integration/groups/:groupId/link',
      { schema: { tags, summary: "A group's Integrations tab", params: groupParams, response: { 200: groupLinkView } } },
      async (req) => {
        const p = authorize(req, 'integration.read');
        const { group, link, organisationName } = await links.get(p.tenantId, req.params.groupId, callerReach(p));
        return presentGroupLinkView(group, link, organisationName);
      },
    );
    app.put(
      '/api/integration/groups/:groupId/link',
      { schema: { tags, summary: 'Link a repeat or SCIM group to an organisation; choose the rating systems it checks', params: groupParams, body: linkInput, response: { 200: linkSchema } } },
      async (req) => {
        const p = authorize(req, 'integration.manage');
        return links.link(p.tenantId, req.params.groupId, req.body, actorOf(req));
      },
    );
    app.delete('/api/integration/groups/:groupId/link', { schema: { tags, summary: 'Unlink a group', params: groupParams } }, async (req, reply) => {
      const p = authorize(req, 'integration.manage');
      await links.unlink(p.tenantId, req.params.groupId, actorOf(req));
      return reply.status(204).send();
    });
  };
}
