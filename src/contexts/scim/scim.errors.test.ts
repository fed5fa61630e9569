import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { toScimError } from './scim.errors.js';

describe('toScimError', () => {
  it('answers an identity provider 503 with Retry-After when the database is out of reach (it retries), a 500 for anything else unknown', () => {
    const refused = Object.assign(new Error('Failed query: select …'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }) });
    expect(toScimError(refused)).toEqual({
      status: 503,
      headers: { 'retry-after': '5' },
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: 'The database cannot be reached just now; try again in a few seconds' },
    });
    expect(toScimError(new Error('boom'))).toMatchObject({ status: 500, body: { status: '500', detail: 'Something went wrong' } });
    expect(toScimError(new AppError(409, 'conflict', 'taken', { extra: { scimType: 'uniqueness' } }))).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });
  });
});
