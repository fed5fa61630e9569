import type { FieldCatalog, FieldDescriptor } from './conditions.js';
import { ORGANISATION_TYPES } from '../../../common/organisation-types.js';

/** The profile fields a condition may name (beside `check.<key>` of each check). */
export const PROFILE_FIELDS: ReadonlyArray<[string, FieldDescriptor]> = [
  ['profile.first_name', { kind: 'text', label: 'First name' }],
  ['profile.last_name', { kind: 'text', label: 'Last name' }],
  ['profile.email', { kind: 'text', label: 'Email' }],
  ['profile.phone', { kind: 'text', label: 'Phone' }],
  ['profile.role', { kind: 'text', label: 'Role' }],
  ['profile.date_of_birth', { kind: 'date', label: 'Date of birth' }],
  ['profile.start_date', { kind: 'date', label: 'Start date' }],
  ['profile.leaving_date', { kind: 'date', label: 'Leaving date' }],
  ['profile.type', { kind: 'choice', label: 'Profile type' }],
  ['organisation.type', { kind: 'choice', label: 'Organisation type', options: ORGANISATION_TYPES }],
];

type CheckLike = { key: string; name: string; type: 'yesno' | 'date' | 'text' | 'choice' | 'document'; options?: readonly string[] };

/** Every field a record condition may use: the profile's, `fact.<key>` of each fact and `check.<key>` of each check. */
export function builtInFieldCatalog(checks: readonly CheckLike[], profileTypeKeys: readonly string[] = [], facts: ReadonlyArray<{ key: string; name: string }> = []): FieldCatalog {
  const map = new Map<string, FieldDescriptor>(PROFILE_FIELDS);
  if (profileTypeKeys.length) map.set('profile.type', { kind: 'choice', label: 'Profile type', options: profileTypeKeys });
  for (const f of facts) map.set(`fact.${f.key}`, { kind: 'yesno', label: f.name });
  for (const c of checks) {
    map.set(`check.${c.key}`, { kind: c.type === 'document' ? 'text' : c.type, label: c.name, options: c.options });
  }
  return map;
}
