import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import { AppError } from '../../platform/errors.js';
import { bearerToken, CSRF_HEADER, routePath, SESSION_COOKIE } from '../../platform/http/auth.js';
import { safeEqual } from '../../platform/crypto.js';
import { createAccountsService, createAuthCaches } from './accounts.service.js';
import type { ResolvedSession } from './credentials.js';
import { AUTH_CHANGED_CHANNEL } from './auth-cache.js';
import { createNotifier } from '../../platform/live/notify.js';
import { authRoutes } from './auth.routes.js';
import { createUsersService, type ScopeTargets } from './users/users.service.js';
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
import { createOidcService } from './oidc/oidc.service.js';
import { oidcRoutes } from './oidc/oidc.routes.js';
import { createUsersPort } from './users/users.port.js';

export { createAccountsService, type AccountsService } from './accounts.service.js';
export { PASSWORD_MIN } from './passwords.js';
export type { UsersService, ScopeTargets } from './users/users.service.js';
export { createOidcService, type OidcService } from './oidc/oidc.service.js';
export { createUsersPort, type SiteContactCandidate, type UsersPort } from './users/users.port.js';
export { activeUserIdsByEmail, NOTIFICATION_EMAIL_JOB, notifyRole, notifyUsers, registerNotificationJobs, usersReachingSites, type NotificationMessage } from './notifications/notify.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** For a cookie session, what the auth hook resolved it to (GET /api/auth/me answers from it). */
    authSession?: ResolvedSession;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The routes whose changes may change who a cached session or API key is (see auth-cache.ts)… */
const ACCOUNTS_ROUTES = ['/api/auth/', '/api/users', '/api/tenant', '/api/invites', '/api/api-keys'];
/** …except those that only add a session or send an email. */
const UNCHANGING_ROUTES = new Set(['/api/auth/login', '/api/auth/password-reset/request']);
/** What a session that still owes its TOTP code may reach. */
const PENDING_TOTP_PATHS = new Set(['/api/auth/totp', '/api/auth/me', '/api/auth/session', '/api/auth/logout']);
/** Routes that never act on the caller's session, so a stale or other cookie must not get in the way (kiosk pairing: a tablet may also hold a portal session). */
const SESSIONLESS_PATHS = new Set(['/api/auth/login', '/api/invites/accept', '/api/auth/password-reset/request', '/api/auth/password-reset/complete', '/api/kiosk/pair']);
/** What a user may reach before enrolling in TOTP when the tenant requires it. */
const ENROLMENT_PATHS = new Set(['/api/auth/me', '/api/auth/session', '/api/auth/logout', '/api/auth/totp/setup', '/api/auth/totp/enable']);

/**
 * Accounts, built once per platform by the composition root (src/contexts/compose.ts): the
 * accounts service over the credential caches its hook uses, one service per feature, and the
 * UsersPort other contexts read users through. `scopeTargets`: where user scopes may point
 * (sign-in's sites, the record's organisations).
 */
export function createAccounts(platform: Platform, ports: { scopeTargets: ScopeTargets }) {
  const caches = createAuthCaches(platform.config.authCacheSeconds * 1000);
  return {
    caches,
    service: createAccountsService(platform, caches),
    usersPort: createUsersPort(),
    users: createUsersService({ ...platform, scopeTargets: ports.scopeTargets }),
    tenant: createTenantService(platform),
    invites: createInvitesService({ ...platform, scopeTargets: ports.scopeTargets }),
    password: createPasswordService(platform),
    totp: createTotpService(platform),
    apiKeys: createApiKeysService(platform),
    oidc: createOidcService(platform),
  };
}
export type Accounts = ReturnType<typeof createAccounts>;

/**
 * Accounts: tenants, users, sessions, API keys. Its hook authenticates every request that
 * carries a session cookie or an API key (`Bearer thr_key_…`); other contexts authenticate their
 * own credentials (SCIM tokens, kiosk devices) in their own hooks.
 */
export function accountsContext(platform: Platform, a: Accounts): FastifyPluginAsync {
  const { caches, service: accounts } = a;
  return fp(
    async (app) => {
      app.decorateRequest('principal', undefined);
      app.decorateRequest('authVia', undefined);
      app.decorateRequest('authSession', undefined);
      // Credentials cached on this instance are dropped when a change through the accounts routes
      // succeeds (here, before its response is sent) and, through NOTIFY, on every other instance.
      const notifier = createNotifier(platform.database, platform.log);
      const drop = (tenantId: string | undefined) => {
        caches.sessions.drop(tenantId);
        caches.apiKeys.drop(tenantId);
      };
      await notifier.subscribe(AUTH_CHANGED_CHANNEL, (payload) => drop(payload === '*' ? undefined : payload));
      // The global hooks below are callback hooks that finish without a promise when they have
      // nothing to do (every read, every SCIM request): they run on every request.
      app.addHook('onSend', (req, reply, payload, done) => {
        if (!UNSAFE.has(req.method) || reply.statusCode >= 400) return done(null, payload);
        const route = routePath(req);
        if (!route || !ACCOUNTS_ROUTES.some((r) => route.startsWith(r)) || UNCHANGING_ROUTES.has(route)) return done(null, payload);
        // Signed out, password reset and the like have no principal left: every tenant's entries.
        const tenantId = req.principal?.tenantId;
        drop(tenantId);
        notifier
          .notify(platform.db, AUTH_CHANGED_CHANNEL, tenantId ?? '*')
          .catch((err: unknown) => req.log.warn({ err }, 'could not announce an accounts change'))
          .then(() => done(null, payload), done);
      });
      app.addHook('onClose', async () => {
        await notifier.close();
      });
      app.addHook('onResponse', (_req, _reply, done) => {
        accounts.afterResponse();
        done();
      });
      app.addHook('onClose', async () => {
        await accounts.flushTouches();
      });
      const authenticate = async (req: FastifyRequest, path: string) => {
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
        // Multi-factor sign-in at the identity provider counts as two-factor (accounts/oidc).
        const mustEnrol = resolved.tenant.require2fa && !resolved.user.totpEnabledAt && !resolved.session.pendingTotp && !resolved.session.mfaByIdp;
        if (mustEnrol && path.startsWith('/api/') && !ENROLMENT_PATHS.has(path)) {
          throw new AppError(403, 'totp_enrolment_required', 'Your organisation requires two-factor sign-in: set it up first');
        }
        req.principal = resolved.principal;
        req.authVia = 'cookie';
        req.authSession = resolved;
      };
      app.addHook('onRequest', (req, _reply, done) => {
        // Decided on the matched route, never the raw URL (`/%61pi/…` reaches /api/… handlers).
        const path = routePath(req);
        if (path.startsWith('/scim/')) return done(); // SCIM authenticates itself
        if (req.headers.authorization === undefined && req.headers.cookie === undefined) return done(); // nothing to authenticate
        authenticate(req, path).then(() => done(), done);
      });
      await app.register(authRoutes(platform, accounts));
      await app.register(usersRoutes(a.users));
      await app.register(tenantRoutes(a.tenant));
      await app.register(invitesRoutes(platform, a.invites));
      await app.register(passwordRoutes(a.password));
      await app.register(totpRoutes(a.totp));
      await app.register(apiKeysRoutes(accounts, a.apiKeys));
      await app.register(oidcRoutes(platform, a.oidc));
    },
    { name: 'accounts' },
  );
}
