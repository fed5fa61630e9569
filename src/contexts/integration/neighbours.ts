import type { CheckValueView, ProfileView } from '../record/index.js';

/**
 * What is left of the integration's old door into other contexts' tables: only shared types and
 * helpers. Groups and members are read through sign-in's GroupsPort and MembersPort, SCIM's
 * attributes through its ScimAttributesPort (people/member-attributes.ts), the record through its
 * RecordPort; writes to members go through the MembersPort.
 */
export type ProfileRow = ProfileView;
export type CheckValueRow = CheckValueView;

export const PROFILE_FIELDS = ['firstName', 'lastName', 'dateOfBirth', 'email', 'phone', 'role', 'startDate', 'leavingDate', 'profileTypeId'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type ProfileFields = Pick<ProfileRow, ProfileField>;

export function stringify(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** "Mary Jane Smith" → first "Mary Jane", last "Smith". */
export function splitName(fullName: string): { firstName: string; lastName: string } {
  const parts = fullName.trim().split(/\s+/).filter(Boolean);
  if (parts.length <= 1) return { firstName: parts[0] ?? '', lastName: '' };
  return { firstName: parts.slice(0, -1).join(' '), lastName: parts.at(-1)! };
}
