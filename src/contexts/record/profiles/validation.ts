import { AppError, badRequest, validationFailed, type FieldIssue } from '../../../platform/errors.js';
import { assertLevel, type OrgAccess } from '../access.js';
import { toRuleProfile, type CheckRow, type CheckValueRow, type ProfileRow } from '../record.repo.js';
import { evaluate } from '../rules/conditions.js';
import { factsToConfirm, profileAccessor, type RuleValue } from '../rules/rating.js';
import { defaultFacts } from '../kcsie/rule-sets.js';
import { isIsoDate, ukDate } from '../rules/dates.js';
import { FIRST_DAY, isDayInRange, LAST_DAY } from '../../../platform/http/dates.js';
import { ruleValues, type PreparedModel } from '../engine.js';
import type { CheckValueInput, ProfileCreateInput } from './profiles.schemas.js';

/**
 * What a profile may hold, checked against the tenant's model without writing anything: facts,
 * dates, type and organisation, check values and whether the law allows them. Shared by
 * creation, editing and the import's dry run.
 */

export const FIELD_LABELS: Record<string, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  email: 'Email',
  phone: 'Phone',
  role: 'Role',
  startDate: 'Start date',
  leavingDate: 'Leaving date',
  organisationId: 'Organisation',
  profileTypeId: 'Profile type',
  status: 'Status',
};
export type ProfileField = keyof typeof FIELD_LABELS & keyof ProfileRow;

/** A value as a person reads it in the history and the export. */
export function displayValue(check: Pick<CheckRow, 'type' | 'referenceLabel'>, v: Pick<CheckValueRow, 'value' | 'reference' | 'checkedOn'> | undefined | null): string | null {
  if (!v || v.value === null || v.value === undefined) return null;
  let s = typeof v.value === 'boolean' ? (v.value ? 'Yes' : 'No') : check.type === 'date' && isIsoDate(v.value) ? ukDate(v.value) : v.value;
  if (v.reference) s += ` (${check.referenceLabel ?? 'reference'} ${v.reference})`;
  if (v.checkedOn && check.type !== 'date') s += ` (checked ${ukDate(v.checkedOn)})`;
  return s;
}

/** `asOf` must be a real date (400 naming it). */
export function assertAsOf(asOf: string | undefined): void {
  if (asOf !== undefined && !isIsoDate(asOf)) throw badRequest('invalid_date', `asOf (${asOf}) is not a real date`, 'asOf');
}

/** Facts by key as given (true, false, null = not answered): unknown facts and wrong types are 400 naming the fact. */
export function validateFacts(m: PreparedModel, facts: Record<string, unknown> | undefined): Record<string, boolean | null> {
  const out: Record<string, boolean | null> = {};
  if (!facts) return out;
  const issues: FieldIssue[] = [];
  const known = new Map(m.facts.map((f) => [f.key, f]));
  for (const [key, v] of Object.entries(facts)) {
    const fact = known.get(key);
    if (!fact) issues.push({ field: `facts.${key}`, message: `Unknown fact "${key}"` });
    else if (v !== true && v !== false && v !== null) issues.push({ field: `facts.${key}`, message: `${fact.name} is yes or no (true or false, or null when not known)` });
    else out[key] = v;
  }
  if (issues.length) throw validationFailed(issues);
  return out;
}

const yesNo = (v: boolean | null | undefined) => (v === true ? 'Yes' : v === false ? 'No' : null);

/** The facts after a change, and the history lines saying what changed. */
export function applyFacts(m: PreparedModel, current: Record<string, boolean>, given: Record<string, boolean | null>) {
  const next: Record<string, boolean> = { ...current };
  const diffs: Array<{ field: string; before: string | null; after: string | null }> = [];
  for (const f of m.facts) {
    if (!(f.key in given)) continue;
    const v = given[f.key];
    const before = yesNo(current[f.key]);
    if (v === null || v === undefined) delete next[f.key];
    else next[f.key] = v;
    const after = yesNo(next[f.key]);
    if (before !== after) diffs.push({ field: `About the post: ${f.name}`, before, after });
  }
  return { next, diffs };
}

export function visibleChecks(m: PreparedModel, organisationId: string) {
  return m.checks.filter((c) => c.organisationId === null || c.organisationId === organisationId);
}

/** Validates check values by key: unknown checks, wrong types, impossible or future dates. */
export function validateValues(m: PreparedModel, organisationId: string, checks: Record<string, CheckValueInput>, day: string): Array<{ check: CheckRow; input: CheckValueInput }> {
  const issues: FieldIssue[] = [];
  const out: Array<{ check: CheckRow; input: CheckValueInput }> = [];
  const visible = new Map(visibleChecks(m, organisationId).map((c) => [c.key, c]));
  for (const [key, input] of Object.entries(checks)) {
    const field = `checks.${key}`;
    const check = visible.get(key);
    if (!check) {
      issues.push({ field, message: `Unknown check "${key}"` });
      continue;
    }
    if (!check.enabled) {
      issues.push({ field, message: `${check.name} is switched off` });
      continue;
    }
    out.push({ check, input });
    if (input === null || input.value === null) continue;
    const v = input.value;
    const future = (d: string) => check.pastOnly && d > day;
    switch (check.type) {
      case 'yesno':
        if (typeof v !== 'boolean') issues.push({ field, message: `${check.name} is yes or no (true or false)` });
        break;
      case 'date':
        if (typeof v !== 'string' || !isIsoDate(v)) issues.push({ field, message: `${check.name} must be a real date as YYYY-MM-DD` });
        else if (future(v)) issues.push({ field, message: `${check.name} cannot be in the future (${ukDate(v)})` });
        break;
      case 'text':
        if (typeof v !== 'string') issues.push({ field, message: `${check.name} is text` });
        break;
      case 'choice':
        if (typeof v !== 'string' || !check.options.some((o) => o.toLowerCase() === v.toLowerCase())) {
          issues.push({ field, message: `${check.name} must be one of: ${check.options.join(', ')}` });
        }
        break;
      case 'document':
        issues.push({ field, message: `${check.name} is a document: upload the file instead` });
        break;
    }
    if (input.checkedOn !== undefined && input.checkedOn !== null) {
      if (!isIsoDate(input.checkedOn)) issues.push({ field: `${field}.checkedOn`, message: 'Not a real date' });
      else if (!isDayInRange(input.checkedOn)) issues.push({ field: `${field}.checkedOn`, message: `A date between ${FIRST_DAY} and ${LAST_DAY}` });
      else if (input.checkedOn > day) issues.push({ field: `${field}.checkedOn`, message: `A check cannot be done in the future (${ukDate(input.checkedOn)})` });
    }
  }
  if (issues.length) throw validationFailed(issues);
  return out;
}

export function validateProfileDates(input: Partial<Pick<ProfileRow, 'dateOfBirth' | 'startDate' | 'leavingDate'>>, day: string) {
  const issues: FieldIssue[] = [];
  for (const f of ['dateOfBirth', 'startDate', 'leavingDate'] as const) {
    const v = input[f];
    if (v && !isIsoDate(v)) issues.push({ field: f, message: `${FIELD_LABELS[f]} is not a real date` });
    else if (v && !isDayInRange(v)) issues.push({ field: f, message: `${FIELD_LABELS[f]} must be between ${FIRST_DAY} and ${LAST_DAY}` });
  }
  if (input.dateOfBirth && isIsoDate(input.dateOfBirth) && input.dateOfBirth > day) issues.push({ field: 'dateOfBirth', message: 'Date of birth cannot be in the future' });
  const { startDate: start, leavingDate: left } = input;
  if (start && left && isIsoDate(start) && isIsoDate(left) && left < start) issues.push({ field: 'leavingDate', message: `Leaving date (${ukDate(left)}) cannot be before the start date (${ukDate(start)})` });
  if (issues.length) throw validationFailed(issues);
}

export function assertTypeAndOrg(m: PreparedModel, access: OrgAccess, organisationId: string, profileTypeId: string, current?: ProfileRow) {
  if (!m.organisations.has(organisationId)) throw badRequest('unknown_organisation', 'Unknown organisation', 'organisationId');
  assertLevel(access, organisationId, 'edit', 'Organisation');
  const type = m.profileTypes.get(profileTypeId);
  if (!type) throw badRequest('unknown_profile_type', 'Unknown profile type', 'profileTypeId');
  if (type.retiredAt && current?.profileTypeId !== profileTypeId) throw badRequest('retired_profile_type', `${type.name} is retired`, 'profileTypeId');
}

/** Refuses a check the law does not allow for this person (e.g. the barred list outside regulated activity). */
export function assertAllowed(m: PreparedModel, profile: ProfileRow, current: ReadonlyMap<string, CheckValueRow>, changes: Array<{ check: CheckRow; input: CheckValueInput }>, day: string) {
  // The state after the change decides what is allowed.
  const next = new Map<string, RuleValue>(ruleValues(current));
  for (const { check, input } of changes) {
    if (input === null || input.value === null) next.delete(check.id);
    else next.set(check.id, { value: input.value, reference: input.reference ?? null, checkedOn: input.checkedOn ?? null });
  }
  const ruleProfile = toRuleProfile(m, profile, next);
  const get = profileAccessor(ruleProfile, m.set, { answeredOnly: true });
  for (const { check, input } of changes) {
    if (input === null || input.value === null || !check.allowedWhen) continue;
    if (!evaluate(check.allowedWhen.condition, get, day)) {
      // Only answered facts allow a check, while an unanswered one counts as the answer that asks for
      // more checks: the same check shows as missing and is refused until the facts are answered. Say so.
      const condition = JSON.stringify(check.allowedWhen.condition);
      const pending = factsToConfirm(ruleProfile, m.set, day).filter((f) => condition.includes(`"fact.${f.key}"`));
      const first = pending.length > 0 && evaluate(check.allowedWhen.condition, profileAccessor(ruleProfile, m.set), day) ? `answer ${pending.map((f) => `“${f.name}”`).join(' and ')} under About the post first. ` : '';
      throw new AppError(400, 'check_not_allowed', `${check.name}: ${first}${check.allowedWhen.reason}`, { field: `checks.${check.key}` });
    }
  }
}

/** A new profile's facts: the profile type's defaults, then what was given. */
export function factsOfNew(m: PreparedModel, input: Pick<ProfileCreateInput, 'facts' | 'profileTypeId' | 'organisationId'>): Record<string, boolean> {
  const given = validateFacts(m, input.facts);
  const typeKey = m.profileTypes.get(input.profileTypeId)?.key ?? '';
  const orgType = m.organisations.get(input.organisationId)?.type ?? 'other';
  return applyFacts(m, defaultFacts(m.facts, typeKey, orgType), given).next;
}

/** Every reason a new profile would be refused, without writing anything (the import's dry run). */
export function problemsOfNew(m: PreparedModel, access: OrgAccess, input: ProfileCreateInput, day: string): FieldIssue[] {
  try {
    assertTypeAndOrg(m, access, input.organisationId, input.profileTypeId);
    validateProfileDates(input, day);
    const changes = validateValues(m, input.organisationId, input.checks, day);
    const facts = factsOfNew(m, input);
    const draft = { id: '', tenantId: '', organisationId: input.organisationId, profileTypeId: input.profileTypeId, firstName: input.firstName, lastName: input.lastName, dateOfBirth: input.dateOfBirth ?? null, email: input.email ?? '', phone: input.phone ?? '', role: input.role ?? '', startDate: input.startDate ?? null, leavingDate: input.leavingDate ?? null, facts, status: 'live', archivedAt: null, version: 1, createdAt: new Date(0), updatedAt: new Date(0) } satisfies ProfileRow;
    assertAllowed(m, draft, new Map(), changes, day);
    return [];
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return err.details.issues ?? [{ field: err.field ?? '', message: err.message }];
  }
}
