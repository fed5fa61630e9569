import type { FastifyRequest, onRouteHookHandler, preParsingHookHandler } from 'fastify';
import { AppError, unauthenticated } from '../errors.js';
import { assertCan, type Permission } from './permissions.js';
import { assertTenantWide } from './access.js';
import type { Principal } from './principal.js';
import type { Actor } from '../audit/audit.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** How the principal was authenticated; cookie sessions need the CSRF header on unsafe methods. */
    authVia?: 'cookie' | 'bearer' | 'device';
    /** The matched route's pattern once `routePath` has read it. */
    routePath?: string;
  }
}

export const SESSION_COOKIE = 'thr_session';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The route the router matched (its declared pattern, e.g. `/api/sites/:id`), or '' when none
 * did. Decisions about a request (which gate, which limiter) are made on this, never on the raw
 * URL: `/%61pi/…` and other spellings reach the same handler but do not start with `/api/`.
 */
export function routePath(req: FastifyRequest): string {
  // Fastify builds a fresh routeOptions object on every read of it: read once a request.
  return (req.routePath ??= req.routeOptions.url ?? '');
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** The principal, or 401. */
export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthenticated();
  return req.principal;
}

/** The principal holding `permission`, or 401/403. */
export function authorize(req: FastifyRequest, permission: Permission): Principal {
  if (!req.principal) throw unauthenticated();
  assertCan(req.principal, permission);
  return req.principal;
}

/**
 * The principal holding `permission` over the whole tenant: 401/403 as `authorize`, then 403
 * `forbidden` for a caller with any scope (the route changes or shows what belongs to no one site
 * or organisation: webhooks, the block list, the tenant's sign-in settings).
 */
export function authorizeTenantWide(req: FastifyRequest, permission: Permission, message?: string): Principal {
  const p = authorize(req, permission);
  assertTenantWide(p, message);
  return p;
}

/** A preParsing hook: 401 for a request the onRequest hooks found no principal for. */
const credentialFirst: preParsingHookHandler = (req, _reply, payload, done) => {
  if (!req.principal) return done(unauthenticated());
  done(null, payload);
};

/**
 * Authentication before input. An onRoute hook, added before any route: every route under
 * `/api/` needs a principal unless its schema says `security: []` (the OpenAPI document's own
 * word that no credential is needed: sign-in, invitations, password reset, kiosk pairing) or it
 * lies under one of `publicPrefixes` (the API's own documentation). Such a route refuses a request
 * without one in a preParsing hook of its own: after every onRequest hook (where credentials are
 * resolved, and refused when bad), before the body is read, parsed or validated and before its
 * path and query are. So an anonymous caller gets 401 from every route, never a 400 naming a
 * field, a 413 or a 415 that tells it the route's shape; handlers still `authorize` (403).
 * Routes outside `/api/` are the health checks, the web app's files and SCIM, which refuses a bad
 * token in its own onRequest hook.
 */
export function credentialFirstOnRoute(publicPrefixes: readonly string[]): onRouteHookHandler {
  return (route) => {
    if (!route.url.startsWith('/api/') || publicPrefixes.some((p) => route.url === p || route.url.startsWith(`${p}/`))) return;
    const security = (route.schema as { security?: unknown[] } | undefined)?.security;
    if (Array.isArray(security) && security.length === 0) return;
    const own = route.preParsing;
    route.preParsing = [credentialFirst, ...(own === undefined ? [] : Array.isArray(own) ? own : [own])];
  };
}

export function actorOf(req: FastifyRequest): Actor {
  const p = req.principal;
  if (!p) throw new AppError(401, 'unauthenticated', 'Authentication required');
  return { kind: p.kind, id: p.id, label: p.label, requestId: String(req.id) };
}
