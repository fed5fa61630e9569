/**
 * The one application error. `code` is stable snake_case (clients and tests match on it),
 * `status` the HTTP status, `message` for people, `field` the input path it concerns.
 */
export type FieldIssue = { field: string; message: string };

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; issues?: FieldIssue[]; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get field(): string | undefined {
    return this.details.field;
  }
}

export const badRequest = (code: string, message: string, field?: string) =>
  new AppError(400, code, message, { field });
export const validationFailed = (issues: FieldIssue[]) =>
  new AppError(400, 'validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
    issues,
    field: issues[0]?.field,
  });
export const unauthenticated = (message = 'Authentication required') =>
  new AppError(401, 'unauthenticated', message);
export const forbidden = (message = 'You do not have permission to do that') =>
  new AppError(403, 'forbidden', message);
/** The same answer for a missing id and another tenant's id. */
export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string, extra?: Record<string, unknown>) =>
  new AppError(409, code, message, { extra });
export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many requests, try again later') =>
  new AppError(429, 'rate_limited', message, { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
