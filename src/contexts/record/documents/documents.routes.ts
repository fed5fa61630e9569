import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import type { Platform } from '../../../platform/platform.js';
import type { ProfileHooks } from '../profiles/profile-hooks.js';
import { ARCHIVE_LEAVERS_CRON, ARCHIVE_LEAVERS_JOB, archiveLeavers } from '../profiles/leavers.js';
import { DOCUMENT_TYPES, MAX_DOCUMENT_BYTES, PURGE_DOCUMENTS_JOB, purgeDueDocuments, type DocumentsService } from './documents.service.js';

const tags = ['record'];
const documentOut = z.object({ id: z.string(), fileName: z.string(), contentType: z.string(), size: z.number(), uploadedAt: z.string(), deleteAfter: z.string().nullable() });

export function documentsRoutes(documents: DocumentsService): FastifyPluginAsyncZod {
  return async (app) => {
    // The file is the request body (PDF, JPEG or PNG); the parser is scoped to this plugin.
    app.addContentTypeParser(Object.keys(DOCUMENT_TYPES), { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES + 1 }, (_req, body, done) => done(null, body));

    app.post(
      '/api/record/profiles/:id/checks/:key/document',
      {
        bodyLimit: MAX_DOCUMENT_BYTES + 1,
        schema: {
          tags,
          summary: 'Upload a document (PDF, JPEG, PNG; at most 5 MB) as evidence of a check; the body is the file',
          params: z.object({ id: z.uuid(), key: z.string().min(1).max(100) }),
          querystring: z.object({ fileName: z.string().min(1).max(255) }),
          response: { 201: documentOut },
        },
      },
      async (req, reply) => {
        const p = authorize(req, 'record.edit');
        const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const doc = await documents.upload(p, actorOf(req), req.params.id, req.params.key, { fileName: req.query.fileName, contentType, data });
        return reply.status(201).send({ id: doc.id, fileName: doc.fileName, contentType: doc.contentType, size: doc.size, uploadedAt: doc.uploadedAt.toISOString(), deleteAfter: doc.deleteAfter?.toISOString() ?? null });
      },
    );

    app.get('/api/record/documents/:id', { schema: { tags, summary: 'Download a document (only for users who can see the profile)', params: z.object({ id: z.uuid() }) } }, async (req, reply) => {
      const p = authorize(req, 'record.read');
      const doc = await documents.open(p, req.params.id);
      return reply
        .header('content-type', doc.contentType)
        .header('content-length', String(doc.size))
        .header('content-disposition', `attachment; filename="${doc.fileName}"`)
        .header('cache-control', 'private, no-store')
        .send(doc.stream);
    });

    app.delete('/api/record/documents/:id', { schema: { tags, summary: 'Delete a document (the check’s record stays)', params: z.object({ id: z.uuid() }), response: { 204: z.null() } } }, async (req, reply) => {
      const p = authorize(req, 'record.edit');
      await documents.remove(p, actorOf(req), req.params.id);
      return reply.status(204).send(null);
    });
  };
}

/** The record's job handlers and schedules (see src/contexts/jobs.ts). */
export async function registerRecordJobs(platform: Platform, hooks: ProfileHooks): Promise<void> {
  await platform.jobs.work(PURGE_DOCUMENTS_JOB, async () => {
    await purgeDueDocuments(platform);
  });
  await platform.jobs.schedule(PURGE_DOCUMENTS_JOB, '41 * * * *');
  await platform.jobs.work(ARCHIVE_LEAVERS_JOB, async () => {
    await archiveLeavers({ ...platform, hooks });
  });
  await platform.jobs.schedule(ARCHIVE_LEAVERS_JOB, ARCHIVE_LEAVERS_CRON);
}
