import { describe, expect, it } from 'vitest';
import type { DbOrTx } from '../../../platform/db/database.js';
import { readOptions } from '../groups/groups.schemas.js';
import { agreementCheck, memberDatesCheck } from './checks.js';
import { prepareSafetyOutcomes, type BulkSafetyCheck } from './bulk.js';
import { safetyOutcome } from './pipeline.js';
import type { SafetyCheck, SafetyContext } from './safety.types.js';

function ctx(name: string, over: Partial<SafetyContext> = {}): SafetyContext {
  return {
    tx: {} as DbOrTx,
    tenantId: 't',
    site: { id: 's', name: 'North', timezone: 'Europe/London' },
    group: { id: 'g', name: 'Staff', type: 'repeat', options: readOptions({ agreement: { text: 'Wear your badge' } }) },
    member: null,
    visitor: null,
    person: { fullName: name, email: null, dateOfBirth: null },
    answers: {},
    agreementAccepted: false,
    previouslyAcceptedAgreement: false,
    now: new Date('2025-06-15T12:00:00Z'),
    ...over,
  };
}

// A check that reads something per person, with a bulk form that answers for all of them at once.
const byName = (name: string): BulkSafetyCheck => ({
  name,
  run: async (c) => (c.person.fullName.startsWith('B') ? { allow: false, code: 'b_name', reason: `${name}: no Bs`, validUntil: '2025-07-01' } : { allow: true, validUntil: '2025-08-01' }),
  runMany: async (cs) => cs.map((c) => (c.person.fullName.startsWith('B') ? { allow: false, code: 'b_name', reason: `${name}: no Bs`, validUntil: '2025-07-01' } : { allow: true, validUntil: '2025-08-01' })),
});
const brokenMany: BulkSafetyCheck = { name: 'broken', run: async () => ({ allow: true }), runMany: async () => Promise.reject(new Error('down')) };
const shortMany: BulkSafetyCheck = { name: 'short', run: async () => ({ allow: true }), runMany: async () => [] };
const throwsAlone: SafetyCheck = { name: 'throws', run: async (c) => (c.person.fullName === 'Cy' ? Promise.reject(new Error('down')) : { allow: true }) };

describe('the safety pipeline in bulk', () => {
  it('gives each context what the pipeline gives it alone: reasons in check order, the earliest validUntil, a throwing check failing closed', async () => {
    const checks = [byName('first'), agreementCheck, throwsAlone, memberDatesCheck, byName('last')];
    const ctxs = [ctx('Ada'), ctx('Bo', { agreementAccepted: true }), ctx('Cy'), ctx('Bea', { previouslyAcceptedAgreement: true })];
    const outcomeOf = await prepareSafetyOutcomes(checks, ctxs);
    for (let i = 0; i < ctxs.length; i++) expect(await outcomeOf(i, ctxs[i]!)).toEqual(await safetyOutcome(checks, ctxs[i]!));
    expect((await outcomeOf(1, ctxs[1]!)).reasons.map((r) => `${r.check}:${r.code}`)).toEqual(['first:b_name', 'last:b_name']);
    expect((await outcomeOf(2, ctxs[2]!)).reasons.map((r) => `${r.check}:${r.code}`)).toEqual(['agreement:agreement_not_accepted', 'throws:check_failed']);
  });

  it('checks without a bulk form run on the final context (an agreement accepted earlier in the batch counts)', async () => {
    const draft = ctx('Ada');
    const outcomeOf = await prepareSafetyOutcomes([agreementCheck], [draft]);
    expect((await outcomeOf(0, draft)).reasons.map((r) => r.code)).toEqual(['agreement_not_accepted']);
    expect((await outcomeOf(0, { ...draft, previouslyAcceptedAgreement: true })).reasons).toEqual([]);
  });

  it('a bulk form that throws or answers for the wrong number of people fails closed for every context', async () => {
    const ctxs = [ctx('Ada'), ctx('Bo')];
    for (const check of [brokenMany, shortMany]) {
      const outcomeOf = await prepareSafetyOutcomes([check], ctxs);
      for (let i = 0; i < ctxs.length; i++) expect((await outcomeOf(i, ctxs[i]!)).reasons).toEqual([{ check: check.name, code: 'check_failed', reason: 'A safety check could not be completed; please see reception' }]);
    }
  });
});
