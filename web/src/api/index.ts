/**
 * The API's errors and CSRF token, and the older untyped client (`api.get<T>(path)`); new code uses
 * the typed client in `./client.ts` (openapi-fetch over the generated `./schema.d.ts`).
 * JSON over fetch with the session cookie. Unsafe methods carry the CSRF
 * token from the session probe, /api/auth/session (or the login answer). Error bodies `{error:{code,message,field,issues}}`
 * become an `ApiError` whose `fieldError(name)` a form shows next to its field.
 */

export type FieldIssue = { field: string; message: string };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  readonly issues: FieldIssue[];
  readonly requestId?: string;

  constructor(status: number, code: string, message: string, extra: { field?: string; issues?: FieldIssue[]; requestId?: string } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.issues = extra.issues ?? [];
    this.requestId = extra.requestId;
  }

  /**
   * The message for a form field, matching the server's field path (`body.email`, `email`,
   * `body.items.0.name` for `items.0.name`). Undefined when the error concerns another field.
   */
  fieldError(name: string): string | undefined {
    const matches = (f: string | undefined) => f !== undefined && (f === name || f.endsWith(`.${name}`));
    const issue = this.issues.find((i) => matches(i.field));
    if (issue) return issue.message;
    if (matches(this.field)) return this.message;
    return undefined;
  }

  /** True when some field of `names` has a message (so the form need not repeat it on top). */
  concernsAny(names: readonly string[]): boolean {
    return names.some((n) => this.fieldError(n) !== undefined);
  }
}

/** A message for anything thrown by a call. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong';
}

let csrfToken: string | null = null;

/** Set from the login and session answers; cleared on sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}


/**
 * True when the server could not be reached or could not serve: no connection (status 0), or a
 * proxy's or the server's 502, 503 or 504 (the server down behind a reverse proxy, or its database
 * unreachable). The kiosk and the roll call carry on offline on these, not on an answer.
 */
export const isUnreachable = (err: unknown): err is ApiError => err instanceof ApiError && (err.status === 0 || err.status === 502 || err.status === 503 || err.status === 504);

/** The CSRF token for an unsafe call, fetched from the session probe when not known yet (none when signed out: signing in needs none). */
export async function ensureCsrf(doFetch: typeof fetch = fetch, baseUrl = ''): Promise<string | null> {
  if (csrfToken) return csrfToken;
  const res = await doFetch(`${baseUrl}/api/auth/session`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.ok) {
    const session = (await res.json()) as { me?: { csrfToken?: string } | null };
    csrfToken = session.me?.csrfToken ?? null;
  }
  return csrfToken;
}

/** The ApiError for a non-2xx answer (its `{error:{code,message,field,issues}}` body when there is one). */
export async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const e = (body as { error?: { code?: unknown; message?: unknown; field?: unknown; issues?: unknown; requestId?: unknown } } | undefined)?.error;
  if (e && typeof e.code === 'string') {
    return new ApiError(res.status, e.code, typeof e.message === 'string' ? e.message : res.statusText, {
      field: typeof e.field === 'string' ? e.field : undefined,
      issues: Array.isArray(e.issues) ? (e.issues as FieldIssue[]) : undefined,
      requestId: typeof e.requestId === 'string' ? e.requestId : undefined,
    });
  }
  return new ApiError(res.status, 'http_error', `The server answered ${res.status} ${res.statusText}`.trim());
}

/** Builds a query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// ---- Shapes of the accounts and platform APIs (see src/contexts/accounts) ----

export type Role = 'owner' | 'admin' | 'manager' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'admin', 'manager', 'viewer'];

export type Me = {
  /**
   * `scopes`: empty for the trust's central team (unscoped), else the sites and organisations the user is limited to;
   * `reach`: the server's word on how far that goes in each dimension (`none`: scoped to the other kind alone).
   */
  user: { id: string; email: string; name: string; role: Role; totpEnabled: boolean; scopes: Scope[]; reach: { sites: ReachExtent; organisations: ReachExtent } };
  tenant: { id: string; name: string; kind: string; require2fa: boolean };
  csrfToken: string;
  totpRequired: boolean;
  /** The tenant requires two-factor and this user has not set it up yet. */
  mustEnrolTotp: boolean;
};

/** All sites or organisations, those the scopes name, or none of them. */
export type ReachExtent = 'all' | 'some' | 'none';

export type Scope = { kind: 'site' | 'organisation'; refId: string; level: 'view' | 'edit' | 'administer' };

export type User = {
  id: string;
  email: string;
  name: string;
  role: Role;
  totpEnabled: boolean;
  disabled: boolean;
  createdAt: string;
  scopes: Scope[];
};

/** GET /api/users/invites */
export type PendingInvite = { id: string; email: string; role: Role; name: string; createdAt: string; expiresAt: string };
/** GET /api/invites/:token (no session needed) */
export type InvitePreview = { email: string; role: Role; name: string; tenantName: string };


export type AuditItem = {
  id: string;
  at: string;
  actorKind: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  summary: string;
  data: Record<string, unknown>;
  requestId?: string | null;
};

export type Page<T> = { items: T[]; nextCursor: string | null };

export type Notification = { id: string; title: string; body: string; link: string | null; createdAt: string; readAt: string | null };


