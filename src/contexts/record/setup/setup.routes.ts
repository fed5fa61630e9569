import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import type { SetupService } from './setup.service.js';
import { presentCheck, presentFieldCatalog, presentOrganisation, presentProfileType, presentRatingSystem } from './setup.presenters.js';
import {
  checkCreateSchema,
  checkPatchSchema,
  checkSchema,
  fieldCatalogSchema,
  idParams,
  organisationCreateSchema,
  organisationPatchSchema,
  organisationSchema,
  profileTypeCreateSchema,
  profileTypePatchSchema,
  profileTypeSchema,
  ratingSystemCreateSchema,
  ratingSystemPatchSchema,
  ratingSystemSchema,
} from './setup.schemas.js';

const tags = ['record'];
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export function setupRoutes(setup: SetupService): FastifyPluginAsyncZod {
  return async (app) => {
    // organisations
    app.get('/api/record/organisations', { schema: { tags, summary: 'Organisations (schools) the caller can see', response: { 200: list(organisationSchema) } } }, async (req) => {
      const p = authorize(req, 'record.read');
      return { items: (await setup.listOrganisations(p)).map(presentOrganisation) };
    });
    app.get('/api/record/organisations/:id', { schema: { tags, summary: 'One organisation', params: idParams, response: { 200: organisationSchema } } }, async (req) => {
      const p = authorize(req, 'record.read');
      return presentOrganisation(await setup.getOrganisation(p, req.params.id));
    });
    app.post('/api/record/organisations', { schema: { tags, summary: 'Add an organisation; the first one seeds the record with the built-in KCSIE set', body: organisationCreateSchema, response: { 201: organisationSchema } } }, async (req, reply) => {
      const p = authorize(req, 'record.manage');
      return reply.status(201).send(presentOrganisation(await setup.createOrganisation(p, actorOf(req), req.body)));
    });
    app.patch('/api/record/organisations/:id', { schema: { tags, summary: 'Rename an organisation, change its type or retention', params: idParams, body: organisationPatchSchema, response: { 200: organisationSchema } } }, async (req) => {
      const p = authorize(req, 'record.manage');
      return presentOrganisation(await setup.updateOrganisation(p, actorOf(req), req.params.id, req.body));
    });
    app.delete('/api/record/organisations/:id', { schema: { tags, summary: 'Delete an organisation no profile uses (409 saying what uses it)', params: idParams, response: { 204: z.null() } } }, async (req, reply) => {
      const p = authorize(req, 'record.manage');
      await setup.deleteOrganisation(p, actorOf(req), req.params.id);
      return reply.status(204).send(null);
    });

    // profile types
    app.get('/api/record/profile-types', { schema: { tags, summary: 'Profile types, built in and the tenant’s own', response: { 200: list(profileTypeSchema) } } }, async (req) => {
      const p = authorize(req, 'record.read');
      return { items: (await setup.listProfileTypes(p.tenantId)).map(presentProfileType) };
    });
    app.post('/api/record/profile-types', { schema: { tags, summary: 'Add a profile type', body: profileTypeCreateSchema, response: { 201: profileTypeSchema } } }, async (req, reply) => {
      const p = authorize(req, 'record.manage');
      return reply.status(201).send(presentProfileType(await setup.createProfileType(p, actorOf(req), req.body)));
    });
    app.patch('/api/record/profile-types/:id', { schema: { tags, summary: 'Rename, retire or restore a profile type', params: idParams, body: profileTypePatchSchema, response: { 200: profileTypeSchema } } }, async (req) => {
      const p = authorize(req, 'record.manage');
      return presentProfileType(await setup.updateProfileType(p, actorOf(req), req.params.id, req.body));
    });
    app.delete('/api/record/profile-types/:id', { schema: { tags, summary: 'Delete an unused profile type (409 saying what uses it)', params: idParams, response: { 204: z.null() } } }, async (req, reply) => {
      const p = authorize(req, 'record.manage');
      await setup.deleteProfileType(p, actorOf(req), req.params.id);
      return reply.status(204).send(null);
    });

    // checks
    app.get('/api/record/checks', { schema: { tags, summary: 'Checks: built in, trust-wide and organisations’ own', querystring: z.object({ organisationId: z.uuid().optional() }), response: { 200: list(checkSchema) } } }, async (req) => {
      const p = authorize(req, 'record.read');
      return { items: (await setup.listChecks(p, req.query.organisationId)).map(presentCheck) };
    });
    app.post('/api/record/checks', { schema: { tags, summary: 'Add a trust-wide check or a school’s own check', body: checkCreateSchema, response: { 201: checkSchema } } }, async (req, reply) => {
      const p = authorize(req, 'record.manage');
      return reply.status(201).send(presentCheck(await setup.createCheck(p, actorOf(req), req.body)));
    });
    app.patch('/api/record/checks/:id', { schema: { tags, summary: 'Change a check (statutory checks cannot be switched off)', params: idParams, body: checkPatchSchema, response: { 200: checkSchema } } }, async (req) => {
      const p = authorize(req, 'record.manage');
      return presentCheck(await setup.updateCheck(p, actorOf(req), req.params.id, req.body));
    });
    app.delete('/api/record/checks/:id', { schema: { tags, summary: 'Delete an own check no profile uses (statutory checks: 409)', params: idParams, response: { 204: z.null() } } }, async (req, reply) => {
      const p = authorize(req, 'record.manage');
      await setup.deleteCheck(p, actorOf(req), req.params.id);
      return reply.status(204).send(null);
    });

    // rating systems
    app.get('/api/record/rating-systems', { schema: { tags, summary: 'Rating systems', response: { 200: list(ratingSystemSchema) } } }, async (req) => {
      const p = authorize(req, 'record.read');
      return { items: (await setup.listRatingSystems(p.tenantId)).map(presentRatingSystem) };
    });
    app.post('/api/record/rating-systems', { schema: { tags, summary: 'Add a rating system', body: ratingSystemCreateSchema, response: { 201: ratingSystemSchema } } }, async (req, reply) => {
      const p = authorize(req, 'record.manage');
      return reply.status(201).send(presentRatingSystem(await setup.createRatingSystem(p, actorOf(req), req.body)));
    });
    app.patch('/api/record/rating-systems/:id', { schema: { tags, summary: 'Change a rating system (name, colours, flags, rules per profile type)', params: idParams, body: ratingSystemPatchSchema, response: { 200: ratingSystemSchema } } }, async (req) => {
      const p = authorize(req, 'record.manage');
      return presentRatingSystem(await setup.updateRatingSystem(p, actorOf(req), req.params.id, req.body));
    });

    app.get('/api/record/fields', { schema: { tags, summary: 'Fields and operators for the condition builder', response: { 200: fieldCatalogSchema } } }, async (req) => {
      const p = authorize(req, 'record.read');
      return presentFieldCatalog(await setup.fieldCatalog(p));
    });
  };
}
