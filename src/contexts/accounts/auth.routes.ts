import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform/platform.js';
import { requirePrincipal, SESSION_COOKIE } from '../../platform/http/auth.js';
import { SESSION_TTL_MS, type AccountsService } from './accounts.service.js';
import { presentMe } from './accounts.presenters.js';
import { roleSchema, scopeSchema } from './users/users.schemas.js';

const reachExtentSchema = z.enum(['all', 'some', 'none']);

export const meSchema = z.object({
  user: z.object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    totpEnabled: z.boolean(),
    scopes: z.array(scopeSchema),
    /** How far the user reaches: all sites or organisations (no scope), those their scopes name, or none (scoped to the other kind alone). */
    reach: z.object({ sites: reachExtentSchema, organisations: reachExtentSchema }),
  }),
  tenant: z.object({ id: z.string(), name: z.string(), kind: z.string(), require2fa: z.boolean() }),
  csrfToken: z.string(),
  /** The password was right; POST /api/auth/totp with a code to finish signing in. */
  totpRequired: z.boolean(),
  /** The tenant requires two-factor sign-in and this user has not set it up yet. */
  mustEnrolTotp: z.boolean(),
});

/** The session cookie: httpOnly, SameSite=Lax, Secure when served over https. */
export function setSessionCookie(reply: FastifyReply, platform: Pick<Platform, 'config'>, token: string) {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: platform.config.publicUrl.startsWith('https://'),
    path: '/',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export function authRoutes(platform: Platform, accounts: AccountsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in with email and password; sets the session cookie',
          security: [],
          body: z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) }),
          response: { 200: meSchema },
        },
      },
      async (req, reply) => {
        const result = await accounts.login({ ...req.body, ip: req.ip });
        setSessionCookie(reply, platform, result.token);
        const tenant = await accounts.tenantOf(result.user.tenantId);
        return presentMe(result.user, await accounts.scopesOf(result.user), tenant, result.session.csrfToken, result.totpRequired);
      },
    );

    app.post(
      '/api/auth/logout',
      { schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null() } } },
      async (req, reply) => {
        const p = requirePrincipal(req);
        if (p.sessionId) await accounts.logout(p.sessionId);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/auth/me',
      { schema: { tags: ['auth'], summary: 'The signed-in user, tenant and CSRF token', response: { 200: meSchema } } },
      async (req) => {
        const p = requirePrincipal(req);
        const me = await accounts.me(p, req.authSession);
        return me;
      },
    );

    // The web app's question on opening: /api/auth/me's answer, or null when nobody has signed in
    // in this browser (a 200, where /me's 401 would be an error in the console of every sign-in page).
    app.get(
      '/api/auth/session',
      {
        schema: {
          tags: ['auth'],
          summary: "This browser's session: the signed-in user, tenant and CSRF token, or null when not signed in",
          security: [],
          response: { 200: z.object({ me: meSchema.nullable() }) },
        },
      },
      async (req) => {
        const p = req.principal;
        // Only a cookie session is a session: an API key, a kiosk or no credential at all has none.
        if (!p || req.authVia !== 'cookie' || !req.authSession) return { me: null };
        return { me: await accounts.me(p, req.authSession) };
      },
    );
  };
}
