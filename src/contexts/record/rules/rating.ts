import { compileCondition, evaluate, type CompiledCondition, type ConditionGroup, type FieldValue } from './conditions.js';
import { addPeriod, daysBetween, ukDate } from './dates.js';

/**
 * The compliance engine: which checks apply to a profile, the state of each, and per rating
 * system whether the profile is ready and exactly why not — in words a person understands.
 * Pure: everything comes in as plain data, `today` as YYYY-MM-DD.
 */
export type RuleCheck = {
  id: string;
  key: string;
  name: string;
  section: string;
  type: 'yesno' | 'date' | 'text' | 'choice' | 'document';
  requirement: 'statutory' | 'recommended' | 'optional';
  appliesTo: readonly string[];
  condition: ConditionGroup | null;
  /** A yes/no (or text) answer counts only with the date it was done. */
  dateRequired?: boolean;
  /**
   * Its date is when it was done (a check made, a certificate issued: never in the future when
   * recorded): on a day before that date it was not done yet.
   */
  pastOnly?: boolean;
  validity: { n: number; unit: 'months' | 'years' } | null;
  passValue: boolean | null;
  referenceLabel: string | null;
  options: readonly string[];
  enabled: boolean;
  /** Set for a school's own check: it applies only there. */
  organisationId: string | null;
};

/**
 * A fact about the post (yes/no), an input of the rules, never a missing check. It concerns the
 * profile types of `appliesTo` (empty: all) where `condition` holds; not answered yet, it counts
 * as `safeAnswer`, the answer that asks for more checks, and is listed to confirm.
 */
export type RuleFact = { key: string; name: string; appliesTo: readonly string[]; condition: ConditionGroup | null; safeAnswer: boolean };

export type RuleValue = { value: boolean | string | null; reference: string | null; checkedOn: string | null; hasDocument?: boolean };

export type RuleProfile = {
  organisationId: string;
  organisationType: string;
  profileTypeKey: string;
  /** profile.* fields by name (first_name, role, start_date, …). */
  fields: Readonly<Record<string, FieldValue>>;
  /** Recorded values by check id. */
  values: ReadonlyMap<string, RuleValue>;
  /** Facts about the post by key (absent: not answered yet). */
  facts?: Readonly<Record<string, boolean | null | undefined>>;
};

export type RuleRatingSystem = {
  id: string;
  key: string;
  name: string;
  enabled: boolean;
  /** Every profile must meet it: a profile is ready overall only when all mandatory systems are. */
  mandatory?: boolean;
  defaultRequire: 'statutory' | 'all';
  rules: Readonly<Record<string, { require: 'statutory' | 'all' | readonly string[] }>>;
};

export type CheckState = 'ok' | 'missing' | 'invalid' | 'expired';
/** `doneOn`: set when the check is missing on this day only because it was done later (the day it counts from). */
export type CheckResult = { check: RuleCheck; state: CheckState; expiresOn: string | null; message: string | null; doneOn?: string };
export type Problem = { checkId: string; checkKey: string; state: Exclude<CheckState, 'ok'>; message: string };
export type Rating = { systemId: string; key: string; name: string; mandatory: boolean; ready: boolean; problems: Problem[] };

/** The checks of a tenant prepared once for many profiles. */
export type CheckSet = {
  checks: readonly RuleCheck[];
  byKey: ReadonlyMap<string, RuleCheck>;
  facts: readonly RuleFact[];
  factsByKey: ReadonlyMap<string, RuleFact>;
  /** Per enabled check (same order as `checks`): its conditions compiled, its messages made once. */
  compiled: readonly CompiledCheck[];
  compiledFacts: readonly CompiledFact[];
};
type CompiledCheck = { check: RuleCheck; applies: CompiledCondition<RuleProfile>; missing: string; expiry: Expiry };
/** A check's expiry from the date its validity runs from (remembered: the same dates recur across profiles). */
type Expiry = (from: string) => string;
type CompiledFact = { fact: RuleFact; applies: CompiledCondition<RuleProfile> };

export function prepareChecks(checks: readonly RuleCheck[], facts: readonly RuleFact[] = []): CheckSet {
  const enabled = checks.filter((c) => c.enabled);
  const byKey = new Map(checks.map((c) => [c.key, c]));
  const factsByKey = new Map(facts.map((f) => [f.key, f]));
  const reader = fieldReader(byKey, factsByKey);
  return {
    checks: enabled,
    byKey,
    facts,
    factsByKey,
    compiled: enabled.map((c) => ({ check: c, applies: compileApplies(c.organisationId, c.appliesTo, compileCondition(c.condition, reader)), missing: `${c.name} missing`, expiry: expiryFor(c) })),
    compiledFacts: facts.map((f) => ({ fact: f, applies: compileApplies(null, f.appliesTo, compileCondition(f.condition, reader)) })),
  };
}

function expiryFor(check: RuleCheck): Expiry {
  const validity = check.validity;
  if (!validity) return (from) => from;
  const seen = new Map<string, string>();
  return (from) => {
    let e = seen.get(from);
    if (e === undefined) {
      if (seen.size >= 10_000) seen.clear();
      e = addPeriod(from, validity.n, validity.unit);
      seen.set(from, e);
    }
    return e;
  };
}

/** Organisation, profile types, then the condition (the order `applies` reads them in). */
function compileApplies(organisationId: string | null, appliesTo: readonly string[], condition: CompiledCondition<RuleProfile>): CompiledCondition<RuleProfile> {
  const types = appliesTo.length > 0 ? new Set(appliesTo) : null;
  return (p, today) => (!organisationId || organisationId === p.organisationId) && (!types || types.has(p.profileTypeKey)) && condition(p, today);
}

/** How a field of a profile is read, decided once per field: the compiled form of `profileAccessor`. */
function fieldReader(byKey: ReadonlyMap<string, RuleCheck>, factsByKey: ReadonlyMap<string, RuleFact>): (field: string) => (p: RuleProfile) => FieldValue {
  return (field) => {
    if (field === 'profile.type') return (p) => p.profileTypeKey;
    if (field === 'organisation.type') return (p) => p.organisationType;
    if (field.startsWith('profile.')) {
      const name = field.slice(8);
      return (p) => p.fields[name];
    }
    if (field.startsWith('fact.')) {
      const key = field.slice(5);
      const safe = factsByKey.get(key)?.safeAnswer ?? null;
      return (p) => {
        const answer = p.facts?.[key];
        return answer === true || answer === false ? answer : safe;
      };
    }
    if (field.startsWith('check.')) {
      const c = byKey.get(field.slice(6));
      if (!c) return () => null;
      const id = c.id;
      return (p) => {
        const v = p.values.get(id);
        return !v || v.value === null ? null : v.value;
      };
    }
    return () => undefined;
  };
}

const isEmpty = (v: RuleValue | undefined) => v === undefined || v.value === null || v.value === '';

/** The field accessor the condition language reads a profile through. */
/**
 * `answeredOnly`: a fact not answered reads as empty instead of its safe answer — for what the
 * law allows to be recorded (a barred list check needs regulated activity confirmed).
 */
export function profileAccessor(profile: RuleProfile, set: CheckSet, opts: { answeredOnly?: boolean } = {}): (field: string) => FieldValue {
  return (field) => {
    if (field === 'profile.type') return profile.profileTypeKey;
    if (field === 'organisation.type') return profile.organisationType;
    if (field.startsWith('profile.')) return profile.fields[field.slice(8)];
    if (field.startsWith('fact.')) {
      const key = field.slice(5);
      const answer = profile.facts?.[key];
      if (answer === true || answer === false) return answer;
      return opts.answeredOnly ? null : (set.factsByKey.get(key)?.safeAnswer ?? null);
    }
    if (field.startsWith('check.')) {
      const c = set.byKey.get(field.slice(6));
      const v = c ? profile.values.get(c.id) : undefined;
      if (!v || v.value === null) return null;
      return v.value;
    }
    return undefined;
  };
}

/** Whether a check applies to a profile: its organisation, its profile types, its condition. */
export function applies(check: RuleCheck, profile: RuleProfile, get: (field: string) => FieldValue, today: string): boolean {
  if (!check.enabled) return false;
  if (check.organisationId && check.organisationId !== profile.organisationId) return false;
  if (check.appliesTo.length > 0 && !check.appliesTo.includes(profile.profileTypeKey)) return false;
  return evaluate(check.condition, get, today);
}

/** The facts that concern a profile and are not answered yet (they count as their safe answer). */
export function factsToConfirm(profile: RuleProfile, set: CheckSet, today: string): RuleFact[] {
  const out: RuleFact[] = [];
  for (const { fact, applies } of set.compiledFacts) {
    const a = profile.facts?.[fact.key];
    if (a !== true && a !== false && applies(profile, today)) out.push(fact);
  }
  return out;
}

/** The facts that concern a profile (answered or not). */
export function factsOf(profile: RuleProfile, set: CheckSet, today: string): RuleFact[] {
  return set.compiledFacts.filter((f) => f.applies(profile, today)).map((f) => f.fact);
}

export function applicableChecks(profile: RuleProfile, set: CheckSet, today: string): RuleCheck[] {
  return set.compiled.filter((c) => c.applies(profile, today)).map((c) => c.check);
}

/** The date a check's validity runs from: a date check's own value, else when it was checked. */
export function baseDate(check: RuleCheck, v: RuleValue | undefined): string | null {
  if (!v) return null;
  if (check.type === 'date' && typeof v.value === 'string') return v.value;
  return v.checkedOn;
}

export function expiryOf(check: RuleCheck, v: RuleValue | undefined): string | null {
  if (!check.validity) return null;
  const from = baseDate(check, v);
  return from ? addPeriod(from, check.validity.n, check.validity.unit) : null;
}

/** The state of one check for a profile, with its message in plain words. */
export function checkState(check: RuleCheck, v: RuleValue | undefined, today: string): CheckResult {
  return stateOf(check, v, today, `${check.name} missing`, (from) => addPeriod(from, check.validity!.n, check.validity!.unit));
}

function stateOf(check: RuleCheck, v: RuleValue | undefined, today: string, missing: string, expiry: Expiry): CheckResult {
  if (check.type === 'document' ? !v?.hasDocument && isEmpty(v) : isEmpty(v)) return { check, state: 'missing', message: missing, expiresOn: null };
  const value = v!.value;
  // Rated on an earlier day (a record "as at" a date), a check done after it was not done yet.
  if (check.pastOnly) {
    const doneOn = check.type === 'date' && typeof value === 'string' ? value : v!.checkedOn;
    if (doneOn && doneOn > today) return { check, state: 'missing', message: `${check.name}: not done until ${ukDate(doneOn)}`, expiresOn: null, doneOn };
  }
  if (check.type === 'yesno' && check.passValue !== null && value !== check.passValue) {
    return { check, state: 'invalid', message: `${check.name}: answered ${value === true ? 'Yes' : 'No'}`, expiresOn: null };
  }
  if (check.type === 'choice' && typeof value === 'string' && check.options.length > 0 && !check.options.some((o) => o.toLowerCase() === value.toLowerCase())) {
    return { check, state: 'invalid', message: `${check.name}: "${value}" is not one of the choices`, expiresOn: null };
  }
  if (check.dateRequired && check.type !== 'date' && !v!.checkedOn) return { check, state: 'invalid', message: `${check.name}: date missing`, expiresOn: null };
  if (check.referenceLabel && !v!.reference?.trim()) return { check, state: 'invalid', message: `${check.name}: ${check.referenceLabel.toLowerCase()} missing`, expiresOn: null };
  const from = check.validity ? baseDate(check, v) : null;
  const expiresOn = from ? expiry(from) : null;
  if (check.validity && !expiresOn) return { check, state: 'invalid', message: `${check.name}: date checked missing`, expiresOn: null };
  if (expiresOn && expiresOn <= today) return { check, state: 'expired', message: `${check.name} expired on ${ukDate(expiresOn)}`, expiresOn };
  return { check, state: 'ok', message: null, expiresOn };
}

function required(rule: RuleRatingSystem['defaultRequire'] | readonly string[], check: RuleCheck): boolean {
  if (rule === 'statutory') return check.requirement === 'statutory';
  if (rule === 'all') return check.requirement !== 'optional';
  return rule.includes(check.key);
}

/**
 * `ready`: the profile's overall state — every mandatory rating system ready (when none is
 * mandatory, every enabled one).
 */
export type ProfileEvaluation = { applicable: CheckResult[]; ratings: Rating[]; ready: boolean; factsToConfirm: RuleFact[] };

/** Every applicable check's state and, per enabled rating system, ready or not and why. */
export function evaluateProfile(profile: RuleProfile, set: CheckSet, systems: readonly RuleRatingSystem[], today: string): ProfileEvaluation {
  // Plain loops over the compiled set: this runs for every profile of every list and report.
  const applicable: CheckResult[] = [];
  for (const c of set.compiled) if (c.applies(profile, today)) applicable.push(stateOf(c.check, profile.values.get(c.check.id), today, c.missing, c.expiry));
  const ratings: Rating[] = [];
  let mandatory = 0;
  let mandatoryReady = true;
  let allReady = true;
  for (const s of systems) {
    if (!s.enabled) continue;
    const rule = s.rules[profile.profileTypeKey]?.require ?? s.defaultRequire;
    const problems: Problem[] = [];
    for (const r of applicable) {
      if (r.state === 'ok' || !required(rule, r.check)) continue;
      problems.push({ checkId: r.check.id, checkKey: r.check.key, state: r.state, message: r.message! });
    }
    const ready = problems.length === 0;
    const isMandatory = s.mandatory === true;
    if (isMandatory) {
      mandatory++;
      if (!ready) mandatoryReady = false;
    }
    if (!ready) allReady = false;
    ratings.push({ systemId: s.id, key: s.key, name: s.name, mandatory: isMandatory, ready, problems });
  }
  return { applicable, ratings, ready: mandatory > 0 ? mandatoryReady : allReady, factsToConfirm: set.facts.length ? factsToConfirm(profile, set, today) : [] };
}

/** Whether a person is on the live record on a date: started by then (or no start date) and not left before it. */
export function inPostOn(fields: { start_date?: FieldValue; leaving_date?: FieldValue }, day: string): boolean {
  const start = typeof fields.start_date === 'string' ? fields.start_date : null;
  const left = typeof fields.leaving_date === 'string' ? fields.leaving_date : null;
  return (!start || start <= day) && (!left || left >= day);
}

/**
 * The next date after `day` on which the outcome may change by the calendar alone: a check in
 * date runs out, a check done later than `day` comes to count, the person starts, or the day
 * after they leave. Null when nothing is due.
 */
export function nextChangeOn(evaluation: ProfileEvaluation, fields: { start_date?: FieldValue; leaving_date?: FieldValue }, day: string): string | null {
  let next: string | null = null;
  const consider = (d: string | null) => {
    if (d && d > day && (next === null || d < next)) next = d;
  };
  for (const r of evaluation.applicable) {
    if (r.state === 'ok') consider(r.expiresOn);
    else if (r.doneOn) consider(r.doneOn);
  }
  if (typeof fields.start_date === 'string') consider(fields.start_date);
  if (typeof fields.leaving_date === 'string') consider(addPeriod(fields.leaving_date, 1, 'days'));
  return next;
}

/** Applicable checks in date now that run out within `days` days (soonest first). */
export function expiringWithin(evaluation: ProfileEvaluation, today: string, days: number): Array<{ check: RuleCheck; expiresOn: string; inDays: number }> {
  const out: Array<{ check: RuleCheck; expiresOn: string; inDays: number }> = [];
  for (const r of evaluation.applicable) {
    if (r.state !== 'ok' || !r.expiresOn) continue;
    const inDays = daysBetween(today, r.expiresOn);
    if (inDays <= days) out.push({ check: r.check, expiresOn: r.expiresOn, inDays });
  }
  return out.sort((a, b) => a.inDays - b.inDays);
}
