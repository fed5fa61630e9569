import { describe, expect, it } from 'vitest';
import table from './tables/kcsie-2025-1.json' with { type: 'json' };
import table2 from './tables/kcsie-2025-2.json' with { type: 'json' };
import table3 from './tables/kcsie-2025-3.json' with { type: 'json' };
import table4 from './tables/kcsie-2025-4.json' with { type: 'json' };
import { KCSIE_2025_1 } from '../kcsie/kcsie-2025-1.js';
import { KCSIE_2025_2 } from '../kcsie/kcsie-2025-2.js';
import { KCSIE_2025_3 } from '../kcsie/kcsie-2025-3.js';
import { KCSIE_2025_4 } from '../kcsie/kcsie-2025-4.js';
import { type BuiltInSet } from '../kcsie/kcsie-2025.js';
import { defaultFacts, LATEST_RULE_SET, RULE_SETS, toRuleFact } from '../kcsie/rule-sets.js';
import { applicableChecks, checkState, evaluateProfile, expiringWithin, inPostOn, nextChangeOn, prepareChecks, type RuleCheck, type RuleProfile, type RuleRatingSystem, type RuleValue } from './rating.js';
import { evaluate, validateCondition, type FieldDescriptor } from './conditions.js';
import { builtInFieldCatalog } from './fields.js';

const ruleChecksOf = (set: BuiltInSet): RuleCheck[] =>
  set.checks.map((c) => ({
    id: c.key,
    key: c.key,
    name: c.name,
    section: c.section,
    type: c.type,
    requirement: c.requirement,
    appliesTo: c.appliesTo,
    condition: c.condition ?? null,
    dateRequired: c.dateRequired ?? false,
    pastOnly: c.pastOnly ?? true,
    validity: c.validity ?? null,
    passValue: c.passValue ?? null,
    referenceLabel: c.referenceLabel ?? null,
    options: c.options ?? [],
    enabled: true,
    organisationId: null,
  }));
const kcsieChecks = ruleChecksOf(KCSIE_2025_1);
const systems: RuleRatingSystem[] = KCSIE_2025_1.ratingSystems.map((s) => ({ id: s.key, key: s.key, name: s.name, enabled: true, defaultRequire: s.defaultRequire, rules: {} }));
const set = prepareChecks(kcsieChecks, KCSIE_2025_1.facts.map(toRuleFact));

type Given = string | boolean | null | { value: string | boolean; reference?: string; checkedOn?: string };
type Case = { rule: string; organisationType: string; profileType: string; base?: 'staff_checked'; facts: Record<string, boolean>; values: Record<string, Given>; applicable?: string[]; inspector_ready: string[]; school_ready?: string[]; factsToConfirm?: string[]; barred_list_allowed?: boolean };

function profileOf(c: { organisationType: string; profileType: string; base?: string; facts?: Record<string, boolean>; values: Record<string, Given> }, staffChecked: Record<string, Given> = table.staff_checked as Record<string, Given>): RuleProfile {
  const values = new Map<string, RuleValue>();
  const given: Record<string, Given> = { ...(c.base ? staffChecked : {}), ...c.values };
  for (const [key, g] of Object.entries(given)) {
    if (g === null) continue;
    const v = typeof g === 'object' ? g : { value: g };
    values.set(key, { value: v.value, reference: 'reference' in v ? (v.reference ?? null) : null, checkedOn: 'checkedOn' in v ? (v.checkedOn ?? null) : null });
  }
  return { organisationId: 'org', organisationType: c.organisationType, profileTypeKey: c.profileType, fields: {}, values, facts: c.facts ?? {} };
}

function tableCases(builtIn: BuiltInSet, t: { today: string; staff_checked: Record<string, unknown>; cases: unknown[] }) {
  const set = prepareChecks(ruleChecksOf(builtIn), builtIn.facts.map(toRuleFact));
  const systems: RuleRatingSystem[] = builtIn.ratingSystems.map((s) => ({ id: s.key, key: s.key, name: s.name, enabled: true, defaultRequire: s.defaultRequire, rules: {} }));
  it.each(t.cases as Case[])('$rule', (c) => {
    const profile = profileOf(c, t.staff_checked as Record<string, Given>);
    const ev = evaluateProfile(profile, set, systems, t.today);
    const msgs = (key: string) => ev.ratings.find((r) => r.key === key)!.problems.map((p) => p.message);
    expect(msgs('inspector_ready')).toEqual(c.inspector_ready);
    expect(ev.ratings.find((r) => r.key === 'inspector_ready')!.ready).toBe(c.inspector_ready.length === 0);
    if (c.school_ready) expect(msgs('school_ready')).toEqual(c.school_ready);
    if (c.applicable) expect(ev.applicable.map((r) => r.check.key)).toEqual(c.applicable);
    if (c.factsToConfirm) expect(ev.factsToConfirm.map((f) => f.key)).toEqual(c.factsToConfirm);
    // Facts are never missing checks.
    for (const r of ev.ratings) for (const p of r.problems) expect(builtIn.facts.map((f) => f.key)).not.toContain(p.checkKey);
    if (c.barred_list_allowed !== undefined) {
      const barred = builtIn.checks.find((x) => x.key === 'barred_list')!;
      const get = (field: string) => (field === 'profile.type' ? c.profileType : field === 'organisation.type' ? c.organisationType : field.startsWith('fact.') ? (c.facts[field.slice(5)] ?? null) : null);
      expect(evaluate(barred.allowedWhen!.condition, get, t.today)).toBe(c.barred_list_allowed);
    }
  });
}

describe('KCSIE 2025.1: one case per rule (person, organisation type, facts, recorded → both ratings and the exact missing lists)', () => {
  tableCases(KCSIE_2025_1, table);
});

describe('KCSIE 2025.2 (decision 041): one case per rule, the corrected volunteer risk assessment and agency DBS date included', () => {
  tableCases(KCSIE_2025_2, table2);

  it('differs from 2025.1 only in the corrected checks', () => {
    const changed = KCSIE_2025_2.checks.filter((c, i) => JSON.stringify(c) !== JSON.stringify(KCSIE_2025_1.checks[i])).map((c) => c.key);
    expect(changed.sort()).toEqual(['agency_dbs_date', 'risk_assessment']);
    expect(KCSIE_2025_2.facts).toEqual(KCSIE_2025_1.facts);
    expect(KCSIE_2025_2.ratingSystems).toEqual(KCSIE_2025_1.ratingSystems);
  });
});

describe('KCSIE 2025.3 (decision 045, nmss): 2025.2 plus non-maintained special schools and the three-month move, one case per rule and profile type', () => {
  tableCases(KCSIE_2025_3, table3);

  it('differs from 2025.2 only in the NMSS checks and facts and the new fact', () => {
    const changed = KCSIE_2025_3.checks.filter((c, i) => JSON.stringify(c) !== JSON.stringify(KCSIE_2025_2.checks[i])).map((c) => c.key);
    expect(changed.sort()).toEqual(['agency_dbs_date', 'identity', 'overseas_checks', 'right_to_work']);
    expect(KCSIE_2025_3.checks.map((c) => c.key)).toEqual(KCSIE_2025_2.checks.map((c) => c.key));
    const facts = KCSIE_2025_3.facts.filter((f) => JSON.stringify(f) !== JSON.stringify(KCSIE_2025_2.facts.find((x) => x.key === f.key))).map((f) => f.key);
    expect(facts.sort()).toEqual(['lived_abroad', 'moved_from_school_post', 'requires_qualification']);
    expect(KCSIE_2025_3.ratingSystems).toEqual(KCSIE_2025_2.ratingSystems);
    expect(KCSIE_2025_3.profileTypes).toEqual(KCSIE_2025_2.profileTypes);
  });

  it('a teacher in a non-maintained special school starts as needing QTS (as in a maintained school)', () => {
    expect(defaultFacts(KCSIE_2025_3.facts, 'teaching', 'non_maintained_special')).toEqual({ teaches: true, requires_qualification: true, regulated_activity: true });
    expect(defaultFacts(KCSIE_2025_3.facts, 'teaching', 'academy')).toEqual({ teaches: true, requires_qualification: false, regulated_activity: true });
    // Under 2025.2 the type was unknown: no default, so the fact was only "to confirm".
    expect(defaultFacts(KCSIE_2025_2.facts, 'teaching', 'non_maintained_special')).toEqual({ teaches: true, regulated_activity: true });
  });
});

describe('KCSIE 2025.4 (decision 046, law): 2025.3 plus the right to work for the governors of a proprietor body (ISS para 20(6)(b)), one case per rule and profile type', () => {
  tableCases(KCSIE_2025_4, table4);

  it('is the latest set (new tenants seed it) and differs from 2025.3 only in the right to work', () => {
    expect(LATEST_RULE_SET.version).toBe('KCSIE 2025.4');
    const changed = KCSIE_2025_4.checks.filter((c, i) => JSON.stringify(c) !== JSON.stringify(KCSIE_2025_3.checks[i])).map((c) => c.key);
    expect(changed).toEqual(['right_to_work']);
    expect(KCSIE_2025_4.checks.map((c) => c.key)).toEqual(KCSIE_2025_3.checks.map((c) => c.key));
    expect(KCSIE_2025_4.facts).toEqual(KCSIE_2025_3.facts);
    expect(KCSIE_2025_4.ratingSystems).toEqual(KCSIE_2025_3.ratingSystems);
    expect(KCSIE_2025_4.profileTypes).toEqual(KCSIE_2025_3.profileTypes);
  });

  it('a trustee of an academy, a free school or an independent proprietor body without the right to work recorded was ready under 2025.3 and is not under 2025.4; a maintained governor is ready under both', () => {
    const recorded: Record<string, Given> = { identity: '2024-09-01', enhanced_dbs: { value: '2024-08-20', reference: '001234567890' }, section_128: '2024-08-21' };
    const readyUnder = (s: BuiltInSet, organisationType: string) => {
      const prepared = prepareChecks(ruleChecksOf(s), s.facts.map(toRuleFact));
      const sys: RuleRatingSystem[] = s.ratingSystems.map((r) => ({ id: r.key, key: r.key, name: r.name, enabled: true, defaultRequire: r.defaultRequire, rules: {} }));
      const ev = evaluateProfile(profileOf({ organisationType, profileType: 'governor', facts: { regulated_activity: false, lived_abroad: false }, values: recorded }), prepared, sys, table4.today);
      return ev.ratings.find((r) => r.key === 'inspector_ready')!.ready;
    };
    for (const t of ['academy', 'free', 'independent']) {
      expect(readyUnder(KCSIE_2025_3, t), t).toBe(true);
      expect(readyUnder(KCSIE_2025_4, t), t).toBe(false);
    }
    expect(readyUnder(KCSIE_2025_3, 'maintained')).toBe(true);
    expect(readyUnder(KCSIE_2025_4, 'maintained')).toBe(true);
  });
});

describe('built-in sets', () => {
  it('every built-in condition (every version) names only fields that exist', () => {
    for (const s of RULE_SETS) {
      const fields = builtInFieldCatalog(ruleChecksOf(s), s.profileTypes.map((t) => t.key), s.facts);
      for (const c of s.checks) {
        if (c.condition) expect(validateCondition(c.condition, fields as ReadonlyMap<string, FieldDescriptor>), `${s.version} ${c.key}`).toEqual([]);
        if (c.allowedWhen) expect(validateCondition(c.allowedWhen.condition, fields as ReadonlyMap<string, FieldDescriptor>), `${s.version} ${c.key}`).toEqual([]);
      }
      for (const f of s.facts) if (f.condition) expect(validateCondition(f.condition, fields as ReadonlyMap<string, FieldDescriptor>), `${s.version} fact ${f.key}`).toEqual([]);
    }
  });

  it('profile type defaults: a teacher in a maintained school teaches, needs QTS, is in regulated activity; in an academy QTS is not required by law', () => {
    expect(defaultFacts(KCSIE_2025_1.facts, 'teaching', 'maintained')).toEqual({ teaches: true, requires_qualification: true, regulated_activity: true });
    expect(defaultFacts(KCSIE_2025_1.facts, 'teaching', 'academy')).toEqual({ teaches: true, requires_qualification: false, regulated_activity: true });
    expect(defaultFacts(KCSIE_2025_1.facts, 'support', 'maintained')).toEqual({ teaches: false, requires_qualification: false, regulated_activity: true });
    expect(defaultFacts(KCSIE_2025_1.facts, 'volunteer', 'maintained')).toEqual({});
  });
});

describe('rating engine', () => {
  it('a rule per profile type narrows what a rating system requires', () => {
    const only: RuleRatingSystem = { id: 'x', key: 'x', name: 'Identity only', enabled: true, defaultRequire: 'statutory', rules: { teaching: { require: ['identity'] } } };
    const ev = evaluateProfile(profileOf({ organisationType: 'maintained', profileType: 'teaching', values: {} }), set, [only], table.today);
    expect(ev.ratings[0]!.problems.map((p) => p.message)).toEqual(['Identity check missing']);
  });

  it('an optional check counts only when a rating system names it', () => {
    const named: RuleRatingSystem = { id: 'x', key: 'x', name: 'Update service', enabled: true, defaultRequire: 'all', rules: { teaching: { require: ['dbs_update_service'] } } };
    const ev = evaluateProfile(profileOf({ organisationType: 'maintained', profileType: 'teaching', values: {} }), set, [named], table.today);
    expect(ev.ratings[0]!.problems.map((p) => p.message)).toEqual(['DBS update service checked missing']);
  });

  it("a school's own check applies only in that school, and a disabled check not at all", () => {
    const own: RuleCheck = { ...kcsieChecks.find((c) => c.key === 'right_to_work')!, id: 'own', key: 'own', name: 'Lanyard issued', organisationId: 'other' };
    const off: RuleCheck = { ...own, id: 'off', key: 'off', organisationId: null, enabled: false };
    const s = prepareChecks([own, off]);
    expect(applicableChecks(profileOf({ organisationType: 'maintained', profileType: 'teaching', values: {} }), s, table.today)).toEqual([]);
  });

  it('a profile is ready overall when every mandatory rating system is (every enabled one when none is mandatory)', () => {
    const teacher = profileOf({ organisationType: 'maintained', profileType: 'teaching', base: 'staff_checked', facts: { teaches: true, requires_qualification: true, regulated_activity: true, lived_abroad: false, early_years_childcare: false }, values: { references: null } });
    const [inspector, school] = systems;
    const cases: Array<[string, RuleRatingSystem[], boolean]> = [
      ['Inspector ready mandatory: inspector ready is enough', [{ ...inspector!, mandatory: true }, school!], true],
      ['School ready mandatory too: not ready', [{ ...inspector!, mandatory: true }, { ...school!, mandatory: true }], false],
      ['none mandatory: every enabled system counts', [inspector!, school!], false],
      ['none mandatory, only Inspector ready enabled', [inspector!, { ...school!, enabled: false }], true],
    ];
    for (const [name, given, ready] of cases) {
      const ev = evaluateProfile(teacher, set, given, table.today);
      expect(ev.ready, name).toBe(ready);
      expect(ev.ratings.map((r) => r.mandatory), name).toEqual(given.filter((s) => s.enabled).map((s) => s.mandatory === true));
    }
  });

  it('lists checks expiring within a window, soonest first', () => {
    const p = profileOf({ organisationType: 'maintained', profileType: 'support', values: { safeguarding_training: '2024-07-01' } });
    const ev = evaluateProfile(p, set, systems, table.today);
    expect(expiringWithin(ev, table.today, 30).map((e) => [e.check.key, e.expiresOn, e.inDays])).toEqual([['safeguarding_training', '2025-07-01', 16]]);
    expect(expiringWithin(ev, table.today, 10)).toEqual([]);
  });

  it('validity of a yes/no check runs from when it was checked', () => {
    const check: RuleCheck = { ...kcsieChecks[0]!, type: 'yesno', passValue: true, validity: { n: 3, unit: 'years' }, name: 'Right to work' };
    expect(checkState(check, { value: true, reference: null, checkedOn: '2022-02-03' }, '2025-06-15').message).toBe('Right to work expired on 03/02/2025');
    expect(checkState(check, { value: true, reference: null, checkedOn: null }, '2025-06-15').message).toBe('Right to work: date checked missing');
  });

  it('rated on an earlier day, a check done after it is not done yet (and counts from its date); a check whose dates may be ahead is read as recorded', () => {
    const teacher = profileOf({ organisationType: 'maintained', profileType: 'teaching', base: 'staff_checked', facts: { teaches: true, requires_qualification: true, regulated_activity: true, lived_abroad: false, early_years_childcare: false }, values: {} });
    const before = evaluateProfile(teacher, set, systems, '2024-08-20');
    expect(before.ratings.find((r) => r.key === 'inspector_ready')!.problems.map((p) => p.message)).toEqual([
      'Identity check: not done until 01/09/2024',
      'Prohibition from teaching: not done until 21/08/2024',
      'Professional qualifications: not done until 21/08/2024',
      'Right to work: not done until 01/09/2024',
    ]);
    expect(nextChangeOn(before, {}, '2024-08-20')).toBe('2024-08-21');
    expect(evaluateProfile(teacher, set, systems, '2024-09-01').ratings.find((r) => r.key === 'inspector_ready')!.ready).toBe(true);
    const confirmation: RuleCheck = { ...kcsieChecks.find((c) => c.key === 'agency_confirmation')! };
    expect(checkState(confirmation, { value: true, reference: null, checkedOn: '2025-05-30' }, '2025-05-29')).toMatchObject({ state: 'missing', doneOn: '2025-05-30' });
    const ahead: RuleCheck = { ...kcsieChecks.find((c) => c.key === 'right_to_work')!, pastOnly: false, name: 'Visa valid until' };
    expect(checkState(ahead, { value: '2027-01-01', reference: null, checkedOn: null }, '2025-06-15').state).toBe('ok');
  });

  it('in post on a date: started by then and not left before it', () => {
    expect(inPostOn({ start_date: '2025-09-01', leaving_date: null }, '2025-08-31')).toBe(false);
    expect(inPostOn({ start_date: '2025-09-01', leaving_date: null }, '2025-09-01')).toBe(true);
    expect(inPostOn({ start_date: null, leaving_date: '2025-07-18' }, '2025-07-18')).toBe(true);
    expect(inPostOn({ start_date: null, leaving_date: '2025-07-18' }, '2025-07-19')).toBe(false);
  });

  it('the next change: the soonest expiry, start, or day after leaving', () => {
    const p = profileOf({ organisationType: 'maintained', profileType: 'support', values: { safeguarding_training: '2024-07-01' } });
    const ev = evaluateProfile(p, set, systems, table.today);
    expect(nextChangeOn(ev, {}, table.today)).toBe('2025-07-01');
    expect(nextChangeOn(ev, { leaving_date: '2025-06-20' }, table.today)).toBe('2025-06-21');
    expect(nextChangeOn(ev, { start_date: '2025-06-16' }, table.today)).toBe('2025-06-16');
    expect(nextChangeOn(evaluateProfile(profileOf({ organisationType: 'maintained', profileType: 'contractor', values: {} }), set, systems, table.today), {}, table.today)).toBeNull();
  });
});
