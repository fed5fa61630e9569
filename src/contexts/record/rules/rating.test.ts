import { describe, expect, it } from 'vitest';
import table from './tables/rating.json' with { type: 'json' };
import { KCSIE_2025 } from '../kcsie/kcsie-2025.js';
import { applicableChecks, checkState, evaluateProfile, expiringWithin, prepareChecks, type RuleCheck, type RuleProfile, type RuleRatingSystem, type RuleValue } from './rating.js';
import { validateCondition, type FieldDescriptor } from './conditions.js';
import { builtInFieldCatalog } from './fields.js';

const kcsieChecks: RuleCheck[] = KCSIE_2025.checks.map((c) => ({
  id: c.key,
  key: c.key,
  name: c.name,
  section: c.section,
  type: c.type,
  requirement: c.requirement,
  appliesTo: c.appliesTo,
  condition: c.condition ?? null,
  validity: c.validity ?? null,
  passValue: c.passValue ?? null,
  referenceLabel: c.referenceLabel ?? null,
  options: c.options ?? [],
  enabled: true,
  organisationId: null,
}));
const systems: RuleRatingSystem[] = KCSIE_2025.ratingSystems.map((s) => ({ id: s.key, key: s.key, name: s.name, enabled: true, defaultRequire: s.defaultRequire, rules: {} }));
const set = prepareChecks(kcsieChecks);

type Given = string | boolean | { value: string | boolean; reference?: string; checkedOn?: string };
function profileOf(c: { organisationType: string; profileType: string; values: Record<string, Given> }): RuleProfile {
  const values = new Map<string, RuleValue>();
  for (const [key, g] of Object.entries(c.values)) {
    const v = typeof g === 'object' ? g : { value: g };
    values.set(key, { value: v.value, reference: 'reference' in v ? (v.reference ?? null) : null, checkedOn: 'checkedOn' in v ? (v.checkedOn ?? null) : null });
  }
  return { organisationId: 'org', organisationType: c.organisationType, profileTypeKey: c.profileType, fields: {}, values };
}

describe('rating engine over the KCSIE 2025 set', () => {
  it.each(table.cases)('$name', (c) => {
    const ev = evaluateProfile(profileOf(c as unknown as { organisationType: string; profileType: string; values: Record<string, Given> }), set, systems, table.today);
    const msgs = (key: string) => ev.ratings.find((r) => r.key === key)!.problems.map((p) => p.message);
    expect(msgs('inspector_ready')).toEqual(c.inspector_ready);
    expect(ev.ratings.find((r) => r.key === 'inspector_ready')!.ready).toBe(c.inspector_ready.length === 0);
    if ('school_ready' in c) expect(msgs('school_ready')).toEqual(c.school_ready);
    if ('applicable' in c) {
      expect(ev.applicable.map((r) => r.check.key)).toEqual(c.applicable);
    }
  });

  it('every built-in condition names only fields that exist', () => {
    const fields = builtInFieldCatalog(kcsieChecks);
    for (const c of kcsieChecks) {
      if (c.condition) expect(validateCondition(c.condition, fields as ReadonlyMap<string, FieldDescriptor>), c.key).toEqual([]);
    }
  });

  it('a rule per profile type narrows what a rating system requires', () => {
    const only: RuleRatingSystem = { id: 'x', key: 'x', name: 'Identity only', enabled: true, defaultRequire: 'statutory', rules: { teaching: { require: ['identity'] } } };
    const ev = evaluateProfile(profileOf({ organisationType: 'maintained', profileType: 'teaching', values: {} }), set, [only], table.today);
    expect(ev.ratings[0]!.problems.map((p) => p.message)).toEqual(['Identity check missing']);
  });

  it('a school\'s own check applies only in that school, and a disabled check not at all', () => {
    const own: RuleCheck = { ...kcsieChecks.find((c) => c.key === 'identity')!, id: 'own', key: 'own', name: 'Lanyard issued', organisationId: 'other' };
    const off: RuleCheck = { ...own, id: 'off', key: 'off', organisationId: null, enabled: false };
    const s = prepareChecks([own, off]);
    expect(applicableChecks(profileOf({ organisationType: 'maintained', profileType: 'teaching', values: {} }), s, table.today)).toEqual([]);
  });

  it('a profile is ready overall when every mandatory rating system is (every enabled one when none is mandatory)', () => {
    const teacher = profileOf({ organisationType: 'maintained', profileType: 'teaching', values: { identity: '2024-09-01', enhanced_dbs: { value: '2024-08-20', reference: '001234567890' }, barred_list: '2024-08-20', prohibition: '2024-08-21', qualifications: '2024-08-21', lived_abroad: false, right_to_work: '2024-09-01' } });
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
});
