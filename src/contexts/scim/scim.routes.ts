import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform/platform.js';
import { bearerToken } from '../../platform/http/auth.js';
import type { Actor } from '../../platform/audit/audit.js';
import { scimError, scimNotFound, scimUnauthorized, toScimError } from './scim.errors.js';
import { createRequestLogBuffer, type ScimAccessService, type ScimCredential } from './access/access.service.js';
import type { ScimCaller, ScimUsersService } from './users/users.service.js';
import type { ScimGroupsService } from './groups/groups.service.js';
import { attributeList, listResponse, presentGroup, presentUser, project, scimBaseUrl, wants } from './scim.presenter.js';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { URN } from './scim.schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    scimCredential?: ScimCredential;
    scimFailure?: { scimType?: string; detail: string };
  }
}

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const SCIM_PREFIX = '/scim/v2/groups/';

const resource = z.record(z.string(), z.unknown()).describe('A SCIM resource or ListResponse');
const body = z.unknown().describe('A SCIM resource or PatchOp (application/scim+json or application/json)');
const listQuery = z.object({
  filter: z.string().optional(),
  startIndex: z.string().optional(),
  count: z.string().optional(),
  attributes: z.string().optional(),
  excludedAttributes: z.string().optional(),
});
const projectionQuery = listQuery.pick({ attributes: true, excludedAttributes: true });
const groupParams = z.object({ groupId: z.string() });
const idParams = z.object({ groupId: z.string(), id: z.string() });

type Deps = { platform: Platform; access: ScimAccessService; users: ScimUsersService; groups: ScimGroupsService };

function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown) {
  const { status, body: errBody, headers } = toScimError(err);
  req.scimFailure = { scimType: errBody.scimType, detail: errBody.detail };
  if (status >= 500) req.log.error({ err }, 'unhandled SCIM error');
  if (headers) void reply.headers(headers);
  return reply.status(status).type(SCIM_CONTENT_TYPE).send(errBody);
}

/**
 * The SCIM 2.0 service provider of one SCIM group, registered under
 * `/scim/v2/groups/:groupId`. Its own hooks authenticate the group's token (another group's token
 * is a 401), take from the group's token bucket, log every request, and answer errors in the
 * RFC 7644 §3.12 shape.
 */
export function scimProtocolRoutes({ platform, access, users, groups }: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.setErrorHandler((err, req, reply) => sendError(req, reply, err));
    const requestLog = createRequestLogBuffer(access, platform.now, (err) => platform.log.warn({ err }, 'could not write the SCIM request log'));
    app.addHook('onClose', async () => {
      await requestLog.flush();
      await access.flushBuckets();
    });

    app.addHook('onRequest', async (req) => {
      const { groupId } = req.params as { groupId: string };
      const auth = await access.authenticate(bearerToken(req), groupId);
      if (!auth) throw scimUnauthorized();
      req.scimCredential = auth.cred;
      if (auth.retryAfter > 0) throw scimError(429, undefined, 'Too many requests for this SCIM group; retry later', { 'retry-after': String(auth.retryAfter) });
    });

    app.addHook('onSend', async (_req, reply, payload) => {
      void reply.header('content-type', SCIM_CONTENT_TYPE);
      return payload;
    });

    app.addHook('onResponse', async (req, reply) => {
      access.afterResponse();
      const { groupId } = req.params as { groupId: string };
      const tenantId = req.scimCredential?.tenantId ?? (reply.statusCode === 401 ? await access.groupTenant(groupId).catch(() => undefined) : undefined);
      if (!tenantId) return;
      const path = req.url.startsWith(`${SCIM_PREFIX}${groupId}`) ? req.url.slice(SCIM_PREFIX.length + groupId.length) || '/' : req.url;
      requestLog.add({
        tenantId,
        groupId: req.scimCredential?.groupId ?? groupId.toLowerCase(),
        method: req.method,
        path,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
        scimType: req.scimFailure?.scimType,
        errorDetail: req.scimFailure?.detail,
        requestId: String(req.id),
      });
    });

    const caller = (req: FastifyRequest): ScimCaller => {
      const cred = req.scimCredential!;
      const actor: Actor = { kind: 'scim', id: cred.tokenId, label: `SCIM (${cred.groupName})`, requestId: String(req.id) };
      return { tenantId: cred.tenantId, groupId: cred.groupId, actor };
    };
    const base = (req: FastifyRequest) => scimBaseUrl(platform.config.publicUrl, req.scimCredential!.groupId);
    const tags = ['scim'];

    // Discovery
    app.get('/ServiceProviderConfig', { schema: { tags, summary: 'What this SCIM server supports', params: groupParams, response: { 200: resource } } }, async (req) =>
      serviceProviderConfig(base(req), platform.config.bodyLimit),
    );
    app.get('/ResourceTypes', { schema: { tags, summary: 'User and Group', params: groupParams, response: { 200: resource } } }, async (req) => {
      const list = resourceTypes(base(req));
      return listResponse(list, list.length, 1);
    });
    app.get('/ResourceTypes/:id', { schema: { tags, summary: 'One resource type', params: idParams, response: { 200: resource } } }, async (req) => {
      const found = resourceTypes(base(req)).find((r) => r.id.toLowerCase() === req.params.id.toLowerCase());
      if (!found) throw scimNotFound('ResourceType', req.params.id);
      return found;
    });
    app.get('/Schemas', { schema: { tags, summary: 'User, Enterprise User, Group', params: groupParams, response: { 200: resource } } }, async (req) => {
      const list = schemas(base(req));
      return listResponse(list, list.length, 1);
    });
    app.get('/Schemas/:id', { schema: { tags, summary: 'One schema', params: idParams, response: { 200: resource } } }, async (req) => {
      const found = schemas(base(req)).find((s) => s.id.toLowerCase() === req.params.id.toLowerCase());
      if (!found) throw scimNotFound('Schema', req.params.id);
      return found;
    });

    // Users
    app.get('/Users', { schema: { tags, summary: 'List or filter users', params: groupParams, querystring: listQuery, response: { 200: resource } } }, async (req) => {
      const { total, rows, startIndex } = await users.list(caller(req), req.query);
      const a = attributeList(req.query.attributes);
      const x = attributeList(req.query.excludedAttributes);
      return listResponse(
        rows.map((r) => project(presentUser(r, base(req)), a, x)),
        total,
        startIndex,
      );
    });
    app.get('/Users/:id', { schema: { tags, summary: 'One user', params: idParams, querystring: projectionQuery, response: { 200: resource } } }, async (req) => {
      const row = await users.get(caller(req), req.params.id);
      return project(presentUser(row, base(req)), attributeList(req.query.attributes), attributeList(req.query.excludedAttributes));
    });
    app.post('/Users', { schema: { tags, summary: 'Create a user (a member of this group)', params: groupParams, body, response: { 201: resource } } }, async (req, reply) => {
      const row = await users.create(caller(req), req.body);
      const out = presentUser(row, base(req));
      return reply.status(201).header('location', (out.meta as { location: string }).location).send(out);
    });
    app.put('/Users/:id', { schema: { tags, summary: 'Replace a user', params: idParams, body, response: { 200: resource } } }, async (req) =>
      presentUser(await users.replace(caller(req), req.params.id, req.body), base(req)),
    );
    app.patch('/Users/:id', { schema: { tags, summary: 'Patch a user (all operations or none)', params: idParams, body, response: { 200: resource } } }, async (req) =>
      presentUser(await users.patch(caller(req), req.params.id, req.body), base(req)),
    );
    app.delete('/Users/:id', { schema: { tags, summary: 'Remove a user from the group', params: idParams, response: { 204: z.null() } } }, async (req, reply) => {
      await users.remove(caller(req), req.params.id);
      return reply.status(204).send(null);
    });

    // Groups (of the identity provider, inside this SCIM group)
    app.get('/Groups', { schema: { tags, summary: 'List or filter IdP groups', params: groupParams, querystring: listQuery, response: { 200: resource } } }, async (req) => {
      const a = attributeList(req.query.attributes);
      const x = attributeList(req.query.excludedAttributes);
      const { total, startIndex, groups: list } = await groups.list(caller(req), req.query, wants('members', a, x));
      return listResponse(
        list.map((g) => project(presentGroup(g, base(req)), a, x)),
        total,
        startIndex,
      );
    });
    app.get('/Groups/:id', { schema: { tags, summary: 'One IdP group', params: idParams, querystring: projectionQuery, response: { 200: resource } } }, async (req) => {
      const a = attributeList(req.query.attributes);
      const x = attributeList(req.query.excludedAttributes);
      return project(presentGroup(await groups.get(caller(req), req.params.id, wants('members', a, x)), base(req)), a, x);
    });
    app.post('/Groups', { schema: { tags, summary: 'Create an IdP group', params: groupParams, body, response: { 201: resource } } }, async (req, reply) => {
      const out = presentGroup(await groups.create(caller(req), req.body), base(req));
      return reply.status(201).header('location', (out.meta as { location: string }).location).send(out);
    });
    app.put('/Groups/:id', { schema: { tags, summary: 'Replace an IdP group', params: idParams, body, response: { 200: resource } } }, async (req) =>
      presentGroup(await groups.replace(caller(req), req.params.id, req.body), base(req)),
    );
    app.patch(
      '/Groups/:id',
      { schema: { tags, summary: 'Patch an IdP group (members add/remove/replace; all or none)', params: idParams, querystring: projectionQuery, body, response: { 200: resource, 204: z.null() } } },
      async (req) => {
        const a = attributeList(req.query.attributes);
        const x = attributeList(req.query.excludedAttributes);
        return project(presentGroup(await groups.patch(caller(req), req.params.id, req.body, wants('members', a, x)), base(req)), a, x);
      },
    );
    app.delete('/Groups/:id', { schema: { tags, summary: 'Delete an IdP group', params: idParams, response: { 204: z.null() } } }, async (req, reply) => {
      await groups.remove(caller(req), req.params.id);
      return reply.status(204).send(null);
    });
  };
}

/** SCIM-shaped 404 for any unknown path under /scim (no credentials needed to learn it is unknown). */
export function scimNotFoundRoutes(): FastifyPluginAsyncZod {
  return async (app) => {
    app.setNotFoundHandler((req, reply) =>
      reply
        .status(404)
        .type(SCIM_CONTENT_TYPE)
        .send({ schemas: [URN.error], status: '404', detail: `No SCIM endpoint ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}` }),
    );
  };
}
