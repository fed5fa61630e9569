import { evaluate, validateCondition, type ConditionGroup, type ConditionIssue, type FieldDescriptor, type FieldValue } from '../../record/index.js';

/**
 * The profile type map: which profile type a member becomes, by the first rule (in order) whose
 * condition holds over the member's attributes. Unmatched members of a staff group become
 * Teaching Staff (the seed's default); others are unmapped. Pure.
 */
export type MapRule = { id: string; profileTypeId: string; position: number; condition: ConditionGroup };

export type MemberFacts = {
  groupId: string;
  groupName: string;
  isStaffGroup: boolean;
  fullName: string;
  role: string;
  email: string | null;
  phone: string | null;
  customFields: Record<string, unknown>;
  department: string | null;
  idpGroups: readonly string[];
};

/** The fields a rule may name, with labels for the editor. Custom fields are `member.custom.<key>`. */
export const MEMBER_FIELDS: ReadonlyArray<[string, FieldDescriptor]> = [
  ['member.group', { kind: 'text', label: 'Sign-in group (name or id)' }],
  ['member.full_name', { kind: 'text', label: 'Name' }],
  ['member.role', { kind: 'text', label: 'Role' }],
  ['member.email', { kind: 'text', label: 'Email' }],
  ['member.phone', { kind: 'text', label: 'Phone' }],
  ['scim.department', { kind: 'text', label: 'Department (identity provider)' }],
  ['scim.idp_groups', { kind: 'text', label: 'Identity provider groups' }],
];

export function memberFieldCatalog(customKeys: readonly string[]): Map<string, FieldDescriptor> {
  const map = new Map(MEMBER_FIELDS);
  for (const k of customKeys) map.set(`member.custom.${k}`, { kind: 'text', label: `Custom: ${k}` });
  return map;
}

/** Validates a rule; `member.custom.*` keys are accepted even before a member has them. */
export function validateRule(condition: ConditionGroup, customKeys: readonly string[]): ConditionIssue[] {
  const extra = new Set<string>();
  const walk = (g: ConditionGroup) => {
    for (const c of g.conditions) {
      if ('op' in c) walk(c);
      else if (/^member\.custom\.[A-Za-z0-9_.-]{1,100}$/.test(c.field)) extra.add(c.field.slice('member.custom.'.length));
    }
  };
  walk(condition);
  return validateCondition(condition, memberFieldCatalog([...customKeys, ...extra]));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The group ids a rule's `member.group` conditions name (a value shaped as a UUID; a name is
 * matched as text), with the path of each value, for the service to check they exist.
 */
export function groupIdsIn(condition: ConditionGroup, path = 'condition'): Array<{ path: string; groupId: string }> {
  return condition.conditions.flatMap((c, i) => {
    const at = `${path}.conditions.${i}`;
    if ('op' in c) return groupIdsIn(c, at);
    return c.field === 'member.group' && typeof c.value === 'string' && UUID.test(c.value.trim()) ? [{ path: `${at}.value`, groupId: c.value.trim().toLowerCase() }] : [];
  });
}

export function memberAccessor(m: MemberFacts): (field: string) => FieldValue {
  return (field) => {
    switch (field) {
      case 'member.group':
        return [m.groupName, m.groupId];
      case 'member.full_name':
        return m.fullName;
      case 'member.role':
        return m.role;
      case 'member.email':
        return m.email;
      case 'member.phone':
        return m.phone;
      case 'scim.department':
        return m.department;
      case 'scim.idp_groups':
        return m.idpGroups;
      default:
        if (field.startsWith('member.custom.')) {
          const v = m.customFields[field.slice('member.custom.'.length)];
          if (v === null || v === undefined) return null;
          if (Array.isArray(v)) return v.map(String);
          return typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
        }
        return undefined;
    }
  };
}

export type MappingResult = { profileTypeId: string; ruleId: string | null; reason: 'rule' | 'staff_default' } | { profileTypeId: null; ruleId: null; reason: 'unmapped' };

export function mapMember(m: MemberFacts, rules: readonly MapRule[], teachingTypeId: string | null, today: string): MappingResult {
  const get = memberAccessor(m);
  const ordered = [...rules].sort((a, b) => a.position - b.position);
  for (const r of ordered) {
    if (r.condition.conditions.length > 0 && evaluate(r.condition, get, today)) return { profileTypeId: r.profileTypeId, ruleId: r.id, reason: 'rule' };
  }
  if (m.isStaffGroup && teachingTypeId) return { profileTypeId: teachingTypeId, ruleId: null, reason: 'staff_default' };
  return { profileTypeId: null, ruleId: null, reason: 'unmapped' };
}
