import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize, authorizeTenantWide } from '../../../platform/http/auth.js';
import { siteScopeOf } from '../access.js';
import { idParams } from '../sites/sites.schemas.js';
import type { VisitsService } from './visits.service.js';
import { visitSchema, visitsQuery } from './visits.schemas.js';

export function visitsRoutes(visits: VisitsService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['signin: history'];
    app.get(
      '/api/signin/visits',
      {
        schema: {
          tags,
          summary: 'Visits, newest first, filtered and keyset-paged',
          querystring: visitsQuery,
          response: { 200: z.object({ items: z.array(visitSchema.extend({ siteName: z.string(), groupName: z.string() })), nextCursor: z.string().nullable() }) },
        },
      },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return visits.history(p.tenantId, siteScopeOf(p), req.query);
      },
    );
    app.get(
      '/api/signin/visits/export.csv',
      { schema: { tags, summary: 'The filtered visits as CSV (cells neutralised for spreadsheets)', querystring: visitsQuery.omit({ limit: true, cursor: true }) } },
      async (req, reply) => {
        const p = authorize(req, 'signin.read');
        const csv = await visits.exportCsv(p.tenantId, siteScopeOf(p), req.query);
        return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="visits.csv"').send(Readable.from(csv));
      },
    );
    app.post(
      '/api/signin/visits/:id/sign-out',
      { schema: { tags, summary: 'Sign a person out manually (409 when not signed in)', params: idParams, response: { 200: visitSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.operate');
        return visits.signOutManually(p.tenantId, siteScopeOf(p), req.params.id, actorOf(req));
      },
    );
    app.put(
      '/api/signin/visits/:id/protected',
      { schema: { tags, summary: 'Keep (or release) a visit beyond the retention period', params: idParams, body: z.object({ protected: z.boolean() }), response: { 200: visitSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.manage');
        return visits.setProtected(p.tenantId, siteScopeOf(p), req.params.id, req.body.protected, actorOf(req));
      },
    );
    app.get('/api/signin/settings', { schema: { tags, summary: 'Sign-in settings of the tenant', response: { 200: z.object({ retentionDays: z.number().nullable() }) } } }, async (req) => {
      const p = authorize(req, 'signin.manage');
      return visits.getSettings(p.tenantId);
    });
    app.put(
      '/api/signin/settings',
      { schema: { tags, summary: 'Set how many days visits are kept (null: forever)', body: z.object({ retentionDays: z.number().int().min(1).max(36500).nullable() }), response: { 200: z.object({ retentionDays: z.number().nullable() }) } } },
      async (req) => {
        // One retention period for every site's visits: the trust's data-protection decision.
        const p = authorizeTenantWide(req, 'signin.manage', 'How long visits are kept applies at every site: only a trust-wide administrator can change it');
        return visits.setSettings(p.tenantId, req.body, actorOf(req));
      },
    );
  };
}
