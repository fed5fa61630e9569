import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { rowVersion } from '../../../platform/http/numbers.js';
import type { ProfilesService } from './profiles.service.js';
import { presentProfile, presentSummary } from './profiles.presenters.js';
import { historySchema, isoDate, profileCreateSchema, profileListQuery, profilePatchSchema, profileSchema, profileSummarySchema, ratingSchema } from './profiles.schemas.js';
import { presentRatings } from './profiles.presenters.js';

const tags = ['record'];
const idParams = z.object({ id: z.uuid() });
const asOfQuery = z.object({ asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').optional() });

export function profilesRoutes(profiles: ProfilesService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/record/profiles',
      { schema: { tags, summary: 'Profiles with their ratings, filterable by organisation, type, text, condition and rating', querystring: profileListQuery, response: { 200: z.object({ total: z.number(), items: z.array(profileSummarySchema) }) } } },
      async (req) => {
        const p = authorize(req, 'record.read');
        const r = await profiles.list(p, req.query);
        return { total: r.total, items: r.items.map((x) => presentSummary(r.model, x.profile, x.evaluation, x.asOf)) };
      },
    );
    app.post('/api/record/profiles', { schema: { tags, summary: 'Add a profile with check values', body: profileCreateSchema, response: { 201: profileSchema } } }, async (req, reply) => {
      const p = authorize(req, 'record.edit');
      return reply.status(201).send(presentProfile(await profiles.create(p, actorOf(req), req.body)));
    });
    app.get('/api/record/profiles/:id', { schema: { tags, summary: 'A profile: fields, facts about the post, checks, documents, ratings (as of a date: default today in its organisation\'s time zone)', params: idParams, querystring: asOfQuery, response: { 200: profileSchema } } }, async (req) => {
      const p = authorize(req, 'record.read');
      return presentProfile(await profiles.get(p, req.params.id, req.query.asOf));
    });
    app.patch(
      '/api/record/profiles/:id',
      { schema: { tags, summary: 'Change a profile and its check values (409 version_conflict if it changed since `version`)', params: idParams, body: profilePatchSchema, response: { 200: profileSchema } } },
      async (req) => {
        const p = authorize(req, 'record.edit');
        return presentProfile(await profiles.update(p, actorOf(req), req.params.id, req.body));
      },
    );
    app.get('/api/record/profiles/:id/ratings', { schema: { tags, summary: 'Per rating system: ready or not, and why (as of a date)', params: idParams, querystring: asOfQuery, response: { 200: z.object({ asOf: z.string(), items: z.array(ratingSchema) }) } } }, async (req) => {
      const p = authorize(req, 'record.read');
      const x = await profiles.get(p, req.params.id, req.query.asOf);
      return { asOf: x.asOf, items: presentRatings(x.model, x.evaluation) };
    });
    app.get('/api/record/profiles/:id/history', { schema: { tags, summary: 'Version history: who, when, field, before → after', params: idParams, response: { 200: historySchema } } }, async (req) => {
      const p = authorize(req, 'record.read');
      const rows = await profiles.history(p, req.params.id);
      return { items: rows.map((h) => ({ version: h.version, field: h.field, before: h.before, after: h.after, actor: h.actorLabel, at: h.at.toISOString() })) };
    });
    app.post(
      '/api/record/profiles/:id/archive',
      { schema: { tags, summary: 'Archive a leaver out of the live record', params: idParams, body: z.object({ version: rowVersion, leavingDate: isoDate.nullable().optional() }), response: { 200: profileSchema } } },
      async (req) => {
        const p = authorize(req, 'record.edit');
        return presentProfile(await profiles.archive(p, actorOf(req), req.params.id, req.body));
      },
    );
    app.get('/api/record/profiles/:id/export', { schema: { tags, summary: 'Everything held on the person, as a JSON file (audited)', params: idParams } }, async (req, reply) => {
      const p = authorize(req, 'record.manage');
      const data = await profiles.exportPerson(p, actorOf(req), req.params.id);
      const name = `${data.profile.lastName}-${data.profile.firstName}`.replace(/[^A-Za-z0-9-]+/g, '_').slice(0, 80);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="personal-data-${name}.json"`)
        .send(JSON.stringify(data, null, 2));
    });
    app.delete(
      '/api/record/profiles/:id',
      { schema: { tags, summary: 'Erase a person on request (audited)', params: idParams, querystring: z.object({ reason: z.enum(['request', 'retention']).default('request') }), response: { 204: z.null() } } },
      async (req, reply) => {
        const p = authorize(req, 'record.manage');
        await profiles.erase(p, actorOf(req), req.params.id, req.query.reason);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/api/record/retention',
      { schema: { tags, summary: 'Archived profiles whose retention ended, for an administrator to approve deletion', response: { 200: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), organisation: z.string(), leavingDate: z.string().nullable(), dueOn: z.string() })) }) } } },
      async (req) => {
        const p = authorize(req, 'record.manage');
        const rows = await profiles.retentionDue(p);
        return { items: rows.map((r) => ({ id: r.profile.id, name: `${r.profile.firstName} ${r.profile.lastName}`, organisation: r.organisation, leavingDate: r.profile.leavingDate, dueOn: r.dueOn! })) };
      },
    );
    app.post('/api/record/retention/:id/approve', { schema: { tags, summary: 'Approve the deletion of a profile whose retention ended', params: idParams, response: { 204: z.null() } } }, async (req, reply) => {
      const p = authorize(req, 'record.manage');
      await profiles.erase(p, actorOf(req), req.params.id, 'retention');
      return reply.status(204).send(null);
    });
  };
}
