import type { MemberInput } from '../../signin/index.js';
import type { DuplicateReason } from '../integration.tables.js';
import { splitName } from './names.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';
import type { MemberAttributes } from './member-attributes.js';

/**
 * A person on both sides, pure: the profile a member becomes, the member a profile becomes, the
 * ids that name the same person elsewhere, and the duplicate index import and Wonde match with.
 */
const norm = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();
const nameKey = (first: string, last: string, dob: string | null) => (dob ? `${norm(first)}|${norm(last)}|${dob}` : null);

/** Identifiers a member carries that name the same person elsewhere (a Wonde UPI, the IdP's id). */
export function externalIdsOfMember(m: Pick<MemberAttributes, 'customFields' | 'scimExternalId'>): Array<{ system: string; externalId: string }> {
  const out: Array<{ system: string; externalId: string }> = [];
  const cf = m.customFields ?? {};
  for (const key of ['upi', 'wonde_upi', 'wondeUpi']) {
    const v = cf[key];
    if (typeof v === 'string' && v.trim()) out.push({ system: 'wonde', externalId: v.trim() });
  }
  if (m.scimExternalId) out.push({ system: 'scim', externalId: m.scimExternalId });
  return out;
}

export function dateOfBirthOf(m: Pick<MemberAttributes, 'customFields'>): string | null {
  const v = m.customFields?.dateOfBirth ?? m.customFields?.date_of_birth;
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
}

/** The profile a member becomes (fields of the record shared with sign-in). */
export function profileFieldsOfMember(m: MemberAttributes) {
  const { firstName, lastName } = splitName(m.fullName);
  return {
    firstName,
    lastName,
    email: m.email ?? '',
    phone: m.phone ?? '',
    role: m.role,
    startDate: m.startDate,
    leavingDate: m.endDate,
    dateOfBirth: dateOfBirthOf(m),
  };
}

/** The member a profile becomes. */
export function memberInputOfProfile(p: ProfileRow): MemberInput {
  return {
    fullName: [p.firstName, p.lastName].filter(Boolean).join(' '),
    email: p.email || null,
    phone: p.phone || null,
    role: p.role,
    startDate: p.startDate,
    endDate: p.leavingDate,
  };
}

/** An index of an organisation's profiles for duplicate detection. */
export class DuplicateIndex {
  private byEmail = new Map<string, string>();
  private byNameDob = new Map<string, string>();
  private byExternal = new Map<string, string>();

  add(p: { id: string; email: string; firstName: string; lastName: string; dateOfBirth: string | null }, external: Array<{ system: string; externalId: string }> = []) {
    const e = norm(p.email);
    if (e && !this.byEmail.has(e)) this.byEmail.set(e, p.id);
    const k = nameKey(p.firstName, p.lastName, p.dateOfBirth);
    if (k && !this.byNameDob.has(k)) this.byNameDob.set(k, p.id);
    for (const x of external) this.addExternal(x.system, x.externalId, p.id);
  }
  addExternal(system: string, externalId: string, profileId: string) {
    const key = `${system}|${externalId}`;
    if (!this.byExternal.has(key)) this.byExternal.set(key, profileId);
  }
  /** The first probable duplicate (external id, then email, then name + date of birth). */
  find(p: { email: string; firstName: string; lastName: string; dateOfBirth: string | null }, external: Array<{ system: string; externalId: string }>): { profileId: string; reason: DuplicateReason; detail: string } | undefined {
    for (const x of external) {
      const id = this.byExternal.get(`${x.system}|${x.externalId}`);
      if (id) return { profileId: id, reason: 'same_external_id', detail: `Same ${x.system === 'wonde' ? 'Wonde UPI' : 'identity provider id'} ${x.externalId}` };
    }
    const e = norm(p.email);
    const byEmail = e ? this.byEmail.get(e) : undefined;
    if (byEmail) return { profileId: byEmail, reason: 'same_email', detail: `Same email ${e}` };
    const k = nameKey(p.firstName, p.lastName, p.dateOfBirth);
    const byName = k ? this.byNameDob.get(k) : undefined;
    if (byName) return { profileId: byName, reason: 'same_name_dob', detail: `Same name and date of birth (${p.firstName} ${p.lastName}, ${p.dateOfBirth})` };
    return undefined;
  }
}
