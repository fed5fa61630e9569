// The rules engine bench's input and loop, for both engines (issue 10, Performance):
// - "with facts": today's engine (src/contexts/record/rules) on "KCSIE 2025.1" with facts about
//   the post, plus five trust checks (25 checks);
// - "before facts": the engine as it was before facts (commit e1f51cb, frozen in
//   bench/baseline/engine-e1f51cb) on "KCSIE 2025" as it then was, facts stored as yes/no checks,
//   plus two trust checks (25 checks).
// Same people, same recorded values, same day; 2 rating systems each. Used in-process by
// record.bench.ts (wall clock) and by engine-driver.ts under valgrind (instruction counts).
import { KCSIE_2025_1 } from '../src/contexts/record/kcsie/kcsie-2025-1.js';
import { toRuleFact } from '../src/contexts/record/kcsie/rule-sets.js';
import * as now from '../src/contexts/record/rules/rating.js';
import { addPeriod } from '../src/contexts/record/rules/dates.js';
import * as old from './baseline/engine-e1f51cb/rating.js';
import { KCSIE_2025 as OLD_KCSIE_2025 } from './baseline/engine-e1f51cb/kcsie-2025.js';

export const ENGINES = ['before-facts', 'with-facts'] as const;
export type EngineKind = (typeof ENGINES)[number];

const TYPES = ['teaching', 'support', 'agency', 'volunteer', 'governor', 'contractor'];
const ORG_TYPES = ['maintained', 'academy', 'free', 'independent', 'college'];
/** A fixed day, so instruction counts do not move with the calendar. */
export const BENCH_DAY = '2026-03-14';

/** A deterministic spread of states: most checks done, some missing, some old. */
export function valueFor(check: { key: string; type: string }, i: number, today = BENCH_DAY): now.RuleValue | undefined {
  const r = (i * 2654435761 + check.key.length * 97) % 100;
  if (r < 12) return undefined;
  if (check.type === 'yesno') return { value: r % 3 !== 0, reference: null, checkedOn: today };
  return { value: addPeriod(today, -((r * 11) % 900), 'days'), reference: check.key === 'enhanced_dbs' ? `00${i}` : null, checkedOn: null };
}

type Check = now.RuleCheck;
const trust = (c: Omit<Check, 'section' | 'validity' | 'passValue' | 'referenceLabel' | 'options' | 'enabled' | 'organisationId'> & Partial<Check>): Check => ({ section: 'Trust', validity: null, passValue: null, referenceLabel: null, options: [], enabled: true, organisationId: null, ...c });
const EXTRA: Check[] = [
  trust({ id: 'x1', key: 'trust_induction', name: 'Trust induction', type: 'date', requirement: 'statutory', appliesTo: [], condition: { op: 'and', conditions: [{ field: 'profile.role', operator: 'not_contains', value: 'governor' }] }, validity: { n: 3, unit: 'years' } }),
  trust({ id: 'x2', key: 'lanyard', name: 'Lanyard issued', type: 'yesno', requirement: 'recommended', appliesTo: ['teaching', 'support'], condition: null, passValue: true }),
  trust({ id: 'x3', key: 'fire_induction', name: 'Fire induction', type: 'date', requirement: 'recommended', appliesTo: [], condition: { op: 'and', conditions: [{ field: 'fact.regulated_activity', operator: 'equals', value: 'yes' }] }, validity: { n: 1, unit: 'years' } }),
  trust({ id: 'x4', key: 'code_of_conduct', name: 'Code of conduct signed', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer'], condition: null }),
  trust({ id: 'x5', key: 'online_safety', name: 'Online safety training', type: 'date', requirement: 'recommended', appliesTo: ['teaching'], condition: { op: 'and', conditions: [{ field: 'fact.teaches', operator: 'equals', value: 'yes' }] }, validity: { n: 2, unit: 'years' } }),
];

export type EngineRun = {
  kind: EngineKind;
  profiles: number;
  checks: number;
  ratingSystems: number;
  /** Evaluates every profile `rounds` times; returns how many ratings were ready. */
  run: (rounds: number) => number;
};

/** Builds the input of one engine for `n` profiles (nothing evaluated yet). */
export function engineInput(kind: EngineKind, n = 10_000, today = BENCH_DAY): EngineRun {
  const profileBase = (i: number) => ({ organisationId: `org${i % 5}`, organisationType: ORG_TYPES[i % 5]!, profileTypeKey: TYPES[i % 6]!, fields: { role: i % 7 === 0 ? 'Head of year' : 'Teacher', start_date: '2020-09-01' } });
  if (kind === 'with-facts') {
    const checks: Check[] = [
      ...KCSIE_2025_1.checks.map((c) => ({ id: c.key, key: c.key, name: c.name, section: c.section, type: c.type, requirement: c.requirement, appliesTo: c.appliesTo, condition: c.condition ?? null, dateRequired: c.dateRequired ?? false, validity: c.validity ?? null, passValue: c.passValue ?? null, referenceLabel: c.referenceLabel ?? null, options: c.options ?? [], enabled: true, organisationId: null })),
      ...EXTRA,
    ];
    const systems: now.RuleRatingSystem[] = KCSIE_2025_1.ratingSystems.map((s) => ({ id: s.key, key: s.key, name: s.name, enabled: true, defaultRequire: s.defaultRequire, rules: {} }));
    const set = now.prepareChecks(checks, KCSIE_2025_1.facts.map(toRuleFact));
    const profiles: now.RuleProfile[] = [];
    for (let i = 0; i < n; i++) {
      const values = new Map<string, now.RuleValue>();
      for (const c of checks) {
        const v = valueFor(c, i, today);
        if (v) values.set(c.id, v);
      }
      // Facts: most answered, some not (they count as their safe answer).
      const facts: Record<string, boolean> = {};
      KCSIE_2025_1.facts.forEach((f, k) => {
        const r = (i * 31 + k * 17) % 10;
        if (r < 8) facts[f.key] = r % 2 === 0;
      });
      profiles.push({ ...profileBase(i), values, facts });
    }
    return {
      kind,
      profiles: n,
      checks: checks.length,
      ratingSystems: systems.length,
      run: (rounds) => {
        let ready = 0;
        for (let r = 0; r < rounds; r++) for (const p of profiles) for (const x of now.evaluateProfile(p, set, systems, today).ratings) if (x.ready) ready++;
        return ready;
      },
    };
  }
  const checks: old.RuleCheck[] = [
    ...OLD_KCSIE_2025.checks.map((c) => ({ id: c.key, key: c.key, name: c.name, section: c.section, type: c.type, requirement: c.requirement, appliesTo: c.appliesTo, condition: c.condition ?? null, validity: c.validity ?? null, passValue: c.passValue ?? null, referenceLabel: c.referenceLabel ?? null, options: c.options ?? [], enabled: true, organisationId: null })),
    ...EXTRA.slice(0, 2).map((c) => ({ ...c, requirement: c.requirement as 'statutory' | 'recommended' })),
  ];
  const systems: old.RuleRatingSystem[] = OLD_KCSIE_2025.ratingSystems.map((s) => ({ id: s.key, key: s.key, name: s.name, enabled: true, defaultRequire: s.defaultRequire, rules: {} }));
  const set = old.prepareChecks(checks);
  const profiles: old.RuleProfile[] = [];
  for (let i = 0; i < n; i++) {
    const values = new Map<string, old.RuleValue>();
    for (const c of checks) {
      const v = valueFor(c, i, today);
      if (v) values.set(c.id, v);
    }
    profiles.push({ ...profileBase(i), values });
  }
  return {
    kind,
    profiles: n,
    checks: checks.length,
    ratingSystems: systems.length,
    run: (rounds) => {
      let ready = 0;
      for (let r = 0; r < rounds; r++) for (const p of profiles) for (const x of old.evaluateProfile(p, set, systems, today).ratings) if (x.ready) ready++;
      return ready;
    },
  };
}
