import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import { checkAnswers } from './sign-in.js';

describe('checkAnswers', () => {
  // Field ids are [a-z][a-z0-9_]*, so `constructor` is one a group may have: an unanswered one read
  // Object.prototype.constructor (a function) and failed with a 500.
  it.each(['constructor', 'dbs'])('reads only the answers given, for a field named %s', (id) => {
    const fields = [{ id, label: 'Q', type: 'text' as const, required: true }];
    let caught: unknown;
    try {
      checkAnswers({ customFields: fields }, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).status).toBe(400);
    expect((caught as AppError).details.issues).toEqual([{ field: `answers.${id}`, message: 'Q: an answer is required' }]);
    expect(checkAnswers({ customFields: [{ ...fields[0]!, required: false }] }, {})).toEqual({});
    expect(checkAnswers({ customFields: fields }, { [id]: ' yes ' })).toEqual({ [id]: 'yes' });
  });
});
