import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { actorOf, authorize, requirePrincipal } from '../../../platform/http/auth.js';
import { setSessionCookie } from '../auth.routes.js';
import { connectionCreateSchema, connectionPatchSchema, connectionSchema, connectionTestSchema, discoverSchema, oidcSettingsSchema } from './oidc.schemas.js';
import { CALLBACK_PATH, FLOW_TTL_MS, type OidcService } from './oidc.service.js';
import { presentConnection } from './oidc.presenters.js';

/** Binds a started sign-in to the browser that started it (a login-CSRF guard next to `state`). */
export const FLOW_COOKIE = 'thr_oidc';
const FLOW_COOKIE_PATH = '/api/auth/oidc';

const idParams = z.object({ id: z.uuid() });

export function oidcRoutes(platform: Pick<Platform, 'config'>, oidc: OidcService): FastifyPluginAsyncZod {
  const secure = platform.config.publicUrl.startsWith('https://');
  const refusedTo = (reply: FastifyReply, reason: string) => reply.redirect(`/login?refused=${encodeURIComponent(reason)}`, 302);

  return async (app) => {
    app.get(
      '/api/oidc/connections',
      { schema: { tags: ['oidc'], summary: 'The tenant’s identity provider (OpenID Connect) connections', response: { 200: z.object({ connections: z.array(connectionSchema) }) } } },
      async (req) => ({ connections: (await oidc.list(authorize(req, 'settings.manage'))).map(presentConnection) }),
    );

    app.post(
      '/api/oidc/connections',
      { schema: { tags: ['oidc'], summary: 'Add an identity provider connection (the client secret is stored encrypted)', body: connectionCreateSchema, response: { 201: connectionSchema } } },
      async (req, reply) => {
        const p = authorize(req, 'settings.manage');
        return reply.status(201).send(presentConnection(await oidc.create(p, actorOf(req), req.body)));
      },
    );

    app.get(
      '/api/oidc/connections/:id',
      { schema: { tags: ['oidc'], summary: 'One identity provider connection', params: idParams, response: { 200: connectionSchema } } },
      async (req) => presentConnection(await oidc.get(authorize(req, 'settings.manage'), req.params.id)),
    );

    app.patch(
      '/api/oidc/connections/:id',
      { schema: { tags: ['oidc'], summary: 'Change an identity provider connection (a blank secret keeps the stored one)', params: idParams, body: connectionPatchSchema, response: { 200: connectionSchema } } },
      async (req) => presentConnection(await oidc.update(authorize(req, 'settings.manage'), actorOf(req), req.params.id, req.body)),
    );

    app.delete(
      '/api/oidc/connections/:id',
      { schema: { tags: ['oidc'], summary: 'Delete an identity provider connection', params: idParams, response: { 204: z.null() } } },
      async (req, reply) => {
        await oidc.remove(authorize(req, 'settings.manage'), actorOf(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/oidc/connections/:id/test',
      { schema: { tags: ['oidc'], summary: 'Test a connection: discovery, signing keys, code flow with PKCE, client id and secret', params: idParams, response: { 200: connectionTestSchema } } },
      async (req) => oidc.test(authorize(req, 'settings.manage'), actorOf(req), req.params.id),
    );

    app.get(
      '/api/oidc/settings',
      { schema: { tags: ['oidc'], summary: 'Password sign-in on or off, and the redirect URI to register at the identity provider', response: { 200: oidcSettingsSchema } } },
      async (req) => oidc.settings(authorize(req, 'settings.manage')),
    );

    app.put(
      '/api/oidc/settings',
      {
        schema: {
          tags: ['oidc'],
          summary: 'Sign in only through the identity provider (owner only; `npm run cli -- oidc recover` undoes it)',
          body: z.object({ passwordSignInOff: z.boolean() }).strict(),
          response: { 200: oidcSettingsSchema },
        },
      },
      async (req) => oidc.setPasswordSignInOff(authorize(req, 'tenant.manage'), actorOf(req), req.body.passwordSignInOff),
    );

    app.get(
      '/api/auth/oidc/discover',
      {
        schema: {
          tags: ['auth'],
          summary: 'The identity provider buttons for an email’s domain, and whether password sign-in is allowed',
          security: [],
          querystring: z.object({ email: z.string().trim().max(320) }),
          response: { 200: discoverSchema },
        },
      },
      async (req) => oidc.discover(req.query.email),
    );

    app.get(
      '/api/auth/oidc/:id/start',
      {
        schema: {
          tags: ['auth'],
          summary: 'Start signing in through an identity provider: redirects there (PKCE, state, nonce)',
          security: [],
          params: idParams,
          querystring: z.object({ email: z.string().trim().max(320).optional() }),
        },
      },
      async (req, reply) => {
        const started = await oidc.start(req.params.id, req.query.email || undefined);
        if ('refused' in started) return refusedTo(reply, started.refused);
        void reply.setCookie(FLOW_COOKIE, started.browserToken, { httpOnly: true, sameSite: 'lax', secure, path: FLOW_COOKIE_PATH, maxAge: FLOW_TTL_MS / 1000 });
        return reply.redirect(started.url, 302);
      },
    );

    app.get(
      CALLBACK_PATH,
      {
        schema: {
          tags: ['auth'],
          summary: 'The identity provider’s answer (the redirect URI): a session, or the refusal page',
          security: [],
          querystring: z.looseObject({
            code: z.string().max(4096).optional(),
            state: z.string().max(512).optional(),
            iss: z.string().max(1000).optional(),
            error: z.string().max(200).optional(),
            error_description: z.string().max(2000).optional(),
          }),
        },
      },
      async (req, reply) => {
        const query = Object.fromEntries(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string'));
        const result = await oidc.callback(query, req.cookies[FLOW_COOKIE]);
        void reply.clearCookie(FLOW_COOKIE, { path: FLOW_COOKIE_PATH });
        if (!result.ok) return refusedTo(reply, result.reason);
        setSessionCookie(reply, platform, result.token);
        return reply.redirect('/', 302);
      },
    );

    app.get(
      '/api/auth/oidc/end-session',
      {
        schema: {
          tags: ['auth'],
          summary: 'For a session that began at an identity provider: its end-session URL to offer after signing out',
          response: { 200: z.object({ url: z.string().nullable(), label: z.string().nullable() }) },
        },
      },
      async (req) => oidc.endSession(requirePrincipal(req)),
    );
  };
}
