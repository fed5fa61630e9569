/**
 * The typed API client: openapi-fetch over the types generated from /api/openapi.json
 * (`npm run gen:api` → ./schema.d.ts). Same wire behaviour as `api` in ./index.ts: the session
 * cookie, the CSRF header on unsafe methods, and every non-2xx answer thrown as an `ApiError`
 * (code, message, field, issues), so TanStack Query and forms see one error type.
 *
 *   const keys = await ok(client.GET('/api/api-keys'));
 *   await ok(client.POST('/api/api-keys', { body: { name, role } }));
 *   await ok(client.DELETE('/api/api-keys/{id}', { params: { path: { id } } }));
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError, ensureCsrf, setCsrfToken, toApiError } from './index';

export type { paths } from './schema';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type ClientOptions = {
  /** '' in the browser (same origin); a full origin elsewhere. */
  baseUrl?: string;
  fetch?: typeof fetch;
};

function errorsAndCsrf(doFetch: typeof fetch, baseUrl: string): Middleware {
  return {
    async onRequest({ request }) {
      if (!UNSAFE.has(request.method)) return undefined;
      const token = await ensureCsrf(doFetch, baseUrl);
      if (token) request.headers.set('x-csrf-token', token);
      return request;
    },
    async onResponse({ response }) {
      if (response.ok) return undefined;
      const err = await toApiError(response);
      if (err.code === 'csrf_failed') setCsrfToken(null); // fetched afresh on the next call
      throw err;
    },
    onError({ error }) {
      if (error instanceof ApiError) return error;
      return new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection and try again.');
    },
  };
}

export function createApiClient(opts: ClientOptions = {}) {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const baseUrl = opts.baseUrl ?? '';
  const c = createClient<paths>({ baseUrl, fetch: doFetch, credentials: 'same-origin', headers: { accept: 'application/json' } });
  c.use(errorsAndCsrf(doFetch, baseUrl));
  return c;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The web app's client (same origin). */
export const client: ApiClient = createApiClient();

/**
 * The data of a call made with `client` (errors were already thrown as ApiError by the
 * middleware). For 204 answers the data is undefined.
 */
export async function ok<R extends { data?: unknown; response: Response }>(call: Promise<R>): Promise<Exclude<R['data'], undefined>> {
  const { data } = await call;
  return data as Exclude<R['data'], undefined>;
}

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never;

/**
 * The JSON answer (200 or 201) of an operation, for naming a resource's type in a page:
 * `type Site = Answer<'/api/signin/sites'>['items'][number]`.
 */
export type Answer<P extends keyof paths, M extends keyof paths[P] = 'get' & keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? JsonOf<R[200 & keyof R]> | JsonOf<R[201 & keyof R]>
  : never;

/** The JSON body an operation takes: `Body<'/api/signin/sites', 'post'>`. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
