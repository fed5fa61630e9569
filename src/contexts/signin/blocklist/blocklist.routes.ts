import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { storableDate } from '../../../platform/http/dates.js';
import { actorOf, authorize, authorizeTenantWide } from '../../../platform/http/auth.js';
import { idParams } from '../sites/sites.schemas.js';
import type { BlockListService } from './blocklist.service.js';

const blockInput = z.object({
  fullName: z.string().trim().min(1).max(200),
  email: z.email().max(320).nullable().optional(),
  dateOfBirth: storableDate.nullable().optional(),
  reason: z.string().trim().max(1000).default(''),
});
const blockSchema = z.object({ id: z.string(), fullName: z.string(), email: z.string().nullable(), dateOfBirth: z.string().nullable(), reason: z.string(), createdAt: z.string() });

/** One block list refuses people at every site: a scoped admin reads it (a rejection at their kiosk names it) but only the trust's central team changes it. */
const BLOCK_LIST_IS_TENANT_WIDE = 'The block list applies at every site: only a trust-wide administrator can change it';

export function blockListRoutes(blocks: BlockListService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['signin: block list'];
    app.get('/api/signin/block-list', { schema: { tags, summary: 'People who may not sign in', response: { 200: z.object({ items: z.array(blockSchema) }) } } }, async (req) => {
      const p = authorize(req, 'signin.manage');
      return { items: await blocks.list(p.tenantId) };
    });
    app.post('/api/signin/block-list', { schema: { tags, summary: 'Block a person (whole name, email, date of birth)', body: blockInput, response: { 201: blockSchema } } }, async (req, reply) => {
      const p = authorizeTenantWide(req, 'signin.manage', BLOCK_LIST_IS_TENANT_WIDE);
      return reply.status(201).send(await blocks.create(p.tenantId, req.body, actorOf(req)));
    });
    app.put('/api/signin/block-list/:id', { schema: { tags, summary: 'Change a block list entry', params: idParams, body: blockInput, response: { 200: blockSchema } } }, async (req) => {
      const p = authorizeTenantWide(req, 'signin.manage', BLOCK_LIST_IS_TENANT_WIDE);
      return blocks.update(p.tenantId, req.params.id, req.body, actorOf(req));
    });
    app.delete('/api/signin/block-list/:id', { schema: { tags, summary: 'Remove a block list entry', params: idParams, response: { 204: z.null() } } }, async (req, reply) => {
      const p = authorizeTenantWide(req, 'signin.manage', BLOCK_LIST_IS_TENANT_WIDE);
      await blocks.remove(p.tenantId, req.params.id, actorOf(req));
      return reply.status(204).send(null);
    });
  };
}
