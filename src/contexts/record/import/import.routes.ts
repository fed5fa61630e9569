import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import type { ImportService } from './import.service.js';

const tags = ['record'];
const body = z.object({
  organisationId: z.uuid(),
  fileName: z.string().trim().min(1).max(200),
  /** The file, base64-encoded (CSV or XLSX, at most 5 MB). */
  content: z.string().min(1).max(7_000_000),
  /** Column → target (`firstName`, `check.enhanced_dbs`, …; null ignores it). Guessed when absent. */
  mapping: z.record(z.string(), z.string().nullable()).optional(),
  /** The profile type for rows without one. */
  profileTypeId: z.uuid().optional(),
});
const rowError = z.object({ row: z.number(), column: z.string().nullable(), message: z.string() });

export function importRoutes(imports: ImportService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/record/import/preview',
      {
        bodyLimit: 8 * 1024 * 1024,
        schema: {
          tags,
          summary: 'Read a spreadsheet (CSV or XLSX): columns, guessed mapping, sample rows, and every bad row with its reason',
          body,
          response: {
            200: z.object({
              columns: z.array(z.string()),
              mapping: z.record(z.string(), z.string().nullable()),
              targets: z.array(z.object({ target: z.string(), label: z.string() })),
              rows: z.number(),
              sample: z.array(z.array(z.string())),
              errors: z.array(rowError),
              valid: z.boolean(),
            }),
          },
        },
      },
      async (req) => {
        const p = authorize(req, 'record.edit');
        return imports.preview(p, req.body);
      },
    );
    app.post(
      '/api/record/import',
      { bodyLimit: 8 * 1024 * 1024, schema: { tags, summary: 'Import every row, or nothing (400 import_invalid listing every bad row)', body, response: { 201: z.object({ created: z.number() }) } } },
      async (req, reply) => {
        const p = authorize(req, 'record.edit');
        return reply.status(201).send(await imports.commit(p, actorOf(req), req.body));
      },
    );
  };
}
