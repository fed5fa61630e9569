import { describe, expect, it } from 'vitest';
import type { DbOrTx } from '../../../platform/db/database.js';
import type { MemberRow } from '../members/members.port.js';
import { readOptions } from '../groups/groups.schemas.js';
import { agreementCheck, customFieldCheck, memberActiveCheck, memberDatesCheck } from './checks.js';
import { beginSafetyChecks, decide, runSafetyChecks } from './pipeline.js';
import { normaliseName } from '../../../common/normalise.js';
import type { SafetyCheck, SafetyContext } from './safety.types.js';

const member = (over: Partial<MemberRow> = {}): MemberRow => ({
  id: 'm1', tenantId: 't', groupId: 'g', fullName: 'Ada Reyes', role: '', email: null, phone: null, startDate: null, endDate: null,
  customFields: {}, photoKey: null, qrToken: 'q', archivedAt: null, deletedAt: null, version: 1, createdAt: new Date(), updatedAt: new Date(), ...over,
});

function ctx(over: Partial<SafetyContext> = {}, options: Record<string, unknown> = {}): SafetyContext {
  return {
    tx: {} as DbOrTx,
    tenantId: 't',
    site: { id: 's', name: 'North', timezone: 'Europe/London' },
    group: { id: 'g', name: 'Visitors', type: 'repeat', options: readOptions(options) },
    member: member(),
    visitor: null,
    person: { fullName: 'Ada Reyes', email: null, dateOfBirth: null },
    answers: {},
    agreementAccepted: false,
    previouslyAcceptedAgreement: false,
    now: new Date('2025-06-15T12:00:00Z'),
    ...over,
  };
}

const covidField = { customFields: [{ id: 'unwell', label: 'Unwell?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Please do not come in if unwell' } }] };
const agreement = { agreement: { text: 'Wear your badge' } };

describe('built-in safety checks', () => {
  it.each([
    ['custom field: reject answer', customFieldCheck, ctx({ answers: { unwell: 'yes' } }, covidField), 'custom_field_answer'],
    ['custom field: other answer', customFieldCheck, ctx({ answers: { unwell: 'no' } }, covidField), null],
    ['custom field: case-insensitive', customFieldCheck, ctx({ answers: { unwell: 'YES' } }, covidField), 'custom_field_answer'],
    ['agreement: none configured', agreementCheck, ctx(), null],
    ['agreement: not accepted', agreementCheck, ctx({}, agreement), 'agreement_not_accepted'],
    ['agreement: accepted now', agreementCheck, ctx({ agreementAccepted: true }, agreement), null],
    ['agreement: accepted before in this wording', agreementCheck, ctx({ previouslyAcceptedAgreement: true }, agreement), null],
    ['member: active', memberActiveCheck, ctx(), null],
    ['member: archived', memberActiveCheck, ctx({ member: member({ archivedAt: new Date() }) }), 'member_archived'],
    ['member: removed', memberActiveCheck, ctx({ member: member({ deletedAt: new Date() }) }), 'member_removed'],
    ['visitor: no member checks', memberActiveCheck, ctx({ member: null }), null],
    ['dates: within', memberDatesCheck, ctx({ member: member({ startDate: '2025-06-01', endDate: '2025-06-15' }) }), null],
    ['dates: before start', memberDatesCheck, ctx({ member: member({ startDate: '2025-06-16' }) }), 'before_start_date'],
    ['dates: after end', memberDatesCheck, ctx({ member: member({ endDate: '2025-06-14' }) }), 'after_end_date'],
    // 23:30 UTC on the 15th is already the 16th in Sydney: the end date is judged at the site.
    ['dates: site time zone', memberDatesCheck, ctx({ now: new Date('2025-06-15T23:30:00Z'), site: { id: 's', name: 'Syd', timezone: 'Australia/Sydney' }, member: member({ endDate: '2025-06-15' }) }), 'after_end_date'],
    // …and still the 15th in Los Angeles: the last day is not over there.
    ['dates: site time zone west of UTC', memberDatesCheck, ctx({ now: new Date('2025-06-15T23:30:00Z'), site: { id: 's', name: 'LA', timezone: 'America/Los_Angeles' }, member: member({ endDate: '2025-06-15' }) }), null],
  ] as const)('%s', async (_name, check, c, expectedCode) => {
    const r = await check.run(c);
    const results = Array.isArray(r) ? r : [r];
    const failed = results.find((x) => !x.allow);
    expect(failed && !failed.allow ? failed.code : null).toBe(expectedCode);
  });

  it.each([
    ['  José  O\'Brien ', 'jose o brien'],
    ['REYES', 'reyes'],
    ['Anne-Marie Smith', 'anne marie smith'],
  ])('normalises %j', (input, out) => expect(normaliseName(input)).toBe(out));
});

describe('the pipeline', () => {
  const fail = (name: string, code: string): SafetyCheck => ({ name, run: async () => ({ allow: false, code, reason: `${code} reason` }) });
  const pass = (name: string): SafetyCheck => ({ name, run: async () => ({ allow: true }) });
  const boom: SafetyCheck = { name: 'boom', run: async () => { throw new Error('down'); } };

  it.each([
    ['all pass', [pass('a'), pass('b')], []],
    ['collects every failure in order', [fail('a', 'x'), pass('b'), fail('c', 'y')], ['a:x', 'c:y']],
    ['a check that throws fails closed', [pass('a'), boom], ['boom:check_failed']],
  ] as const)('%s', async (_n, checks, expected) => {
    const reasons = await runSafetyChecks(checks, ctx());
    expect(reasons.map((r) => `${r.check}:${r.code}`)).toEqual(expected);
  });

  it.each([
    ['off', 1, { outcome: 'signed_in', safetyStatus: 'skipped', notify: false }],
    ['off', 0, { outcome: 'signed_in', safetyStatus: 'skipped', notify: false }],
    ['reject', 0, { outcome: 'signed_in', safetyStatus: 'passed', notify: false }],
    ['reject', 1, { outcome: 'rejected', safetyStatus: 'rejected', notify: false }],
    ['notify', 0, { outcome: 'signed_in', safetyStatus: 'passed', notify: false }],
    ['notify', 1, { outcome: 'signed_in', safetyStatus: 'notified', notify: true }],
  ] as const)('mode %s with %i failure(s)', (mode, n, expected) => {
    const reasons = Array.from({ length: n }, () => ({ check: 'a', code: 'x', reason: 'r' }));
    expect(decide(mode, reasons)).toEqual(expected);
  });

  it.each(['off', 'notify', 'reject'] as const)('mode %s never lets an archived or removed member in', (mode) => {
    for (const code of ['member_archived', 'member_removed']) {
      expect(decide(mode, [{ check: 'member_active', code, reason: 'r' }])).toEqual({ outcome: 'rejected', safetyStatus: 'rejected', notify: false });
    }
  });
});

describe('checks begun early (decision 049)', () => {
  const db = {} as DbOrTx;
  /** A check that answers by its name where it ran: `run`, or the run begun for `ask`. */
  const traced = (calls: string[]): SafetyCheck => ({
    name: 'traced',
    run: async () => {
      calls.push('run');
      return { allow: false, code: 'by_run', reason: 'run' };
    },
    begin: (ask) => {
      calls.push(`begin ${ask.memberId}`);
      return async () => {
        calls.push('begun');
        return { allow: false, code: 'by_begun', reason: 'begun' };
      };
    },
  });
  const codes = (reasons: Array<{ code: string }>) => reasons.map((r) => r.code);

  it('finishes a begun check for the same tenant, group and member on the same handle', async () => {
    const calls: string[] = [];
    const check = traced(calls);
    const begun = beginSafetyChecks([check], { tenantId: 't', groupId: 'g', memberId: 'm1' }, db);
    expect(codes(await runSafetyChecks([check], ctx({ tx: db }), begun))).toEqual(['by_begun']);
    expect(calls).toEqual(['begin m1', 'begun']);
  });

  it.each([
    ['another member', { tenantId: 't', groupId: 'g', memberId: 'm2' }, {}],
    ['another group', { tenantId: 't', groupId: 'g2', memberId: 'm1' }, {}],
    ['another tenant', { tenantId: 't2', groupId: 'g', memberId: 'm1' }, {}],
    ['a transaction, not the handle it began on', { tenantId: 't', groupId: 'g', memberId: 'm1' }, { tx: {} as DbOrTx }],
    ['a visitor', { tenantId: 't', groupId: 'g', memberId: 'm1' }, { member: null }],
  ] as const)('runs the check as usual for a context with %s', async (_what, ask, over) => {
    const calls: string[] = [];
    const check = traced(calls);
    const begun = beginSafetyChecks([check], ask, db);
    expect(codes(await runSafetyChecks([check], ctx({ tx: db, ...over }), begun))).toEqual(['by_run']);
    expect(calls).toEqual([`begin ${ask.memberId}`, 'run']);
  });

  it('a begin that throws fails its check closed when finished, not the request when begun; checks without begin run as usual', async () => {
    const throwing: SafetyCheck = { name: 'throwing', run: async () => ({ allow: true }), begin: () => { throw new Error('boom'); } };
    const begun = beginSafetyChecks([throwing, memberActiveCheck], { tenantId: 't', groupId: 'g', memberId: 'm1' }, db);
    expect(begun.runs.has(memberActiveCheck)).toBe(false);
    const reasons = await runSafetyChecks([throwing, memberActiveCheck], ctx({ tx: db, member: member({ archivedAt: new Date() }) }), begun);
    expect(reasons).toEqual([
      { check: 'throwing', code: 'check_failed', reason: expect.stringMatching(/could not be completed/) as unknown },
      { check: 'member_active', code: 'member_archived', reason: expect.any(String) as unknown },
    ]);
  });
});
