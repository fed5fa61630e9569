import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import { AppError } from '../../platform/errors.js';
import { bearerToken, CSRF_HEADER, SESSION_COOKIE } from '../../platform/http/auth.js';
import { safeEqual } from '../../platform/crypto.js';
import { createAccountsService } from './accounts.service.js';
import { authRoutes } from './auth.routes.js';
import { createUsersService } from './users/users.service.js';
import { usersRoutes } from './users/users.routes.js';
import { createTenantService } from './tenant/tenant.service.js';
import { tenantRoutes } from './tenant/tenant.routes.js';
import { createInvitesService } from './invites/invites.service.js';
import { invitesRoutes } from './invites/invites.routes.js';
import { createPasswordService } from './password/password.service.js';
import { passwordRoutes } from './password/password.routes.js';
import { createTotpService } from './totp/totp.service.js';
import { totpRoutes } from './totp/totp.routes.js';
import { createApiKeysService } from './api-keys/api-keys.service.js';
import { apiKeysRoutes } from './api-keys/api-keys.routes.js';

export { createAccountsService, type AccountsService } from './accounts.service.js';
export { PASSWORD_MIN } from './passwords.js';
export type { UsersService } from './users/users.service.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** What a session that still owes its TOTP code may reach. */
const PENDING_TOTP_PATHS = new Set(['/api/auth/totp', '/api/auth/me', '/api/auth/logout']);
/** Routes that never act on the caller's session, so a stale or other cookie must not get in the way (kiosk pairing: a tablet may also hold a portal session). */
const SESSIONLESS_PATHS = new Set(['/api/auth/login', '/api/invites/accept', '/api/auth/password-reset/request', '/api/auth/password-reset/complete', '/api/kiosk/pair']);
/** What a user may reach before enrolling in TOTP when the tenant requires it. */
const ENROLMENT_PATHS = new Set(['/api/auth/me', '/api/auth/logout', '/api/auth/totp/setup', '/api/auth/totp/enable']);

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
        const path = req.url.split('?')[0]!.replace(/\/+$/, '');
        if (SESSIONLESS_PATHS.has(path)) return;
        const resolved = await accounts.principalFromSession(cookie);
        if (!resolved) return;
        if (resolved.session.pendingTotp && !PENDING_TOTP_PATHS.has(path)) return;
        if (UNSAFE.has(req.method)) {
          const header = req.headers[CSRF_HEADER];
          if (typeof header !== 'string' || !safeEqual(header, resolved.session.csrfToken)) {
            throw new AppError(403, 'csrf_failed', `Missing or wrong ${CSRF_HEADER} header`);
          }
        }
        const mustEnrol = resolved.tenant.require2fa && !resolved.user.totpEnabledAt && !resolved.session.pendingTotp;
        if (mustEnrol && path.startsWith('/api/') && !ENROLMENT_PATHS.has(path)) {
          throw new AppError(403, 'totp_enrolment_required', 'Your organisation requires two-factor sign-in: set it up first');
        }
        req.principal = resolved.principal;
        req.authVia = 'cookie';
      });
      await app.register(authRoutes(platform, accounts));
      await app.register(usersRoutes(createUsersService(platform)));
      await app.register(tenantRoutes(createTenantService(platform)));
      await app.register(invitesRoutes(platform, createInvitesService(platform)));
      await app.register(passwordRoutes(createPasswordService(platform)));
      await app.register(totpRoutes(createTotpService(platform)));
      await app.register(apiKeysRoutes(accounts, createApiKeysService(platform)));
    },
    { name: 'accounts' },
  );
}
