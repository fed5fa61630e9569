import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWondeClient, formatWondeTime, WondeError } from './wonde.client.js';
import { fakeEmployee, startFakeWonde, wondeDate, type FakeSchool, type FakeWonde } from './test/fake-wonde.js';

let fake: FakeWonde;
let school: FakeSchool;

beforeAll(async () => {
  fake = await startFakeWonde();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.mode = 'offset';
  fake.failAlways(undefined);
  fake.requests.length = 0;
  school = fake.addSchool({
    id: `A${Math.floor(Math.random() * 1e9)}`,
    employees: Array.from({ length: 7 }, (_, i) => fakeEmployee({ id: `E${i}`, forename: `P${i}`, updated_at: wondeDate(`2024-0${(i % 5) + 1}-01T00:00:00Z`) })),
    deletions: [
      { id: 'E9', type: 'employee', restored_at: null, created_at: wondeDate('2024-03-01T00:00:00Z'), updated_at: wondeDate('2024-03-01T00:00:00Z') },
      { id: 'S1', type: 'student', restored_at: null, created_at: wondeDate('2024-03-01T00:00:00Z'), updated_at: wondeDate('2024-03-01T00:00:00Z') },
    ],
  });
});

const client = (over: Partial<Parameters<typeof createWondeClient>[0]> = {}) =>
  createWondeClient({ baseUrl: fake.url, schoolId: school.id, token: school.token, perPage: 3, ...over });

async function failure(p: Promise<unknown>): Promise<WondeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WondeError) return err;
    throw err;
  }
  throw new Error('expected a WondeError');
}

describe('Wonde client', () => {
  it('lists employees across page-number pages with includes and Bearer auth', async () => {
    const all = await client().allEmployees();
    expect(all.map((e) => e.id)).toEqual(['E0', 'E1', 'E2', 'E3', 'E4', 'E5', 'E6']);
    expect(all[0]!.contact_details?.data?.emails?.email).toBe('e0@school.test');
    expect(all[0]!.employment_details?.data?.teaching_staff).toBe(true);
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[0]!.path).toBe(`/v1.0/schools/${school.id}/employees`);
    expect(fake.requests[0]!.query).toMatchObject({ include: 'contact_details,employment_details', per_page: '3' });
    expect(fake.requests[1]!.query.page).toBe('2');
    expect(fake.requests.every((r) => r.authorization === `Bearer ${school.token}`)).toBe(true);
  });

  it('follows cursors, and reads a single page without a pagination block', async () => {
    fake.mode = 'cursor';
    expect((await client().allEmployees()).length).toBe(7);
    expect(fake.requests[1]!.query.cursor).toBeTruthy();
    expect(fake.requests[1]!.query.page).toBeUndefined();
    fake.mode = 'none';
    fake.requests.length = 0;
    expect((await client().allEmployees()).length).toBe(7);
    expect(fake.requests).toHaveLength(1);
  });

  it('authenticates with Basic auth (token as user)', async () => {
    expect((await client({ auth: 'basic' }).allEmployees()).length).toBe(7);
    expect(fake.requests[0]!.authorization).toMatch(/^Basic /);
  });

  it('passes updated_after in Wonde format and gets only later changes', async () => {
    const after = new Date('2024-03-15T00:00:00Z');
    const changed = await client().allEmployees({ updatedAfter: after });
    expect(fake.requests[0]!.query.updated_after).toBe('2024-03-15 00:00:00');
    expect(formatWondeTime(after)).toBe('2024-03-15 00:00:00');
    expect(changed.map((e) => e.id).sort()).toEqual(['E3', 'E4']);
  });

  it('lists employee deletions', async () => {
    const deleted = await client().allDeletions({ updatedAfter: new Date('2024-01-01T00:00:00Z') });
    expect(deleted.map((d) => d.id)).toEqual(['E9']);
    expect(fake.requests[0]!.query).toMatchObject({ type: 'employee' });
  });

  it('401: unauthorized with a clear message', async () => {
    const err = await failure(client({ token: 'wrong' }).allEmployees());
    expect(err.kind).toBe('unauthorized');
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/refused the token/);
    expect(err.retryable).toBe(false);
  });

  it('422: invalid request with Wonde’s detail', async () => {
    fake.failOnce({ kind: 'status', status: 422, body: { error: 'validation_error', error_description: 'The given data was invalid.' } });
    const err = await failure(client().allEmployees());
    expect(err.kind).toBe('invalid_request');
    expect(err.message).toMatch(/The given data was invalid/);
  });

  it('500 on a later page: server error, retryable', async () => {
    fake.failOnce({ kind: 'status', status: 500 }, 2);
    const err = await failure(client().allEmployees());
    expect(err.kind).toBe('server_error');
    expect(err.status).toBe(500);
    expect(err.retryable).toBe(true);
  });

  it('an HTML page with status 200: bad response', async () => {
    fake.failOnce({ kind: 'html200' });
    const err = await failure(client().allEmployees());
    expect(err.kind).toBe('bad_response');
    expect(err.message).toMatch(/HTML page/);
  });

  it('JSON of the wrong shape: bad response naming the path', async () => {
    fake.failOnce({ kind: 'badShape' });
    const err = await failure(client().allEmployees());
    expect(err.kind).toBe('bad_response');
    expect(err.message).toMatch(/data/);
  });

  it('more: true without next: bad pagination', async () => {
    fake.failOnce({ kind: 'moreWithoutNext' }, 2);
    const err = await failure(client().allEmployees());
    expect(err.kind).toBe('bad_pagination');
    expect(err.message).toMatch(/more: true.*no next link on page 2/);
  });

  it('a next link to another host is refused (the token stays home)', async () => {
    fake.failOnce({ kind: 'foreignNext' });
    const err = await failure(client().allEmployees());
    expect(err.kind).toBe('bad_pagination');
    expect(fake.requests).toHaveLength(1);
  });

  it('a server that cannot be reached: network error', async () => {
    const err = await failure(createWondeClient({ baseUrl: 'http://127.0.0.1:1', schoolId: 'x', token: 't' }).allEmployees());
    expect(err.kind).toBe('network');
  });

  it('an unknown school: not found', async () => {
    const err = await failure(client({ schoolId: 'nope' }).allEmployees());
    expect(err.kind).toBe('not_found');
  });
});
