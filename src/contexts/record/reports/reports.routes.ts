import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import type { ReportsService } from './reports.service.js';

const tags = ['record'];
const tally = z.object({ systemId: z.string(), key: z.string(), name: z.string(), readyColour: z.string(), notReadyColour: z.string(), ready: z.number(), notReady: z.number() });
const asOf = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').optional();
const dashboardSchema = z.object({
  organisationId: z.string().nullable(),
  /** The date the ratings are for. */
  asOf: z.string(),
  profiles: z.number(),
  ratings: z.array(tally),
  organisations: z.array(z.object({ id: z.string(), name: z.string(), profiles: z.number(), ratings: z.array(tally) })),
  notReady: z.array(z.object({ id: z.string(), name: z.string(), organisation: z.string(), profileType: z.string(), reasons: z.array(z.object({ system: z.string(), messages: z.array(z.string()) })) })),
  notReadyTotal: z.number(),
  expiring: z.object({
    within30: z.number(),
    within60: z.number(),
    within90: z.number(),
    items: z.array(z.object({ profileId: z.string(), name: z.string(), organisation: z.string(), check: z.string(), expiresOn: z.string(), inDays: z.number() })),
  }),
});

const ids = z
  .string()
  .max(4000)
  .optional()
  .transform((s) => (s ? s.split(',').filter(Boolean) : undefined))
  .pipe(z.array(z.uuid()).optional());

export function reportsRoutes(reports: ReportsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/record/dashboard',
      { schema: { tags, summary: 'Ready vs not ready per rating system, not-ready profiles and why, checks expiring in 30/60/90 days (one organisation or the whole trust)', querystring: z.object({ organisationId: z.uuid().optional(), asOf }), response: { 200: dashboardSchema } } },
      async (req) => {
        const p = authorize(req, 'record.read');
        return reports.dashboard(p, req.query);
      },
    );
    app.get(
      '/api/record/export',
      {
        schema: {
          tags,
          summary: 'Export the single central record (XLSX: one sheet per organisation; CSV; printable HTML), filterable by profile type and condition',
          querystring: z.object({ format: z.enum(['xlsx', 'csv', 'html']).default('xlsx'), organisationId: z.uuid().optional(), asOf, profileTypeIds: ids, condition: z.string().max(20_000).optional() }),
        },
      },
      async (req, reply) => {
        const p = authorize(req, 'record.read');
        const file = await reports.exportRecord(p, actorOf(req), req.query);
        return reply
          .header('content-type', file.contentType)
          .header('content-disposition', `${req.query.format === 'html' ? 'inline' : 'attachment'}; filename="${file.fileName}"`)
          .header('cache-control', 'no-store')
          .send(file.body);
      },
    );
  };
}
