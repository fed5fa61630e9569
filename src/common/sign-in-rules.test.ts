import { describe, expect, it } from 'vitest';
import { decide, judgeAnswers, rejectingAnswers } from './sign-in-rules.js';

const unwell = { id: 'unwell', rejectOn: { answer: 'yes', message: 'Please stay at home when unwell' } };
const permit = { id: 'permit', rejectOn: { answer: 'no', message: 'A permit to work is needed' } };
const area = { id: 'area', rejectOn: { answer: 'Roof', message: 'The roof is closed today' } };
const note = { id: 'note' };

describe('rejectingAnswers (the server safety check and the offline kiosk)', () => {
  it.each([
    ['the reject-on answer', { unwell: 'yes' }, ['unwell']],
    ['another answer', { unwell: 'no' }, []],
    ['no answer', {}, []],
    ['a boolean true for yes', { unwell: true }, ['unwell']],
    ['a boolean false for no', { permit: false }, ['permit']],
    ['case and spaces ignored', { area: '  roof ' }, ['area']],
    ['a question without reject-on never rejects', { note: 'yes' }, []],
    ['several, in the group order', { area: 'Roof', unwell: 'yes', permit: 'no' }, ['unwell', 'permit', 'area']],
  ] as const)('%s', (_name, answers, ids) => {
    expect(rejectingAnswers([unwell, permit, area, note], answers).map((q) => q.id)).toEqual(ids);
  });

  it('returns the question with its message, so the caller shows the same reason', () => {
    expect(rejectingAnswers([unwell], { unwell: 'yes' })[0]!.rejectOn.message).toBe('Please stay at home when unwell');
  });
});

describe('judgeAnswers: the answers under the group safety check mode', () => {
  it('turns the person away only in "reject" mode', () => {
    expect(judgeAnswers('reject', [unwell], { unwell: 'yes' })).toMatchObject({ rejected: true, questions: [{ id: 'unwell' }] });
    expect(judgeAnswers('notify', [unwell], { unwell: 'yes' })).toMatchObject({ rejected: false, questions: [{ id: 'unwell' }] });
    expect(judgeAnswers('off', [unwell], { unwell: 'yes' })).toEqual({ rejected: false, questions: [] });
    expect(judgeAnswers('reject', [unwell], { unwell: 'no' })).toEqual({ rejected: false, questions: [] });
  });
});

describe('decide', () => {
  it.each([
    ['off', [], 'signed_in', 'skipped'],
    ['off', [{ code: 'custom_field_answer' }], 'signed_in', 'skipped'],
    ['off', [{ code: 'member_archived' }], 'rejected', 'rejected'],
    ['reject', [], 'signed_in', 'passed'],
    ['reject', [{ code: 'custom_field_answer' }], 'rejected', 'rejected'],
    ['notify', [{ code: 'custom_field_answer' }], 'signed_in', 'notified'],
    ['notify', [{ code: 'member_removed' }], 'rejected', 'rejected'],
  ] as const)('%s with %j → %s (%s)', (mode, reasons, outcome, safetyStatus) => {
    expect(decide(mode, reasons as ReadonlyArray<{ code: string }>)).toMatchObject({ outcome, safetyStatus });
  });
});
