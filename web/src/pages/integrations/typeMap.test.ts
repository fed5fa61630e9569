import { describe, expect, it } from 'vitest';
import { GROUP_FIELD, groupNamesToIds, typeMapFields } from './typeMap';

const groups = [
  { value: 'g-staff', label: 'Staff' },
  { value: 'g-vol', label: 'Volunteers' },
  { value: 'g-vol2', label: 'volunteers' },
];

describe('type map editor fields', () => {
  it('makes the group field a picker of the groups by id, and leaves the others free text', () => {
    const fields = typeMapFields(
      [
        { field: GROUP_FIELD, kind: 'text', label: 'Sign-in group (name or id)' },
        { field: 'member.role', kind: 'text', label: 'Role' },
      ],
      groups,
    );
    expect(fields).toEqual([
      { field: GROUP_FIELD, label: 'Sign-in group', kind: 'pick', options: groups },
      { field: 'member.role', label: 'Role', kind: 'text', options: [] },
    ]);
  });

  it("shows a saved group name as that group's id when exactly one group has the name, in nested groups too", () => {
    const saved = {
      op: 'or' as const,
      conditions: [
        { field: GROUP_FIELD, operator: 'equals' as const, value: 'staff' },
        { field: GROUP_FIELD, operator: 'equals' as const, value: 'Volunteers' }, // two groups share it: left alone
        { field: GROUP_FIELD, operator: 'equals' as const, value: 'g-vol' },
        { field: 'member.role', operator: 'equals' as const, value: 'Staff' },
        { op: 'and' as const, conditions: [{ field: GROUP_FIELD, operator: 'not_equals' as const, value: 'Staff' }] },
      ],
    };
    expect(groupNamesToIds(saved, groups)).toEqual({
      op: 'or',
      conditions: [
        { field: GROUP_FIELD, operator: 'equals', value: 'g-staff' },
        { field: GROUP_FIELD, operator: 'equals', value: 'Volunteers' },
        { field: GROUP_FIELD, operator: 'equals', value: 'g-vol' },
        { field: 'member.role', operator: 'equals', value: 'Staff' },
        { op: 'and', conditions: [{ field: GROUP_FIELD, operator: 'not_equals', value: 'g-staff' }] },
      ],
    });
  });
});
