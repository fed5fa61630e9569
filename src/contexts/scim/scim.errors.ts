import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../../platform/errors.js';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../platform/db/unavailable.js';
import type { ErrorDialect } from '../../platform/http/error-handler.js';
import { URN } from './scim.schema.js';

/** RFC 7644 §3.12 `scimType` values. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  // RFC 9865 (cursor paging)
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidCount'
  // Not in RFC 7644's table: a stale If-Match (412), named so clients and the activity log can tell it.
  | 'preconditionFailed';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export type ScimErrorBody = { schemas: [typeof URN.error]; status: string; detail: string; scimType?: ScimType };

/** An AppError that also carries the SCIM `scimType`; its `code` is the snake_case of the type. */
export function scimError(status: number, scimType: ScimType | undefined, detail: string, headers?: Record<string, string>): AppError {
  const code = scimType ? `scim_${scimType.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}` : `scim_${status}`;
  return new AppError(status, code, detail, { headers, extra: scimType ? { scimType } : {} });
}

export const invalidFilter = (detail: string) => scimError(400, 'invalidFilter', detail);
export const invalidPath = (detail: string) => scimError(400, 'invalidPath', detail);
export const invalidValue = (detail: string) => scimError(400, 'invalidValue', detail);
export const invalidSyntax = (detail: string) => scimError(400, 'invalidSyntax', detail);
export const noTarget = (detail: string) => scimError(400, 'noTarget', detail);
export const mutability = (detail: string) => scimError(400, 'mutability', detail);
export const uniqueness = (detail: string) => scimError(409, 'uniqueness', detail);
export const preconditionFailed = (detail: string) => scimError(412, 'preconditionFailed', detail);
export const scimNotFound = (what: string, id: string) => scimError(404, undefined, `${what} ${id.slice(0, 100)} not found`);
export const scimUnauthorized = (detail = 'A valid SCIM bearer token for this group is required') => scimError(401, undefined, detail);

/** Maps anything thrown on a /scim route to a status, the RFC 7644 error body and headers. */
export function toScimError(err: unknown): { status: number; body: ScimErrorBody; headers?: Record<string, string> } {
  const make = (status: number, detail: string, scimType?: ScimType, headers?: Record<string, string>) => ({
    status,
    headers,
    body: { schemas: [URN.error] as [typeof URN.error], status: String(status), detail, ...(scimType ? { scimType } : {}) },
  });
  if (err instanceof AppError) {
    const scimType = err.details.extra?.scimType as ScimType | undefined;
    if (err.status === 404) return make(404, err.message);
    if (err.status === 429) return make(429, err.message, undefined, err.details.headers);
    if (err.status === 400 && !scimType) return make(400, err.message, 'invalidValue');
    return make(err.status, err.message, scimType, err.details.headers);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const detail = err.validation.map((v) => `${v.instancePath || '/'}: ${v.message ?? 'invalid'}`).join('; ');
    return make(400, detail, 'invalidValue');
  }
  const fe = err as FastifyError;
  if (fe && typeof fe === 'object') {
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && fe instanceof SyntaxError)) {
      return make(400, 'The request body is not valid JSON', 'invalidSyntax');
    }
    if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return make(400, 'The request body is empty', 'invalidSyntax');
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return make(413, 'The request body is too large');
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return make(415, 'Send application/scim+json or application/json');
    if (fe.code === 'FST_ERR_BAD_URL') return make(400, 'The address is not valid (malformed percent-encoding)', 'invalidSyntax');
    if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') return make(414, 'A part of the address is too long');
    // Any other refusal of the request by Fastify itself keeps its 4xx status (never a 500).
    if (typeof fe.code === 'string' && fe.code.startsWith('FST_') && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return make(fe.statusCode, 'The request is not valid');
    }
  }
  if (isDatabaseUnavailable(err)) return make(503, DATABASE_UNAVAILABLE_MESSAGE, undefined, { 'retry-after': '5' });
  return make(500, 'Something went wrong');
}

/**
 * Every answer under /scim/v2 (any case) that goes wrong, in SCIM's error shape: the platform's
 * error and not-found handlers answer with it the refusals made before a SCIM route matches (no
 * such path or method, a body too large or not JSON, a malformed or too-long URL). The protocol's
 * own routes answer theirs through their own handler (`scimProtocolRoutes`), which logs them too.
 */
export const scimErrorDialect: ErrorDialect = {
  owns: (path) => /^\/scim\/v2(\/|$)/i.test(path),
  reply: (err) => ({ ...toScimError(err), contentType: SCIM_CONTENT_TYPE }),
};
