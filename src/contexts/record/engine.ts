import { prepareChecks, evaluateProfile, type CheckSet, type ProfileEvaluation } from './rules/rating.js';
import { toRuleCheck, toRuleProfile, toRuleSystem, toRuleValue, type ValueLite, type ProfileRow, type RecordModel } from './record.repo.js';
import type { RuleRatingSystem, RuleValue } from './rules/rating.js';
import { toRuleFact } from './kcsie/rule-sets.js';
import { todayIn } from './rules/dates.js';

/** The model prepared for the rules engine: checks and rating systems in the engine's terms. */
export type PreparedModel = RecordModel & { set: CheckSet; ruleSystems: RuleRatingSystem[] };

export function prepare(model: RecordModel): PreparedModel {
  return { ...model, set: prepareChecks(model.checks.map(toRuleCheck), model.facts.map(toRuleFact)), ruleSystems: model.systems.map(toRuleSystem) };
}

export function ruleValues(values: ReadonlyMap<string, ValueLite>, withDocuments?: ReadonlySet<string>): Map<string, RuleValue> {
  const out = new Map<string, RuleValue>();
  for (const [checkId, v] of values) out.set(checkId, toRuleValue(v, withDocuments?.has(checkId)));
  return out;
}

export function evaluateRow(m: PreparedModel, profile: ProfileRow, values: ReadonlyMap<string, ValueLite>, today: string, withDocuments?: ReadonlySet<string>): ProfileEvaluation {
  return evaluateProfile(toRuleProfile(m, profile, ruleValues(values, withDocuments)), m.set, m.ruleSystems, today);
}

/** Today in an organisation's time zone: the record's one definition of "today". */
export function dayAt(m: Pick<RecordModel, 'organisations'>, organisationId: string, now: Date): string {
  return todayIn(now, m.organisations.get(organisationId)?.timeZone ?? 'Europe/London');
}
