import { describe, expect, it } from 'vitest';
import evaluateTable from './tables/conditions.evaluate.json' with { type: 'json' };
import validateTable from './tables/conditions.validate.json' with { type: 'json' };
import datesTable from './tables/dates.json' with { type: 'json' };
import { compileCondition, conditionGroupSchema, describeCondition, evaluate, validateCondition, type ConditionGroup, type FieldDescriptor, type FieldValue } from './conditions.js';
import { addPeriod, parseUkDate, todayIn, type PeriodUnit } from './dates.js';

const record = evaluateTable.record as Record<string, FieldValue>;
const asGroup = (c: unknown): ConditionGroup => conditionGroupSchema.parse('op' in (c as object) ? c : { op: 'and', conditions: [c] });

describe('evaluate', () => {
  it.each(evaluateTable.cases)('$name', ({ condition, expect: want }) => {
    expect(evaluate(asGroup(condition), (f) => record[f], evaluateTable.today)).toBe(want);
  });
});

// The compiled form (what the engine runs over every profile) answers the same table.
describe('compileCondition', () => {
  it.each(evaluateTable.cases)('$name', ({ condition, expect: want }) => {
    const compiled = compileCondition(asGroup(condition), (f) => (r: Record<string, FieldValue>) => r[f]);
    expect(compiled(record, evaluateTable.today)).toBe(want);
  });
});

describe('validateCondition', () => {
  const fields = new Map(Object.entries(validateTable.fields as Record<string, FieldDescriptor>));
  it.each(validateTable.cases)('$name', ({ condition, issues }) => {
    expect(validateCondition(asGroup(condition), fields)).toEqual(issues);
  });
  it('rejects malformed JSON through the schema', () => {
    expect(conditionGroupSchema.safeParse({ op: 'xor', conditions: [] }).success).toBe(false);
    expect(conditionGroupSchema.safeParse({ op: 'and', conditions: [{ field: 'a', operator: 'is_like' }] }).success).toBe(false);
  });
});

describe('describeCondition', () => {
  it('reads as a sentence', () => {
    const g = asGroup({ op: 'and', conditions: [
      { field: 'profile.type', operator: 'equals', value: 'volunteer' },
      { op: 'or', conditions: [{ field: 'start', operator: 'more_than_ago', value: { n: 2, unit: 'years' } }, { field: 'x', operator: 'is_empty' }] },
    ] });
    const labels = new Map([['profile.type', { kind: 'choice' as const, label: 'Profile type' }]]);
    expect(describeCondition(g, labels)).toBe('Profile type is equal to "volunteer" and (start is more than 2 years ago or x is empty)');
  });
});

describe('dates', () => {
  it.each(datesTable.parseUk)('parses %s', (input, want) => {
    expect(parseUkDate(input as string)).toBe(want ?? undefined);
  });
  it.each(datesTable.addPeriod)('%s + %s %s = %s', (d, n, unit, want) => {
    expect(addPeriod(d as string, n as number, unit as PeriodUnit)).toBe(want);
  });
  it('knows today in each time zone (the formatter is kept per zone, so asking again must not mix them up)', () => {
    const lateJune = new Date('2026-06-30T23:30:00Z');
    for (let i = 0; i < 2; i++) {
      expect(todayIn(lateJune, 'Europe/London')).toBe('2026-07-01');
      expect(todayIn(lateJune, 'America/New_York')).toBe('2026-06-30');
      expect(todayIn(new Date('2026-01-31T23:30:00Z'))).toBe('2026-01-31');
    }
  });
});
