import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { previewInput, previewSchema, typeMapInput, typeMapSchema } from '../integration.schemas.js';
import type { TypeMapService } from './typemap.service.js';

export function typeMapRoutes(typeMap: TypeMapService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['integration: profile type map'];
    app.get('/api/integration/type-map', { schema: { tags, summary: 'The profile type map, profile types and member fields', response: { 200: typeMapSchema } } }, async (req) => {
      const p = authorize(req, 'integration.read');
      return typeMap.view(p.tenantId);
    });
    app.put(
      '/api/integration/type-map',
      { schema: { tags, summary: 'Save the ordered rules (first match wins)', body: typeMapInput, response: { 200: typeMapSchema } } },
      async (req) => {
        const p = authorize(req, 'integration.manage');
        return typeMap.save(p.tenantId, req.body.rules, actorOf(req));
      },
    );
    app.post(
      '/api/integration/type-map/preview',
      { schema: { tags, summary: 'How many current members each rule maps, and who is unmapped (saved or draft rules)', body: previewInput, response: { 200: previewSchema } } },
      async (req) => {
        const p = authorize(req, 'integration.read');
        return typeMap.preview(p.tenantId, req.body.rules);
      },
    );
  };
}
