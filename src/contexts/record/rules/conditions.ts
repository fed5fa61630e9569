import { z } from 'zod';
import { addPeriod, isIsoDate, type PeriodUnit } from './dates.js';
import { OPERATOR_LABELS, OPERATORS, OPERATORS_BY_KIND, PERIOD_OPERATORS, PRESENCE_OPERATORS, type FieldKind } from '../../../common/condition-operators.js';

/**
 * The condition language (the "logic editor"): AND/OR groups of `field operator value`.
 * Stored as JSON, validated against the fields that exist, evaluated here and only here — which
 * checks apply to a profile, rating rules, list and report filters, the integration's profile type
 * mapping. Pure: the caller passes a field accessor and today's date.
 *
 * Semantics: text compares are case-insensitive and trimmed; dates are YYYY-MM-DD; an empty field
 * matches only is_empty (and the negative operators not_equals / not_contains); an empty group
 * places no constraint (true); a multi-valued field (e.g. several group ids) matches equals /
 * contains / starts_with when any of its values does.
 */
export { DATE_OPERATORS, OPERATOR_LABELS, OPERATORS, OPERATORS_BY_KIND, PERIOD_OPERATORS, PRESENCE_OPERATORS, TEXT_OPERATORS, type FieldKind, type Operator } from '../../../common/condition-operators.js';

export const periodSchema = z.object({
  n: z.number().int().min(0).max(10_000),
  unit: z.enum(['days', 'months', 'years']),
});
export type Period = z.infer<typeof periodSchema>;

export const conditionSchema = z.object({
  field: z.string().min(1).max(200),
  operator: z.enum(OPERATORS),
  value: z.union([z.string().max(1000), periodSchema]).optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

export type ConditionGroup = { op: 'and' | 'or'; conditions: Array<Condition | ConditionGroup> };

export const conditionGroupSchema: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.object({
    op: z.enum(['and', 'or']),
    conditions: z.array(z.union([conditionSchema, conditionGroupSchema])).max(100),
  }),
  // Named so the OpenAPI document can refer to this recursive schema (components.schemas).
).meta({ id: 'ConditionGroup' });

export type FieldDescriptor = { kind: FieldKind; label?: string; options?: readonly string[] };
export type FieldCatalog = ReadonlyMap<string, FieldDescriptor>;

export type FieldValue = string | boolean | number | null | undefined | readonly string[];
/** Reads a field of the thing being tested (a profile, a member, a row). */
export type FieldAccessor = (field: string) => FieldValue;

export type ConditionIssue = { path: string; field: string; message: string };

export const isGroup = (c: Condition | ConditionGroup): c is ConditionGroup => 'op' in c;

/**
 * Checks a condition against the fields that exist: unknown fields, operators that make no sense
 * for the field, missing or malformed values. Returns every issue (empty when valid).
 */
export function validateCondition(group: ConditionGroup, fields: FieldCatalog, path = 'condition'): ConditionIssue[] {
  const issues: ConditionIssue[] = [];
  group.conditions.forEach((c, i) => {
    const at = `${path}.conditions.${i}`;
    if (isGroup(c)) {
      issues.push(...validateCondition(c, fields, at));
      return;
    }
    const d = fields.get(c.field);
    if (!d) {
      issues.push({ path: at, field: c.field, message: `Unknown field "${c.field}"` });
      return;
    }
    const name = d.label ?? c.field;
    if (!OPERATORS_BY_KIND[d.kind].includes(c.operator)) {
      issues.push({ path: at, field: c.field, message: `"${OPERATOR_LABELS[c.operator]}" does not apply to ${name} (a ${d.kind} field)` });
      return;
    }
    const op = c.operator;
    if ((PRESENCE_OPERATORS as readonly string[]).includes(op)) return;
    if ((PERIOD_OPERATORS as readonly string[]).includes(op)) {
      if (typeof c.value !== 'object') issues.push({ path: at, field: c.field, message: `"${OPERATOR_LABELS[op]}" needs a number and a unit (days, months or years)` });
      return;
    }
    if (typeof c.value !== 'string') {
      issues.push({ path: at, field: c.field, message: `"${OPERATOR_LABELS[op]}" needs a value` });
      return;
    }
    if (d.kind === 'date' && !isIsoDate(c.value)) {
      issues.push({ path: at, field: c.field, message: `${name} is a date: the value must be YYYY-MM-DD` });
    } else if (d.kind === 'yesno' && normaliseText(c.value) !== 'yes' && normaliseText(c.value) !== 'no') {
      issues.push({ path: at, field: c.field, message: `${name} is yes or no` });
    }
  });
  return issues;
}

function normaliseText(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const s = String(v).trim().toLowerCase();
  if (s === 'true') return 'yes';
  if (s === 'false') return 'no';
  return s;
}

function values(v: FieldValue): string[] {
  if (v === null || v === undefined) return [];
  const list = Array.isArray(v) ? v : [v as string | number | boolean];
  return list.map(normaliseText).filter((s) => s !== '');
}

/** The normalised value of a condition, computed once per stored condition (this runs for every check of every profile). */
const wanted = new WeakMap<Condition, string>();
function wantOf(c: Condition): string {
  let w = wanted.get(c);
  if (w === undefined) {
    w = typeof c.value === 'string' ? normaliseText(c.value) : '';
    wanted.set(c, w);
  }
  return w;
}

function evalOne(c: Condition, get: FieldAccessor, today: string): boolean {
  const raw = get(c.field);
  const want = wantOf(c);
  // Fast path: one value compared for equality (most built-in conditions).
  if ((c.operator === 'equals' || c.operator === 'not_equals') && !Array.isArray(raw)) {
    const v = raw === null || raw === undefined ? '' : normaliseText(raw as string | number | boolean);
    const hit = v !== '' && v === want;
    return c.operator === 'equals' ? hit : !hit;
  }
  const vs = values(raw);
  switch (c.operator) {
    case 'is_empty':
      return vs.length === 0;
    case 'is_not_empty':
      return vs.length > 0;
    case 'equals':
      return vs.some((v) => v === want);
    case 'not_equals':
      return !vs.some((v) => v === want);
    case 'contains':
      return vs.some((v) => v.includes(want));
    case 'not_contains':
      return !vs.some((v) => v.includes(want));
    case 'starts_with':
      return vs.some((v) => v.startsWith(want));
    case 'before':
      return vs.some((v) => isIsoDate(v) && v < want);
    case 'after':
      return vs.some((v) => isIsoDate(v) && v > want);
    case 'within_last': {
      if (typeof c.value !== 'object') return false;
      const from = addPeriod(today, -c.value.n, c.value.unit as PeriodUnit);
      return vs.some((v) => isIsoDate(v) && v >= from && v <= today);
    }
    case 'more_than_ago': {
      if (typeof c.value !== 'object') return false;
      const limit = addPeriod(today, -c.value.n, c.value.unit as PeriodUnit);
      return vs.some((v) => isIsoDate(v) && v < limit);
    }
  }
}

/** Evaluates a condition group. `today` is YYYY-MM-DD (see `todayIn`). */
export function evaluate(group: ConditionGroup | null | undefined, get: FieldAccessor, today: string): boolean {
  if (!group || group.conditions.length === 0) return true;
  // Plain loops: this runs for every check of every profile (no closure per call).
  const all = group.op === 'and';
  for (const c of group.conditions) {
    const hit = isGroup(c) ? evaluate(c, get, today) : evalOne(c, get, today);
    if (all && !hit) return false;
    if (!all && hit) return true;
  }
  return all;
}

/**
 * A condition compiled once into a predicate over `T` (a profile, a row): the same answers as
 * `evaluate`, without looking fields up by name or re-reading the condition on every call.
 * `reader` turns a field name into a function reading that field of a `T` (called once per field
 * occurrence, at compile time). For conditions run many times over many things (a tenant's checks
 * over every profile); `evaluate` stays the one-off entry point.
 */
export type CompiledCondition<T> = (x: T, today: string) => boolean;

export function compileCondition<T>(group: ConditionGroup | null | undefined, reader: (field: string) => (x: T) => FieldValue): CompiledCondition<T> {
  if (!group || group.conditions.length === 0) return () => true;
  const parts = group.conditions.map((c) => (isGroup(c) ? compileCondition(c, reader) : compileOne(c, reader(c.field))));
  if (parts.length === 1) return parts[0]!;
  const all = group.op === 'and';
  return (x, today) => {
    for (let i = 0; i < parts.length; i++) {
      const hit = parts[i]!(x, today);
      if (all && !hit) return false;
      if (!all && hit) return true;
    }
    return all;
  };
}

function compileOne<T>(c: Condition, read: (x: T) => FieldValue): CompiledCondition<T> {
  if (c.operator === 'equals' || c.operator === 'not_equals') {
    const want = wantOf(c);
    const positive = c.operator === 'equals';
    // Yes/no answers and keys already in normal form are compared without normalising.
    const wantBool = want === 'yes' ? true : want === 'no' ? false : null;
    return (x) => {
      const raw = read(x);
      let hit: boolean;
      if (raw === null || raw === undefined) hit = false;
      else if (typeof raw === 'boolean') hit = raw === wantBool;
      else if (raw === want) hit = want !== '';
      else if (Array.isArray(raw)) hit = values(raw).some((v) => v === want);
      else {
        const v = normaliseText(raw as string | number);
        hit = v !== '' && v === want;
      }
      return positive ? hit : !hit;
    };
  }
  return (x, today) => evalOne(c, () => read(x), today);
}

/** Every field a condition mentions (to explain "in use" and to resolve only what is needed). */
export function fieldsOf(group: ConditionGroup | null | undefined, into = new Set<string>()): Set<string> {
  for (const c of group?.conditions ?? []) {
    if (isGroup(c)) fieldsOf(c, into);
    else into.add(c.field);
  }
  return into;
}

/** The condition in words, e.g. `Profile type is equal to "volunteer" and Supervised is equal to "no"`. */
export function describeCondition(group: ConditionGroup | null | undefined, fields?: FieldCatalog): string {
  if (!group || group.conditions.length === 0) return 'always';
  const parts = group.conditions.map((c) => {
    if (isGroup(c)) return `(${describeCondition(c, fields)})`;
    const name = fields?.get(c.field)?.label ?? c.field;
    if (c.operator === 'more_than_ago' && typeof c.value === 'object') return `${name} is more than ${c.value.n} ${c.value.unit} ago`;
    const v = c.value === undefined ? '' : typeof c.value === 'string' ? ` "${c.value}"` : ` ${c.value.n} ${c.value.unit}`;
    return `${name} ${OPERATOR_LABELS[c.operator]}${v}`;
  });
  return parts.join(group.op === 'and' ? ' and ' : ' or ');
}
