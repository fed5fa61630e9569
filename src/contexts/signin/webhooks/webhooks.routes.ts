import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import type { WebhooksService } from './webhooks.service.js';
import { deliverySchema, idParams, webhookCreate, webhookPatch, webhookSchema, webhookWithSecret } from './webhooks.schemas.js';

export function webhooksRoutes(webhooks: WebhooksService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['signin: webhooks'];
    app.get(
      '/api/signin/webhooks',
      { schema: { tags, summary: 'Webhook subscriptions of the tenant', response: { 200: z.object({ items: z.array(webhookSchema) }) } } },
      async (req) => {
        const p = authorize(req, 'webhooks.manage');
        return { items: await webhooks.list(p.tenantId) };
      },
    );
    app.post(
      '/api/signin/webhooks',
      { schema: { tags, summary: 'Subscribe a URL to visit events; the signing key is shown once', body: webhookCreate, response: { 201: webhookWithSecret } } },
      async (req, reply) => {
        const p = authorize(req, 'webhooks.manage');
        return reply.status(201).send(await webhooks.create(p.tenantId, req.body, actorOf(req)));
      },
    );
    app.get(
      '/api/signin/webhooks/:id',
      { schema: { tags, summary: 'A webhook subscription', params: idParams, response: { 200: webhookSchema } } },
      async (req) => {
        const p = authorize(req, 'webhooks.manage');
        return webhooks.view(p.tenantId, req.params.id);
      },
    );
    app.patch(
      '/api/signin/webhooks/:id',
      { schema: { tags, summary: 'Change a webhook subscription', params: idParams, body: webhookPatch, response: { 200: webhookSchema } } },
      async (req) => {
        const p = authorize(req, 'webhooks.manage');
        return webhooks.update(p.tenantId, req.params.id, req.body, actorOf(req));
      },
    );
    app.delete(
      '/api/signin/webhooks/:id',
      { schema: { tags, summary: 'Delete a webhook subscription and its delivery log', params: idParams, response: { 204: z.null() } } },
      async (req, reply) => {
        const p = authorize(req, 'webhooks.manage');
        await webhooks.remove(p.tenantId, req.params.id, actorOf(req));
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/signin/webhooks/:id/secret',
      { schema: { tags, summary: 'Regenerate the signing key (shown once)', params: idParams, response: { 200: webhookWithSecret } } },
      async (req) => {
        const p = authorize(req, 'webhooks.manage');
        return webhooks.rotateSecret(p.tenantId, req.params.id, actorOf(req));
      },
    );
    app.get(
      '/api/signin/webhooks/:id/deliveries',
      {
        schema: {
          tags,
          summary: 'The delivery log, newest first',
          params: idParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
          response: { 200: z.object({ items: z.array(deliverySchema) }) },
        },
      },
      async (req) => {
        const p = authorize(req, 'webhooks.manage');
        return { items: await webhooks.deliveries(p.tenantId, req.params.id, req.query.limit) };
      },
    );
    app.post(
      '/api/signin/webhooks/:id/test',
      { schema: { tags, summary: 'Queue a webhook.test event to this URL', params: idParams, response: { 202: deliverySchema } } },
      async (req, reply) => {
        const p = authorize(req, 'webhooks.manage');
        return reply.status(202).send(await webhooks.sendTest(p.tenantId, req.params.id, actorOf(req)));
      },
    );
  };
}
