import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WondeDate, WondeDeletion, WondeEmployee, WondePage } from '../wonde.types.js';

/**
 * A protocol-faithful fake of the Wonde API for tests and the bench: the same paths, auth (Bearer
 * or Basic with the token as user), `include`, `per_page`, `updated_after`, and pagination in
 * page-number mode, cursor mode or with no pagination block at all. Fixtures are typed with the
 * client's own types, so a fixture that the client could not parse does not compile.
 */
export type PaginationMode = 'offset' | 'cursor' | 'none';

export type Failure =
  | { kind: 'status'; status: number; body?: unknown }
  | { kind: 'html200' }
  | { kind: 'moreWithoutNext' }
  | { kind: 'foreignNext' }
  | { kind: 'badShape' };

export type FakeSchool = {
  id: string;
  token: string;
  employees: WondeEmployee[];
  deletions: WondeDeletion[];
};

export type RecordedRequest = { method: string; path: string; query: Record<string, string>; authorization: string | undefined };

export function wondeDate(at: Date | string): WondeDate {
  const d = typeof at === 'string' ? new Date(at) : at;
  return { date: d.toISOString().replace('T', ' ').replace('Z', '000'), timezone_type: 3, timezone: 'UTC' };
}

/** An employee fixture with sensible defaults (Wonde ids look like `A1234567890`). */
export function fakeEmployee(
  over: Partial<WondeEmployee> & { email?: string | null; teaching?: boolean; role?: string; start?: string | null; end?: string | null } = {},
): WondeEmployee {
  const { email, teaching, role, start, end, ...rest } = over;
  const id = rest.id ?? `A${Math.floor(Math.random() * 1e10)}`;
  return {
    id,
    upi: `upi-${id}`,
    mis_id: String(Math.floor(Math.random() * 1e5)),
    title: 'Ms',
    initials: 'AB',
    forename: 'Alex',
    middle_names: null,
    surname: 'Brown',
    legal_forename: null,
    legal_surname: null,
    gender: null,
    date_of_birth: null,
    created_at: wondeDate('2024-01-01T00:00:00Z'),
    updated_at: wondeDate('2024-01-01T00:00:00Z'),
    restored_at: null,
    contact_details: {
      data: {
        emails: { email: email === undefined ? `${id.toLowerCase()}@school.test` : email, primary: null, home: null, work: null },
        phones: { phone: null, primary: null, home: null, work: null, mobile: null },
      },
    },
    employment_details: {
      data: {
        current: true,
        teaching_staff: teaching ?? true,
        staff_code: null,
        job_title: role ?? (teaching === false ? 'Teaching Assistant' : 'Teacher'),
        role: null,
        employment_start_date: start ? wondeDate(`${start}T00:00:00Z`) : null,
        employment_end_date: end ? wondeDate(`${end}T00:00:00Z`) : null,
      },
    },
    ...rest,
  };
}

function wondeTime(d: WondeDate | null | undefined): number {
  return d ? Date.parse(d.date.slice(0, 19).replace(' ', 'T') + 'Z') : 0;
}

function parseUpdatedAfter(v: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(v)) return undefined;
  return Date.parse(v.replace(' ', 'T') + (v.length > 10 ? 'Z' : 'T00:00:00Z'));
}

export type FakeWonde = {
  url: string;
  schools: Map<string, FakeSchool>;
  requests: RecordedRequest[];
  mode: PaginationMode;
  /** Fails the request for page `onPage` (1-based) of the next listing, once. */
  failOnce(failure: Failure, onPage?: number): void;
  /** Fails every request until cleared. */
  failAlways(failure: Failure | undefined): void;
  addSchool(school: Partial<FakeSchool> & { id: string }): FakeSchool;
  close(): Promise<void>;
};

export async function startFakeWonde(opts: { mode?: PaginationMode } = {}): Promise<FakeWonde> {
  const schools = new Map<string, FakeSchool>();
  const requests: RecordedRequest[] = [];
  let pending: { failure: Failure; onPage: number } | undefined;
  let always: Failure | undefined;
  const cursors = new Map<string, number>(); // opaque cursor → offset
  let url = '';

  const fake: FakeWonde = {
    url: '',
    schools,
    requests,
    mode: opts.mode ?? 'offset',
    failOnce(failure, onPage = 1) {
      pending = { failure, onPage };
    },
    failAlways(failure) {
      always = failure;
    },
    addSchool(s) {
      const school: FakeSchool = { token: `tok_${s.id}`, employees: [], deletions: [], ...s };
      schools.set(s.id, school);
      return school;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  function tokenOf(req: IncomingMessage): string | undefined {
    const h = req.headers.authorization;
    if (!h) return undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(h);
    if (bearer) return bearer[1];
    const basic = /^Basic\s+(\S+)$/i.exec(h);
    if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0];
    return undefined;
  }

  function list<T>(res: ServerResponse, reqUrl: URL, all: T[], failure: Failure | undefined, pageNo: number) {
    const perPage = Math.min(Math.max(Number(reqUrl.searchParams.get('per_page') ?? 50) || 50, 1), 200);
    let offset = 0;
    if (fake.mode === 'offset') offset = (Math.max(Number(reqUrl.searchParams.get('page') ?? 1) || 1, 1) - 1) * perPage;
    if (fake.mode === 'cursor') {
      const c = reqUrl.searchParams.get('cursor');
      if (c) {
        const at = cursors.get(c);
        if (at === undefined) return send(res, 422, { error: 'invalid_cursor', error_description: 'The cursor is not valid' });
        offset = at;
      }
    }
    const data = fake.mode === 'none' ? all : all.slice(offset, offset + perPage);
    const more = fake.mode !== 'none' && offset + perPage < all.length;
    const nextUrl = new URL(reqUrl.toString().replace(/^http:\/\/[^/]+/, url));
    if (fake.mode === 'offset') nextUrl.searchParams.set('page', String(offset / perPage + 2));
    if (fake.mode === 'cursor') {
      const cursor = Buffer.from(`${offset + perPage}:${Math.random()}`).toString('base64url');
      cursors.set(cursor, offset + perPage);
      nextUrl.searchParams.set('cursor', cursor);
    }
    let next: string | null = more ? nextUrl.toString() : null;
    if (failure?.kind === 'moreWithoutNext') next = null;
    if (failure?.kind === 'foreignNext') next = 'https://evil.example/v1.0/next';
    const forcedMore = failure?.kind === 'moreWithoutNext' || failure?.kind === 'foreignNext' ? true : more;
    const body: WondePage<T> = { data };
    if (fake.mode !== 'none') {
      body.meta = {
        pagination: {
          next,
          previous: null,
          more: forcedMore,
          per_page: perPage,
          ...(fake.mode === 'offset' ? { current_page: offset / perPage + 1 } : {}),
        },
      };
    }
    if (failure?.kind === 'badShape') return send(res, 200, { data: { not: 'a list' }, page: pageNo });
    send(res, 200, body);
  }

  const pageCounter = new Map<string, number>();

  const server: Server = createServer((req, res) => {
    const reqUrl = new URL(req.url ?? '/', url);
    requests.push({
      method: req.method ?? 'GET',
      path: reqUrl.pathname,
      query: Object.fromEntries(reqUrl.searchParams),
      authorization: req.headers.authorization,
    });
    const m = /^\/v1\.0\/schools\/([^/]+)\/(employees|deletions)$/.exec(reqUrl.pathname);
    const school = m ? schools.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || req.method !== 'GET') return send(res, 404, { error: 'not_found', error_description: 'Not found' });
    if (!school) return send(res, 404, { error: 'not_found', error_description: 'School not found' });
    if (tokenOf(req) !== school.token) return send(res, 401, { error: 'unauthenticated', error_description: 'Invalid access token' });

    // The page number within this listing (first request has neither page nor cursor).
    const listKey = `${m[2]}`;
    const isFirst = !reqUrl.searchParams.has('page') && !reqUrl.searchParams.has('cursor');
    const pageNo = isFirst ? 1 : (pageCounter.get(listKey) ?? 1) + 1;
    pageCounter.set(listKey, pageNo);

    let failure = always;
    if (!failure && pending && pending.onPage === pageNo) {
      failure = pending.failure;
      pending = undefined;
    }
    if (failure?.kind === 'status') return send(res, failure.status, failure.body ?? { error: 'error', error_description: `Injected ${failure.status}` });
    if (failure?.kind === 'html200') return send(res, 200, '<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>', 'text/html');

    const ua = reqUrl.searchParams.get('updated_after');
    let after: number | undefined;
    if (ua !== null) {
      after = parseUpdatedAfter(ua);
      if (after === undefined) {
        return send(res, 422, { error: 'validation_error', error_description: 'The given data was invalid.', errors: { updated_after: ['The updated after does not match the format Y-m-d H:i:s.'] } });
      }
    }
    if (m[2] === 'employees') {
      const include = new Set((reqUrl.searchParams.get('include') ?? '').split(',').filter(Boolean));
      const rows = school.employees
        .filter((e) => after === undefined || wondeTime(e.updated_at) > after)
        .map((e) => {
          const { contact_details, employment_details, ...restOfEmployee } = e;
          return {
            ...restOfEmployee,
            ...(include.has('contact_details') ? { contact_details } : {}),
            ...(include.has('employment_details') ? { employment_details } : {}),
          } satisfies WondeEmployee;
        });
      return list(res, reqUrl, rows, failure, pageNo);
    }
    const type = reqUrl.searchParams.get('type');
    const rows = school.deletions.filter((d) => (!type || d.type === type) && (after === undefined || wondeTime(d.updated_at) > after));
    return list(res, reqUrl, rows, failure, pageNo);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = url;
  return fake;
}
