import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type FieldIssue } from '../errors.js';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../db/unavailable.js';
import { humanIssueMessage } from './validation-messages.js';

export type ErrorBody = {
  error: { code: string; message: string; field?: string; issues?: FieldIssue[]; requestId: string } & Record<
    string,
    unknown
  >;
};

/** Maps any thrown value to the one JSON error shape. Unknown errors never leak details. */
export function toErrorReply(err: unknown, req: FastifyRequest): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  const requestId = String(req.id);
  if (err instanceof AppError) {
    return {
      status: err.status,
      headers: err.details.headers,
      body: {
        error: {
          code: err.code,
          message: err.message,
          ...(err.field ? { field: err.field } : {}),
          ...(err.details.issues ? { issues: err.details.issues } : {}),
          ...(err.details.extra ?? {}),
          requestId,
        },
      },
    };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as FastifyError).validationContext ?? 'body';
    const issues = err.validation.map((v) => {
      const p = v.instancePath.split('/').filter(Boolean);
      const field = [where, ...p].join('.');
      return { field, message: humanIssueMessage({ ...v.params, code: v.keyword, message: v.message ?? 'invalid' }) };
    });
    return {
      status: 400,
      body: {
        error: {
          code: 'validation_failed',
          message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
          field: issues[0]?.field,
          issues,
          requestId,
        },
      },
    };
  }
  const fe = err as FastifyError;
  if (fe && typeof fe === 'object' && typeof fe.code === 'string') {
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && fe instanceof SyntaxError)) {
      return { status: 400, body: { error: { code: 'invalid_json', message: 'The request body is not valid JSON', requestId } } };
    }
    if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return { status: 400, body: { error: { code: 'invalid_json', message: 'The request body is empty', requestId } } };
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return { status: 413, body: { error: { code: 'payload_too_large', message: 'The request body is too large', requestId } } };
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return { status: 415, body: { error: { code: 'unsupported_media_type', message: 'Unsupported content type', requestId } } };
    }
    if (fe.code === 'FST_ERR_BAD_URL') {
      return { status: 400, body: { error: { code: 'bad_url', message: 'The address is not valid (malformed percent-encoding)', requestId } } };
    }
    if (fe.code === 'FST_ERR_RATE_LIMIT_EXCEEDED' || fe.statusCode === 429) {
      return { status: 429, body: { error: { code: 'rate_limited', message: 'Too many requests, try again later', requestId } } };
    }
    if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') {
      return { status: 414, body: { error: { code: 'uri_too_long', message: 'A part of the address is too long', requestId } } };
    }
    // Any other refusal of the request by Fastify itself keeps its 4xx status (never a 500).
    if (fe.code.startsWith('FST_') && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return { status: fe.statusCode, body: { error: { code: 'bad_request', message: 'The request is not valid', requestId } } };
    }
  }
  // The web app's assets (@fastify/static's `/assets/*` route, app.ts) refuse a path that is not
  // canonical (`/assets//a.js`) with a bare 403: no file is there, as for any other missing one.
  if (req.routeOptions?.url === '/assets/*' && fe && typeof fe === 'object' && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: 404, body: { error: { code: 'route_not_found', message: `No route ${req.method} ${(req.url.split('?')[0] ?? '').slice(0, 200)}`, requestId } } };
  }
  if (fe instanceof SyntaxError && (fe as FastifyError).statusCode === 400) {
    return { status: 400, body: { error: { code: 'invalid_json', message: 'The request body is not valid JSON', requestId } } };
  }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, headers: { 'retry-after': '5' }, body: { error: { code: 'service_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE, requestId } } };
  }
  return { status: 500, body: { error: { code: 'internal_error', message: `Something went wrong (request ${requestId})`, requestId } } };
}

export { loggableError } from '../logger.js';

/**
 * The error format of a protocol the app also speaks (SCIM: RFC 7644 §3.12), for every answer
 * under the paths it owns, the refusals made before any route matches included (no route, a body
 * too large or not JSON, a malformed or too-long URL). A context publishes it; the app passes it here.
 */
export type ErrorDialect = {
  /** Whether the path (percent-decoded when it can be) is the dialect's. */
  owns(path: string): boolean;
  reply(err: unknown): { status: number; body: unknown; headers?: Record<string, string>; contentType: string };
};

function pathOf(req: FastifyRequest): string {
  const raw = req.url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Answers a thrown value: in the dialect that owns the request's path, else in the app's one JSON error shape. */
export function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply, dialects: readonly ErrorDialect[] = []): FastifyReply {
  const dialect = dialects.find((d) => d.owns(pathOf(req)));
  if (dialect) {
    const out = dialect.reply(err);
    if (out.status >= 500 || isResponseSerializationError(err)) req.log.error({ err }, 'unhandled error');
    else req.log.info({ status: out.status }, 'request failed');
    if (out.headers) void reply.headers(out.headers);
    return reply.status(out.status).type(out.contentType).send(out.body);
  }
  const { status, body, headers } = toErrorReply(err, req);
  if (status >= 500 || isResponseSerializationError(err)) req.log.error({ err }, 'unhandled error');
  else req.log.info({ code: body.error.code, status }, 'request failed');
  if (headers) void reply.headers(headers);
  return reply.status(status).type('application/json').send(body);
}

/** The app's error handler and not-found handler; `dialects` answer the paths they own in their own format. */
export function installErrorHandler(app: FastifyInstance, dialects: readonly ErrorDialect[] = []): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => sendError(err, req, reply, dialects));
  app.setNotFoundHandler((req, reply) => {
    const pathname = req.url.split('?')[0] ?? '';
    const noRoute = new AppError(404, 'route_not_found', `No route ${req.method} ${pathname.slice(0, 200)}`);
    if (dialects.some((d) => d.owns(pathOf(req)))) return sendError(noRoute, req, reply, dialects);
    // SPA routes have no file extension; a missing /assets/x.js (a stale chunk) must stay a 404.
    // /api itself and anything under it answer JSON, never the app's HTML.
    const api = pathname === '/api' || pathname.startsWith('/api/');
    if (req.method === 'GET' && !api && !/\.[a-z0-9]+$/i.test(pathname)) {
      // The web app is a single-page app: let it route; the static plugin decorates sendFile.
      const r = reply as FastifyReply & { sendFile?: (f: string) => FastifyReply };
      if (r.sendFile && app.hasDecorator('threshold_spa')) return r.sendFile('index.html');
    }
    return reply.status(404).send({ error: { code: 'route_not_found', message: `No route ${req.method} ${pathname}`, requestId: String(req.id) } });
  });
}
