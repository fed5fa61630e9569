import type { RuleFact } from '../rules/rating.js';
import { KCSIE_2025, type BuiltInFact, type BuiltInSet } from './kcsie-2025.js';
import { KCSIE_2025_1 } from './kcsie-2025-1.js';
import { KCSIE_2025_2 } from './kcsie-2025-2.js';
import { KCSIE_2025_3 } from './kcsie-2025-3.js';
import { KCSIE_2025_4 } from './kcsie-2025-4.js';

/** Every built-in rule set a tenant can run, oldest first. A new September is a new entry. */
export const RULE_SETS: readonly BuiltInSet[] = [KCSIE_2025, KCSIE_2025_1, KCSIE_2025_2, KCSIE_2025_3, KCSIE_2025_4];
export const LATEST_RULE_SET: BuiltInSet = KCSIE_2025_4;

export function ruleSetOf(version: string): BuiltInSet | undefined {
  return RULE_SETS.find((s) => s.version === version);
}

export const toRuleFact = (f: BuiltInFact): RuleFact => ({ key: f.key, name: f.name, appliesTo: f.appliesTo, condition: f.condition ?? null, safeAnswer: f.safeAnswer });

/** The answers a new profile of this type in this kind of organisation starts with. */
export function defaultFacts(facts: readonly BuiltInFact[], profileTypeKey: string, organisationType: string): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const f of facts) {
    const d = f.defaults?.find((x) => x.profileTypes.includes(profileTypeKey) && (!x.organisationTypes || x.organisationTypes.includes(organisationType)));
    if (d) out[f.key] = d.value;
  }
  return out;
}
