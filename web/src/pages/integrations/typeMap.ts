import type { Answer } from '../../api/client';
import type { Condition, ConditionGroup, FieldInfo } from '../record/recordApi';

/** A group as the type map's picker offers it: its id, shown by its name. */
export type GroupOption = { value: string; label: string };

/** The member field that names a sign-in group: picked from the groups, stored by id. */
export const GROUP_FIELD = 'member.group';

/**
 * The editor's fields: the group field becomes a picker of the tenant's groups (by id), so a typo
 * can no longer silently match nobody; the other member fields are free text.
 */
export function typeMapFields(fields: Answer<'/api/integration/type-map'>['fields'], groups: GroupOption[]): FieldInfo[] {
  return fields.map((f) =>
    f.field === GROUP_FIELD ? { field: f.field, label: 'Sign-in group', kind: 'pick', options: groups } : { field: f.field, label: f.label, kind: 'text', options: [] },
  );
}

/**
 * A saved group condition written as a group's name (before the picker) shown as that group's id
 * when exactly one group has the name; anything else is left as it was.
 */
export function groupNamesToIds(group: ConditionGroup, groups: GroupOption[]): ConditionGroup {
  const toId = (c: Condition): Condition => {
    if (c.field !== GROUP_FIELD || typeof c.value !== 'string' || groups.some((g) => g.value === c.value)) return c;
    const named = groups.filter((g) => g.label.toLowerCase() === String(c.value).toLowerCase());
    return named.length === 1 ? { ...c, value: named[0]!.value } : c;
  };
  return { ...group, conditions: group.conditions.map((c) => ('op' in c ? groupNamesToIds(c, groups) : toId(c))) };
}

