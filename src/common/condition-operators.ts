/**
 * The condition language's operators (src/contexts/record/rules/conditions.ts evaluates them): the
 * words the visual builder shows for each, and which make sense for each kind of field. The server
 * validates conditions with these and the web app's builder offers these, from this one list.
 */
export const TEXT_OPERATORS = ['equals', 'not_equals', 'contains', 'not_contains', 'starts_with'] as const;
export const PRESENCE_OPERATORS = ['is_empty', 'is_not_empty'] as const;
export const DATE_OPERATORS = ['before', 'after'] as const;
export const PERIOD_OPERATORS = ['within_last', 'more_than_ago'] as const;
export const OPERATORS = [...TEXT_OPERATORS, ...PRESENCE_OPERATORS, ...DATE_OPERATORS, ...PERIOD_OPERATORS] as const;
export type Operator = (typeof OPERATORS)[number];

/** Human words for each operator, as the visual builder shows them. */
export const OPERATOR_LABELS: Record<Operator, string> = {
  equals: 'is equal to',
  not_equals: 'is not equal to',
  contains: 'contains',
  not_contains: 'does not contain',
  starts_with: 'starts with',
  is_empty: 'is empty',
  is_not_empty: 'is not empty',
  before: 'is before',
  after: 'is after',
  within_last: 'is within the last',
  more_than_ago: 'is more than … ago',
};

/** What a field holds; decides which operators make sense. */
export type FieldKind = 'text' | 'date' | 'yesno' | 'choice';

/** The operators that make sense for each kind of field (anything else is refused, with its words). */
export const OPERATORS_BY_KIND: Record<FieldKind, readonly Operator[]> = {
  text: [...TEXT_OPERATORS, ...PRESENCE_OPERATORS],
  choice: ['equals', 'not_equals', 'contains', 'not_contains', 'starts_with', ...PRESENCE_OPERATORS],
  yesno: ['equals', 'not_equals', ...PRESENCE_OPERATORS],
  date: ['equals', 'not_equals', ...PRESENCE_OPERATORS, ...DATE_OPERATORS, ...PERIOD_OPERATORS],
};
