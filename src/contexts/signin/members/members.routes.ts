import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { AppError, badRequest } from '../../../platform/errors.js';
import { findUnstorableText, unstorableTextError } from '../../../platform/http/input.js';
import { isUtf16Text, utf16Refusal } from '../../../platform/csv.js';
import { siteScopeOf } from '../access.js';
import { idParams } from '../sites/sites.schemas.js';
import { PHOTO_MAX_BYTES, type MembersService } from './members.service.js';
import { presentMember } from './members.presenters.js';
import { memberInput, memberListQuery, memberPatch, memberSchema } from './members.schemas.js';
import { importTemplateCsv, type MemberImport } from './members.import.js';

const groupParams = z.object({ groupId: z.uuid() });
/** The CSV of an import: a text/csv body, or JSON `{ csv }` (declared, so the web app's typed client can send it). */
const csvBody = z.union([z.object({ csv: z.string() }), z.string()]);
const importErrors = z.array(z.object({ row: z.number(), field: z.string().optional(), reason: z.string() }));
const previewSchema = z.object({
  valid: z.boolean(),
  total: z.number(),
  rows: z.array(z.object({ row: z.number(), fullName: z.string(), role: z.string(), email: z.string().nullable(), phone: z.string().nullable(), startDate: z.string().nullable(), endDate: z.string().nullable(), customFields: z.record(z.string(), z.string()) })),
  errors: importErrors,
});

const asIs = (body: unknown) => body as string;

export async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

export function sniffedType(data: Buffer): string {
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data[0] === 0x89 && data[1] === 0x50) return 'image/png';
  return 'image/webp';
}

/** JSON `{ csv }`'s text is checked by `csvOf`, which looks for UTF-16 first: not refused whole by the root hook before. */
const CSV_TEXT_CHECKED_BY_IMPORT = { textCheckedPerItem: ['csv'] };

/**
 * The CSV of an import: a text/csv body (UTF-16 refused by sign-in's text parser), or JSON
 * `{ csv }`, whose text a browser read as UTF-8: a UTF-16 file so read has NULs between its
 * letters, refused saying how to mend it, before any other NUL is refused as text.
 */
function csvOf(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && typeof (body as { csv?: unknown }).csv === 'string') {
    const csv = (body as { csv: string }).csv;
    if (isUtf16Text(csv)) throw utf16Refusal('body.csv');
    const bad = findUnstorableText(csv, 'body.csv');
    if (bad) throw unstorableTextError(bad);
    return csv;
  }
  throw badRequest('csv_missing', 'Send the CSV as a text/csv body or as JSON {"csv": "…"}');
}

export function membersRoutes(members: MembersService, importer: MemberImport): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['signin: members'];
    app.get(
      '/api/signin/groups/:groupId/members',
      {
        schema: { tags, summary: 'Members of a repeat or SCIM group, searched and paged', params: groupParams, querystring: memberListQuery, response: { 200: z.object({ items: z.array(memberSchema), total: z.number() }) } },
      },
      async (req, reply) => {
        const p = authorize(req, 'signin.read');
        // The items are the members' stored JSON texts (`members.doc`, `memberDocSql`: each in
        // `presentMember`'s shape): no rows to map, no zod check of 50 members, nothing to
        // serialise (decisions 025, 031, 037). The schema above still documents the answer.
        const body = await members.listPresented(p.tenantId, siteScopeOf(p), req.params.groupId, req.query);
        return reply.type('application/json; charset=utf-8').serializer(asIs).send(body as never); // JSON text, written as is
      },
    );
    app.post(
      '/api/signin/groups/:groupId/members',
      { schema: { tags, summary: 'Add a member (not to SCIM groups: the identity provider manages those)', params: groupParams, body: memberInput, response: { 201: memberSchema } } },
      async (req, reply) => {
        const p = authorize(req, 'signin.operate');
        const row = await members.add(p.tenantId, siteScopeOf(p), req.params.groupId, req.body, actorOf(req), p.kind === 'apikey' ? 'api' : 'portal');
        return reply.status(201).send(presentMember(row));
      },
    );
    app.get(
      '/api/signin/groups/:groupId/members/import/template.csv',
      { schema: { tags, summary: 'The CSV template for importing members', params: groupParams } },
      async (req, reply) => {
        const p = authorize(req, 'signin.read');
        await members.visibleGroup(p.tenantId, siteScopeOf(p), req.params.groupId);
        return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="members-template.csv"').send(importTemplateCsv());
      },
    );
    app.post(
      '/api/signin/groups/:groupId/members/import/preview',
      { schema: { tags, summary: 'Check a CSV of members without writing anything', params: groupParams, body: csvBody, response: { 200: previewSchema } }, bodyLimit: 5 * 1024 * 1024, config: CSV_TEXT_CHECKED_BY_IMPORT },
      async (req) => {
        const p = authorize(req, 'signin.operate');
        return importer.preview(p.tenantId, siteScopeOf(p), req.params.groupId, csvOf(req.body));
      },
    );
    app.post(
      '/api/signin/groups/:groupId/members/import',
      { schema: { tags, summary: 'Import a CSV of members: all rows or none', params: groupParams, body: csvBody, response: { 201: z.object({ created: z.number() }) } }, bodyLimit: 5 * 1024 * 1024, config: CSV_TEXT_CHECKED_BY_IMPORT },
      async (req, reply) => {
        const p = authorize(req, 'signin.operate');
        return reply.status(201).send(await importer.commit(p.tenantId, siteScopeOf(p), req.params.groupId, csvOf(req.body), actorOf(req)));
      },
    );
    app.get(
      '/api/signin/members/:id',
      { schema: { tags, summary: 'A member', params: idParams, response: { 200: memberSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return presentMember(await members.visible(p.tenantId, siteScopeOf(p), req.params.id));
      },
    );
    app.patch(
      '/api/signin/members/:id',
      { schema: { tags, summary: 'Change a member; `version` must be the one you read (409 otherwise)', params: idParams, body: memberPatch, response: { 200: memberSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.operate');
        const { version, ...patch } = req.body;
        return presentMember(await members.edit(p.tenantId, siteScopeOf(p), req.params.id, patch, actorOf(req), p.kind === 'apikey' ? 'api' : 'portal', version));
      },
    );
    for (const action of ['archive', 'restore'] as const) {
      app.post(
        `/api/signin/members/:id/${action}`,
        { schema: { tags, summary: action === 'archive' ? 'Archive a member (cannot sign in; history kept)' : 'Restore an archived member', params: idParams, response: { 200: memberSchema } } },
        async (req) => {
          const p = authorize(req, 'signin.operate');
          return presentMember(await members.setArchived(p.tenantId, siteScopeOf(p), req.params.id, action, actorOf(req), p.kind === 'apikey' ? 'api' : 'portal'));
        },
      );
    }
    app.put(
      '/api/signin/members/:id/photo',
      { schema: { tags, summary: 'Set the photo (JPEG, PNG or WebP body, at most 2 MB)', params: idParams, response: { 200: memberSchema } }, bodyLimit: PHOTO_MAX_BYTES + 1024 },
      async (req) => {
        const p = authorize(req, 'signin.operate');
        if (!Buffer.isBuffer(req.body)) throw new AppError(415, 'unsupported_media_type', 'The photo must be a JPEG, PNG or WebP image');
        const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
        return presentMember(await members.setPhoto(p.tenantId, siteScopeOf(p), req.params.id, req.body, type, actorOf(req)));
      },
    );
    app.get(
      '/api/signin/members/:id/photo',
      { schema: { tags, summary: 'The photo', params: idParams } },
      async (req, reply) => {
        const p = authorize(req, 'signin.read');
        const m = await members.visible(p.tenantId, siteScopeOf(p), req.params.id);
        const data = await streamToBuffer(await members.photo(m));
        return reply.type(sniffedType(data)).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').send(data);
      },
    );
    app.get(
      '/api/signin/members/:id/qr.svg',
      { schema: { tags, summary: 'The personal QR code (SVG)', params: idParams } },
      async (req, reply) => {
        const p = authorize(req, 'signin.operate');
        const m = await members.visible(p.tenantId, siteScopeOf(p), req.params.id);
        return reply.type('image/svg+xml').header('cache-control', 'no-store').send(await members.qrSvg(m));
      },
    );
    app.post(
      '/api/signin/members/:id/qr',
      { schema: { tags, summary: 'Issue a new QR code (the old one stops working)', params: idParams, response: { 200: memberSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.operate');
        return presentMember(await members.regenerateQr(p.tenantId, siteScopeOf(p), req.params.id, actorOf(req)));
      },
    );
  };
}
