import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform/platform.js';
import { requirePrincipal, SESSION_COOKIE } from '../../platform/http/auth.js';
import { SESSION_TTL_MS, type AccountsService } from './accounts.service.js';
import { presentMe } from './accounts.presenters.js';

export const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.string(), totpEnabled: z.boolean() }),
  tenant: z.object({ id: z.string(), name: z.string(), kind: z.string(), require2fa: z.boolean() }),
  csrfToken: z.string(),
  totpRequired: z.boolean(),
});

export function authRoutes(platform: Platform, accounts: AccountsService): FastifyPluginAsyncZod {
  const secure = platform.config.publicUrl.startsWith('https://');
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
        void reply.setCookie(SESSION_COOKIE, result.token, {
          httpOnly: true,
          sameSite: 'lax',
          secure,
          path: '/',
          maxAge: Math.floor(SESSION_TTL_MS / 1000),
        });
        const tenant = await accounts.tenantOf(result.user.tenantId);
        return presentMe(result.user, tenant, result.session.csrfToken, result.totpRequired);
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
        const me = await accounts.me(p);
        return me;
      },
    );
  };
}
