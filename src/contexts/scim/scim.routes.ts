import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform/platform.js';
import { bearerToken } from '../../platform/http/auth.js';
import type { Actor } from '../../platform/audit/audit.js';
import { AppError } from '../../platform/errors.js';
import { invalidSyntax, invalidValue, SCIM_CONTENT_TYPE, scimError, scimNotFound, scimUnauthorized, toScimError } from './scim.errors.js';
import { SCIM_CHANGED_CHANNEL, type ScimAccessService, type ScimAuth, type ScimCredential } from './access/access.service.js';
import { GROUPS_CHANGED_CHANNEL } from '../signin/index.js';
import { createNotifier } from '../../platform/live/notify.js';
import { createRequestLogBuffer } from './access/request-log.js';
import type { ScimCaller, ScimUsersService } from './users/users.service.js';
import type { ScimGroupsService } from './groups/groups.service.js';
import { listResponse, listResponseText, scimBaseUrl, type ScimJson } from './resource/resource.presenters.js';
import { attributeList, project, wants } from './resource/projection.js';
import { presentUser } from './users/users.presenters.js';
import { presentGroup } from './groups/groups.presenters.js';
import { isObject } from './resource/canonical.js';
import { etagOf, notModified } from './resource/etag.js';
import { paging } from './resource/listing.js';
import { badTextIn } from './resource/text.js';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery.presenters.js';

declare module 'fastify' {
  interface FastifyRequest {
    scimCredential?: ScimCredential;
    scimFailure?: { scimType?: string; detail: string };
  }
}

const SCIM_PREFIX = '/scim/v2/groups/';

const resource = z.record(z.string(), z.unknown()).describe('A SCIM resource or ListResponse');
const body = z.unknown().describe('A SCIM resource or PatchOp (application/scim+json or application/json)');
const searchBody = z.unknown().describe('A SearchRequest (RFC 7644 §3.4.3): filter, attributes, excludedAttributes, sortBy, sortOrder, startIndex, count, cursor');
const listQuery = z.object({
  filter: z.string().optional(),
  startIndex: z.string().optional(),
  count: z.string().optional(),
  sortBy: z.string().optional(),
  sortOrder: z.string().optional(),
  cursor: z.string().optional().describe('RFC 9865 cursor paging: empty for the first page, then the nextCursor of the previous page'),
  attributes: z.string().optional(),
  excludedAttributes: z.string().optional(),
});
type Query = z.infer<typeof listQuery>;
const projectionQuery = listQuery.pick({ attributes: true, excludedAttributes: true });
const groupParams = z.object({ groupId: z.string() });
const idParams = z.object({ groupId: z.string(), id: z.string() });
const anyParams = z.object({ groupId: z.string(), resource: z.string(), id: z.string().optional() });
const etagHeaders = z.object({ 'if-match': z.string().optional(), 'if-none-match': z.string().optional() }).passthrough();

type Deps = { platform: Platform; access: ScimAccessService; users: ScimUsersService; groups: ScimGroupsService };

/** JSON text made by PostgreSQL (and spliced here): written as it is, in the SCIM content type. */
function sendJsonText(reply: FastifyReply, json: string) {
  return reply.type(SCIM_CONTENT_TYPE).serializer(asIs).send(json as never);
}
const asIs = (body: unknown) => body as string;

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
    // Every SCIM answer is a presenter's JSON object (`resource` documents it as a record of
    // anything: checking it against that with zod copied every key and proved nothing), so it is
    // written as it is.
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    const requestLog = createRequestLogBuffer(access, platform.now, (err) => platform.log.warn({ err }, 'could not write the SCIM request log'));
    // Credentials cached by this instance are dropped when another changes a group's token or limit.
    const notifier = createNotifier(platform.database, platform.log);
    await notifier.subscribe(SCIM_CHANGED_CHANNEL, (groupId) => access.forgetCredentials(groupId));
    // …and when sign-in archives the group (authentication refuses an archived group once it reads it again).
    await notifier.subscribe(GROUPS_CHANGED_CHANNEL, (groupId) => access.forgetCredentials(groupId));
    app.addHook('onClose', async () => {
      await notifier.close();
      await requestLog.flush();
      await access.flushBuckets();
    });

    // The plugin's hooks are callback hooks that finish without a promise when they can (a
    // credential known to this instance, no body, a logged-in request): each runs on every SCIM
    // request (decision 028).
    const admit = (req: FastifyRequest, auth: ScimAuth | undefined): Error | undefined => {
      if (!auth) return scimUnauthorized();
      req.scimCredential = auth.cred;
      if (auth.retryAfter > 0) return scimError(429, undefined, 'Too many requests for this SCIM group; retry later', { 'retry-after': String(auth.retryAfter) });
      return undefined;
    };
    app.addHook('onRequest', (req, _reply, done) => {
      const { groupId } = req.params as { groupId: string };
      const token = bearerToken(req);
      const known = access.authenticateFromMemory(token, groupId);
      if (known) return done(admit(req, known));
      access.authenticate(token, groupId).then((auth) => done(admit(req, auth)), done);
    });

    // A DELETE (or GET) that names a JSON content type but sends no body is fine (Entra does it);
    // an empty body where one is needed is refused by the handler as invalidSyntax.
    const json = app.getDefaultJsonParser('error', 'ignore');
    app.removeContentTypeParser(['application/json', 'application/scim+json']);
    app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, (req, raw, done) => {
      const text = typeof raw === 'string' ? raw : raw.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      return json(req, text, done);
    });

    // Text the database cannot hold, anywhere in the body: 400 invalidValue naming where.
    app.addHook('preValidation', (req, _reply, done) => {
      const where = req.body === undefined ? undefined : badTextIn(req.body);
      done(where ? invalidValue(`${where} contains a NUL character or a lone UTF-16 surrogate`) : undefined);
    });

    app.addHook('onSend', (_req, reply, payload, done) => {
      void reply.header('content-type', SCIM_CONTENT_TYPE);
      done(null, payload);
    });

    const logRequest = (req: FastifyRequest, reply: FastifyReply, tenantId: string, groupId: string) => {
      const { groupId: given } = req.params as { groupId: string };
      const path = req.url.startsWith(`${SCIM_PREFIX}${given}`) ? req.url.slice(SCIM_PREFIX.length + given.length) || '/' : req.url;
      requestLog.add({
        tenantId,
        groupId,
        method: req.method,
        path,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
        scimType: req.scimFailure?.scimType,
        errorDetail: req.scimFailure?.detail,
        requestId: String(req.id),
      });
    };
    app.addHook('onResponse', (req, reply, done) => {
      access.afterResponse();
      const cred = req.scimCredential;
      if (cred) {
        logRequest(req, reply, cred.tenantId, cred.groupId);
        return done();
      }
      // A rejected token is logged where the group's admin sees it, when the URL names a group.
      if (reply.statusCode !== 401) return done();
      const { groupId } = req.params as { groupId: string };
      access.groupTenant(groupId).then(
        (tenantId) => {
          if (tenantId) logRequest(req, reply, tenantId, groupId.toLowerCase());
          done();
        },
        () => done(),
      );
    });

    const caller = (req: FastifyRequest): ScimCaller => {
      const cred = req.scimCredential!;
      const actor: Actor = { kind: 'scim', id: cred.tokenId, label: `SCIM (${cred.groupName})`, requestId: String(req.id) };
      return { tenantId: cred.tenantId, groupId: cred.groupId, actor };
    };
    const base = (req: FastifyRequest) => scimBaseUrl(platform.config.publicUrl, req.scimCredential!.groupId);

    const tags = ['scim'];
    type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
    const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;
    const queryOf = (req: FastifyRequest) => req.query as Query;
    const header = (req: FastifyRequest, name: 'if-match' | 'if-none-match') => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const projection = (q: Query) => [attributeList(q.attributes), attributeList(q.excludedAttributes)] as const;

    async function listUsers(req: FastifyRequest, q: Query) {
      const [a, x] = projection(q);
      const presented = await users.listPresented(caller(req), q, base(req));
      if (presented) {
        const resources = JSON.parse(`[${presented.itemsJson}]`) as ScimJson[];
        return listResponse(
          resources.map((r) => project(r, a, x)),
          presented.total,
          presented.startIndex,
        );
      }
      const { total, rows, page } = await users.list(caller(req), q);
      return listResponse(
        rows.map((r) => project(presentUser(r, base(req)), a, x)),
        total,
        page,
      );
    }
    /**
     * GET /Users and POST /Users/.search. A plain list (no filter or `userName eq`, default order,
     * index paging, no projection) is written as PostgreSQL presented it: the ListResponse around
     * the page's JSON text, nothing parsed or serialised (decision 028).
     */
    async function sendUsers(req: FastifyRequest, reply: FastifyReply, q: Query) {
      if (!q.attributes && !q.excludedAttributes) {
        const presented = await users.listPresented(caller(req), q, base(req));
        if (presented) return sendJsonText(reply, listResponseText(presented.itemsJson, presented.items, presented.total, presented.startIndex));
      }
      return listUsers(req, q);
    }
    async function listGroups(req: FastifyRequest, q: Query) {
      const [a, x] = projection(q);
      const { total, page, groups: list } = await groups.list(caller(req), q, wants('members', a, x));
      return listResponse(
        list.map((g) => project(presentGroup(g, base(req)), a, x)),
        total,
        page,
      );
    }
    /** POST /.search at the root: Users then Groups, paged over the two together (sorted within each). */
    async function searchAll(req: FastifyRequest, q: Query) {
      if (q.cursor !== undefined) throw invalidValue('Cursor paging is offered on /Users/.search and /Groups/.search, not at the root');
      const { startIndex, count } = paging(q);
      const attempt = async <T>(fn: () => Promise<T>): Promise<T | AppError> => {
        try {
          return await fn();
        } catch (err) {
          if (err instanceof AppError && err.details.extra?.scimType === 'invalidFilter') return err;
          throw err;
        }
      };
      // A filter on an attribute only one resource type has leaves the other type out.
      const u = await attempt(() => listUsers(req, { ...q, startIndex: String(startIndex), count: String(count) }));
      const usersTotal = u instanceof AppError ? 0 : (u.totalResults as number);
      const skipGroups = Math.max(0, startIndex - 1 - usersTotal);
      const taken = u instanceof AppError ? [] : (u.Resources as ScimJson[]);
      const g = await attempt(() => listGroups(req, { ...q, startIndex: String(skipGroups + 1), count: String(Math.max(0, count - taken.length)) }));
      if (u instanceof AppError && g instanceof AppError) throw u;
      const groupsTotal = g instanceof AppError ? 0 : (g.totalResults as number);
      const resources = [...taken, ...(g instanceof AppError ? [] : (g.Resources as ScimJson[]))];
      return listResponse(resources, usersTotal + groupsTotal, startIndex);
    }

    /** A resource's JSON text presented by PostgreSQL: written as it is, or parsed and projected when the query asks for attributes. */
    const sendPresented = (req: FastifyRequest, reply: FastifyReply, json: string) => {
      const [a, x] = projection(queryOf(req));
      if (a.length === 0 && x.length === 0) return sendJsonText(reply, json);
      return reply.send(project(JSON.parse(json) as ScimJson, a, x));
    };
    const withEtag = (reply: FastifyReply, out: ScimJson) => reply.header('etag', (out.meta as { version: string }).version);

    /** Every operation, by `METHOD resource[/:id]` in lower case (the resource segment is case-insensitive). */
    const handlers: Record<string, Handler> = {
      'GET serviceproviderconfig': async (req) => serviceProviderConfig(base(req), platform.config.bodyLimit),
      'GET resourcetypes': async (req) => {
        const list = resourceTypes(base(req));
        return listResponse(list, list.length, 1);
      },
      'GET resourcetypes/:id': async (req) => {
        const found = resourceTypes(base(req)).find((r) => r.id.toLowerCase() === idOf(req).toLowerCase());
        if (!found) throw scimNotFound('ResourceType', idOf(req));
        return found;
      },
      'GET schemas': async (req) => {
        const list = schemas(base(req));
        return listResponse(list, list.length, 1);
      },
      'GET schemas/:id': async (req) => {
        const found = schemas(base(req)).find((x) => x.id.toLowerCase() === idOf(req).toLowerCase());
        if (!found) throw scimNotFound('Schema', idOf(req));
        return found;
      },

      'GET users': async (req, reply) => sendUsers(req, reply, queryOf(req)),
      'POST users/.search': async (req, reply) => sendUsers(req, reply, searchQuery(req.body)),
      // The user as PostgreSQL presented it (its stored `doc`), written as is unless projected.
      'GET users/:id': async (req, reply) => {
        const { version, json } = await users.get(caller(req), idOf(req), base(req));
        void reply.header('etag', etagOf(version));
        if (notModified(header(req, 'if-none-match'), version)) return reply.status(304).send();
        const [a, x] = projection(queryOf(req));
        if (a.length === 0 && x.length === 0) return sendJsonText(reply, json);
        return project(JSON.parse(json) as ScimJson, a, x);
      },
      // The new user as PostgreSQL presented it (its stored `doc`), written as is unless projected.
      'POST users': async (req, reply) => {
        const made = await users.create(caller(req), req.body, base(req));
        void reply.status(201).header('etag', etagOf(made.version)).header('location', `${base(req)}/Users/${made.id}`);
        return sendPresented(req, reply, made.json);
      },
      'PUT users/:id': async (req, reply) => {
        const out = presentUser(await users.replace(caller(req), idOf(req), req.body, header(req, 'if-match')), base(req));
        void withEtag(reply, out);
        return project(out, ...projection(queryOf(req)));
      },
      // Users PATCH answers 200 with the resource: Okta reads `active` from it.
      'PATCH users/:id': async (req, reply) => {
        // `active` alone (deprovisioning): the user after as PostgreSQL presented it.
        const set = await users.patchActive(caller(req), idOf(req), req.body, header(req, 'if-match'), base(req));
        if (set) return sendPresented(req, reply.header('etag', etagOf(set.version)), set.json);
        const out = presentUser(await users.patch(caller(req), idOf(req), req.body, header(req, 'if-match')), base(req));
        void withEtag(reply, out);
        return project(out, ...projection(queryOf(req)));
      },
      'DELETE users/:id': async (req, reply) => {
        await users.remove(caller(req), idOf(req), header(req, 'if-match'));
        return reply.status(204).send();
      },

      'GET groups': async (req) => listGroups(req, queryOf(req)),
      'POST groups/.search': async (req) => listGroups(req, searchQuery(req.body)),
      'GET groups/:id': async (req, reply) => {
        const [a, x] = projection(queryOf(req));
        const g = await groups.get(caller(req), idOf(req), wants('members', a, x));
        if (notModified(header(req, 'if-none-match'), g.version)) return reply.status(304).header('etag', etagOf(g.version)).send();
        const out = presentGroup(g, base(req));
        void withEtag(reply, out);
        return project(out, a, x);
      },
      'POST groups': async (req, reply) => {
        const out = presentGroup(await groups.create(caller(req), req.body), base(req));
        void withEtag(reply, out).header('location', (out.meta as { location: string }).location);
        return reply.status(201).send(project(out, ...projection(queryOf(req))));
      },
      'PUT groups/:id': async (req, reply) => {
        const out = presentGroup(await groups.replace(caller(req), idOf(req), req.body, header(req, 'if-match')), base(req));
        void withEtag(reply, out);
        return project(out, ...projection(queryOf(req)));
      },
      // Groups PATCH answers 204 No Content, as Entra and Okta document it (the new version in ETag).
      'PATCH groups/:id': async (req, reply) => {
        const g = await groups.patch(caller(req), idOf(req), req.body, false, header(req, 'if-match'));
        return reply.status(204).header('etag', etagOf(g.version)).send();
      },
      'DELETE groups/:id': async (req, reply) => {
        await groups.remove(caller(req), idOf(req), header(req, 'if-match'));
        return reply.status(204).send();
      },

      'POST .search': async (req) => searchAll(req, searchQuery(req.body)),
    };
    const run = (key: string): Handler => handlers[key]!;
    // Handlers are shared by the documented and the any-case routes, so they are typed loosely.
    const r = app as unknown as FastifyInstance;

    // The documented routes, spelt as RFC 7644 spells them.
    const read = { 200: resource, 304: z.null() };
    r.get('/ServiceProviderConfig', { schema: { tags, summary: 'What this SCIM server supports', params: groupParams, response: { 200: resource } } }, run('GET serviceproviderconfig'));
    r.get('/ResourceTypes', { schema: { tags, summary: 'User and Group', params: groupParams, response: { 200: resource } } }, run('GET resourcetypes'));
    r.get('/ResourceTypes/:id', { schema: { tags, summary: 'One resource type', params: idParams, response: { 200: resource } } }, run('GET resourcetypes/:id'));
    r.get('/Schemas', { schema: { tags, summary: 'User, Enterprise User, Group', params: groupParams, response: { 200: resource } } }, run('GET schemas'));
    r.get('/Schemas/:id', { schema: { tags, summary: 'One schema', params: idParams, response: { 200: resource } } }, run('GET schemas/:id'));

    const listSummary = 'filter, attributes, sortBy/sortOrder, startIndex/count or cursor/count (RFC 9865)';
    r.get('/Users', { schema: { tags, summary: `List users: ${listSummary}`, params: groupParams, querystring: listQuery, response: { 200: resource } } }, run('GET users'));
    r.post('/Users/.search', { schema: { tags, summary: 'Search users (as GET /Users, the query in the body)', params: groupParams, body: searchBody, response: { 200: resource } } }, run('POST users/.search'));
    r.get('/Users/:id', { schema: { tags, summary: 'One user (If-None-Match: 304 when unchanged)', params: idParams, querystring: projectionQuery, headers: etagHeaders, response: read } }, run('GET users/:id'));
    r.post('/Users', { schema: { tags, summary: 'Create a user (a member of this group)', params: groupParams, querystring: projectionQuery, body, response: { 201: resource } } }, run('POST users'));
    r.put('/Users/:id', { schema: { tags, summary: 'Replace a user (If-Match honoured)', params: idParams, querystring: projectionQuery, headers: etagHeaders, body, response: { 200: resource } } }, run('PUT users/:id'));
    r.patch('/Users/:id', { schema: { tags, summary: 'Patch a user, all operations or none (If-Match honoured)', params: idParams, querystring: projectionQuery, headers: etagHeaders, body, response: { 200: resource } } }, run('PATCH users/:id'));
    r.delete('/Users/:id', { schema: { tags, summary: 'Remove a user from the group (If-Match honoured)', params: idParams, headers: etagHeaders, response: { 204: z.null() } } }, run('DELETE users/:id'));

    r.get('/Groups', { schema: { tags, summary: `List IdP groups: ${listSummary}`, params: groupParams, querystring: listQuery, response: { 200: resource } } }, run('GET groups'));
    r.post('/Groups/.search', { schema: { tags, summary: 'Search IdP groups (as GET /Groups, the query in the body)', params: groupParams, body: searchBody, response: { 200: resource } } }, run('POST groups/.search'));
    r.get('/Groups/:id', { schema: { tags, summary: 'One IdP group with its members (If-None-Match: 304 when unchanged)', params: idParams, querystring: projectionQuery, headers: etagHeaders, response: read } }, run('GET groups/:id'));
    r.post('/Groups', { schema: { tags, summary: 'Create an IdP group', params: groupParams, querystring: projectionQuery, body, response: { 201: resource } } }, run('POST groups'));
    r.put('/Groups/:id', { schema: { tags, summary: 'Replace an IdP group (If-Match honoured)', params: idParams, querystring: projectionQuery, headers: etagHeaders, body, response: { 200: resource } } }, run('PUT groups/:id'));
    r.patch('/Groups/:id', { schema: { tags, summary: 'Patch an IdP group: members add/remove/replace, all or none; 204 (If-Match honoured)', params: idParams, headers: etagHeaders, body, response: { 204: z.null() } } }, run('PATCH groups/:id'));
    r.delete('/Groups/:id', { schema: { tags, summary: 'Delete an IdP group (If-Match honoured)', params: idParams, headers: etagHeaders, response: { 204: z.null() } } }, run('DELETE groups/:id'));

    r.post('/.search', { schema: { tags, summary: 'Search users and IdP groups together', params: groupParams, body: searchBody, response: { 200: resource } } }, run('POST .search'));

    // Resource segments in any case (`/users`, `/USERS/:id`): the static routes above win for the
    // RFC spelling; these catch every other spelling and dispatch to the same handler.
    const dispatch: Handler = async (req, reply) => {
      const { resource: segment, id } = req.params as z.infer<typeof anyParams>;
      const key = id === undefined ? `${req.method} ${segment.toLowerCase()}` : id.toLowerCase() === '.search' && req.method === 'POST' ? `POST ${segment.toLowerCase()}/.search` : `${req.method} ${segment.toLowerCase()}/:id`;
      const handler = handlers[key];
      if (!handler) throw scimError(404, undefined, `No SCIM endpoint ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`);
      return handler(req, reply);
    };
    const hidden = { hide: true, params: anyParams, querystring: listQuery };
    r.route({ method: ['GET', 'POST'], url: '/:resource', schema: hidden, handler: dispatch });
    r.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/:resource/:id', schema: hidden, handler: dispatch });
  };
}

/** A SearchRequest body (RFC 7644 §3.4.3) as the query of a GET; attribute lists may be arrays. */
export function searchQuery(raw: unknown): Query {
  if (!isObject(raw)) throw invalidSyntax('The search request must be a JSON object');
  const get = (name: string) => raw[Object.keys(raw).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name];
  const str = (name: string): string | undefined => {
    const v = get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return String(v);
    throw invalidValue(`${name} must be a string${name === 'startIndex' || name === 'count' ? ' or an integer' : ''}`);
  };
  const list = (name: string): string | undefined => {
    const v = get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
    throw invalidValue(`${name} must be an array of attribute names`);
  };
  return {
    filter: str('filter'),
    startIndex: str('startIndex'),
    count: str('count'),
    sortBy: str('sortBy'),
    sortOrder: str('sortOrder'),
    cursor: str('cursor'),
    attributes: list('attributes'),
    excludedAttributes: list('excludedAttributes'),
  };
}
