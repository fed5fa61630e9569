import type { z } from 'zod';
import {
  wondeDeletion,
  wondeEmployee,
  wondeErrorBody,
  wondePageSchema,
  type WondeDeletion,
  type WondeEmployee,
} from './wonde.types.js';

/**
 * A read-only client for the parts of Wonde's API the connector needs. It never retries: one
 * failed request ends the listing with a `WondeError`, and the sync job (which owns the run and
 * its log) retries the whole run later with backoff, so nothing is half-written.
 */
export type WondeErrorKind =
  | 'unauthorized' // 401/403: the token is wrong or the school has not approved access
  | 'invalid_request' // 422 (and other 4xx): e.g. a bad updated_after
  | 'not_found' // 404: unknown school id
  | 'rate_limited' // 429
  | 'server_error' // 5xx
  | 'bad_response' // not JSON (an HTML page with status 200), or JSON of the wrong shape
  | 'bad_pagination' // more: true without next, a loop, or a next link to another host
  | 'network'; // connection refused, DNS, timeout

export class WondeError extends Error {
  constructor(
    readonly kind: WondeErrorKind,
    message: string,
    readonly status?: number,
    readonly url?: string,
  ) {
    super(message);
    this.name = 'WondeError';
  }

  /** Whether trying again later may help (the job's retry decision). */
  get retryable(): boolean {
    return this.kind === 'server_error' || this.kind === 'rate_limited' || this.kind === 'network' || this.kind === 'bad_response';
  }
}

export type WondeClientOptions = {
  /** API base, e.g. `https://api.wonde.com` (config.wondeApiUrl). */
  baseUrl: string;
  schoolId: string;
  token: string;
  /** Wonde accepts the token as a Bearer token or as the user of HTTP Basic auth. */
  auth?: 'bearer' | 'basic';
  perPage?: number;
  timeoutMs?: number;
  /** Guard against a server that never stops paging. */
  maxPages?: number;
  fetch?: typeof fetch;
};

export type WondePageResult<T> = { items: T[]; page: number; url: string };

/** Wonde's `updated_after` takes `YYYY-MM-DD HH:MM:SS` (UTC). */
export function formatWondeTime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

export function createWondeClient(opts: WondeClientOptions) {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const doFetch = opts.fetch ?? fetch;
  const perPage = opts.perPage ?? 100;
  const maxPages = opts.maxPages ?? 10_000;
  const authorization =
    opts.auth === 'basic' ? `Basic ${Buffer.from(`${opts.token}:`).toString('base64')}` : `Bearer ${opts.token}`;
  const school = `${base}/v1.0/schools/${encodeURIComponent(opts.schoolId)}`;

  async function getJson(url: string): Promise<unknown> {
    let res: Response;
    try {
      res = await doFetch(url, {
        headers: { authorization, accept: 'application/json' },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
        redirect: 'error',
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new WondeError('network', `Could not reach Wonde (${reason})`, undefined, url);
    }
    const text = await res.text();
    if (!res.ok) throw errorFor(res.status, text, url);
    const type = res.headers.get('content-type') ?? '';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const looksHtml = /^\s*</.test(text) || type.includes('html');
      throw new WondeError(
        'bad_response',
        looksHtml
          ? `Wonde answered with an HTML page instead of JSON (status ${res.status}); the API address may be wrong or Wonde may be under maintenance`
          : `Wonde answered with something that is not JSON (status ${res.status})`,
        res.status,
        url,
      );
    }
    return body;
  }

  function errorFor(status: number, text: string, url: string): WondeError {
    let detail = '';
    try {
      const parsed = wondeErrorBody.safeParse(JSON.parse(text));
      if (parsed.success) {
        const b = parsed.data;
        detail = [b.error_description ?? b.message ?? b.error, b.errors ? JSON.stringify(b.errors) : undefined].filter(Boolean).join(' ');
      }
    } catch {
      /* not JSON: no detail */
    }
    const suffix = detail ? `: ${detail}` : '';
    if (status === 401 || status === 403) {
      return new WondeError('unauthorized', `Wonde refused the token for school ${opts.schoolId} (${status})${suffix}; check the token and that the school approved access`, status, url);
    }
    if (status === 404) return new WondeError('not_found', `Wonde does not know school ${opts.schoolId} (404)${suffix}`, status, url);
    if (status === 429) return new WondeError('rate_limited', `Wonde rate-limited the request (429)${suffix}`, status, url);
    if (status >= 500) return new WondeError('server_error', `Wonde had a server error (${status})${suffix}`, status, url);
    return new WondeError('invalid_request', `Wonde rejected the request (${status})${suffix}`, status, url);
  }

  /** Follows `meta.pagination.next` (page numbers or cursors alike) until `more` is false. */
  async function* pages<S extends z.ZodType>(first: string, item: S): AsyncGenerator<WondePageResult<z.infer<S>>> {
    const schema = wondePageSchema(item);
    const seen = new Set<string>();
    let url: string | undefined = first;
    let page = 0;
    while (url) {
      if (seen.has(url)) throw new WondeError('bad_pagination', `Wonde's pagination returned the same page twice (${url})`, undefined, url);
      if (++page > maxPages) throw new WondeError('bad_pagination', `Wonde returned more than ${maxPages} pages; stopping`, undefined, url);
      seen.add(url);
      const parsed = schema.safeParse(await getJson(url));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new WondeError(
          'bad_response',
          `Wonde's answer has an unexpected shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
          200,
          url,
        );
      }
      const { data, meta } = parsed.data;
      yield { items: data as z.infer<S>[], page, url };
      const p = meta?.pagination;
      if (!p || !p.more) return; // no pagination block: everything came in one page
      if (!p.next) throw new WondeError('bad_pagination', `Wonde said there are more pages (more: true) but gave no next link on page ${page}`, 200, url);
      const next: URL = new URL(p.next, url);
      if (next.origin !== origin) {
        throw new WondeError('bad_pagination', `Wonde's next link points to another host (${next.origin}); refusing to send the token there`, 200, url);
      }
      url = next.toString();
    }
  }

  function query(params: Record<string, string | number | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    return q.toString();
  }

  return {
    /** Employees with contact and employment details, page by page. */
    employeePages(input: { updatedAfter?: Date } = {}): AsyncGenerator<WondePageResult<WondeEmployee>> {
      const q = query({
        include: 'contact_details,employment_details',
        per_page: perPage,
        updated_after: input.updatedAfter ? formatWondeTime(input.updatedAfter) : undefined,
      });
      return pages(`${school}/employees?${q}`, wondeEmployee);
    },
    /** Records deleted in the MIS since `updatedAfter` (employees only). */
    deletionPages(input: { updatedAfter?: Date } = {}): AsyncGenerator<WondePageResult<WondeDeletion>> {
      const q = query({
        type: 'employee',
        per_page: perPage,
        updated_after: input.updatedAfter ? formatWondeTime(input.updatedAfter) : undefined,
      });
      return pages(`${school}/deletions?${q}`, wondeDeletion);
    },
    async allEmployees(input: { updatedAfter?: Date } = {}): Promise<WondeEmployee[]> {
      const out: WondeEmployee[] = [];
      for await (const p of this.employeePages(input)) out.push(...p.items);
      return out;
    },
    async allDeletions(input: { updatedAfter?: Date } = {}): Promise<WondeDeletion[]> {
      const out: WondeDeletion[] = [];
      for await (const p of this.deletionPages(input)) out.push(...p.items);
      return out;
    },
  };
}

export type WondeClient = ReturnType<typeof createWondeClient>;
