import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import { AppError } from '../../platform/errors.js';
import { bearerToken, CSRF_HEADER, SESSION_COOKIE } from '../../platform/http/auth.js';
import { safeEqual } from '../../platform/crypto.js';
import { createAccountsService } from './accounts.service.js';
import { authRoutes } from './auth.routes.js';

export { createAccountsService, type AccountsService } from './accounts.service.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Accounts: tenants, users, sessions, API keys. Its hook authenticates every request that
 * carries a session cookie or an API key (`Bearer thr_key_…`); other contexts authenticate their
 * own credentials (SCIM tokens, kiosk devices) in their own hooks.
 */
export function accountsContext(platform: Platform): FastifyPluginAsync {
  const accounts = createAccountsService(platform);
  return fp(
    async (app) => {
      app.decorateRequest('principal', undefined);
      app.decorateRequest('authVia', undefined);
      app.addHook('onRequest', async (req) => {
        if (req.url.startsWith('/scim/')) return; // SCIM authenticates itself
        const bearer = bearerToken(req);
        if (bearer?.startsWith('thr_key_')) {
          const principal = await accounts.principalFromApiKey(bearer);
          if (!principal) throw new AppError(401, 'invalid_api_key', 'Unknown or revoked API key');
          req.principal = principal;
          req.authVia = 'bearer';
          return;
        }
        const cookie = req.cookies[SESSION_COOKIE];
        if (!cookie || bearer) return;
        const resolved = await accounts.principalFromSession(cookie);
        if (!resolved) return;
        const isTotpRoute = req.url.startsWith('/api/auth/totp') || req.url.startsWith('/api/auth/logout') || req.url.startsWith('/api/auth/me');
        if (resolved.session.pendingTotp && !isTotpRoute) return;
        if (UNSAFE.has(req.method)) {
          const header = req.headers[CSRF_HEADER];
          if (typeof header !== 'string' || !safeEqual(header, resolved.session.csrfToken)) {
            throw new AppError(403, 'csrf_failed', `Missing or wrong ${CSRF_HEADER} header`);
          }
        }
        req.principal = resolved.principal;
        req.authVia = 'cookie';
      });
      await app.register(authRoutes(platform, accounts));
    },
    { name: 'accounts' },
  );
}
