import type { Answer } from '../../api/client';

/** A user the group's contact picker offers (`GET /api/signin/groups/{id}/contact-candidates`). */
export type ContactCandidate = Answer<'/api/signin/groups/{id}/contact-candidates'>['items'][number];

export type ContactChoice = { value: string; label: string; disabled?: boolean };

const nameOf = (u: Pick<ContactCandidate, 'name' | 'email'>) => (u.name ? `${u.name} (${u.email})` : u.email);

/** How a contact who no longer reaches the group's sites is named in the picker. */
export const OUT_OF_REACH = 'reaches none of this group’s sites: remove';
/** How a contact whose account is disabled is named in the picker. */
export const DISABLED = 'account disabled: remove';

/** Whether a chosen contact would never be told: their reach takes in none of the group's sites, or their account is disabled (the server refuses both). */
const notTold = (u: ContactCandidate) => !u.reaches || u.disabled;

/** A user's label in the picker: who they are, and why one chosen is not told. */
export function contactLabel(u: ContactCandidate): string {
  const notes = [...(u.reaches ? [] : [OUT_OF_REACH]), ...(u.disabled ? [DISABLED] : [])];
  return notes.length ? `${nameOf(u)} — ${notes.join('; ')}` : nameOf(u);
}

/** Why a chosen contact is not told, as the alert above the picker says it (empty when they are told). */
export function whyNotTold(u: ContactCandidate): string {
  return [...(u.reaches ? [] : ['reaches none of the sites this group is shown at']), ...(u.disabled ? ['their account is disabled'] : [])].join(', and ');
}

/**
 * The picker's choices: the users the server offers (the active users who reach one of the group's
 * sites), and the chosen contacts who no longer do or are disabled, kept and marked so they can be
 * taken off (a choice not chosen any more cannot be picked again: the server would refuse it). A chosen id the server no
 * longer knows stays visible too, to be removed.
 */
export function contactChoices(candidates: readonly ContactCandidate[], chosen: readonly string[]): ContactChoice[] {
  const known = new Set(candidates.map((u) => u.id));
  return [
    ...candidates.map((u) => ({ value: u.id, label: contactLabel(u), ...(notTold(u) && !chosen.includes(u.id) ? { disabled: true } : {}) })),
    ...chosen.filter((id) => !known.has(id)).map((id) => ({ value: id, label: 'A user no longer in this account', disabled: true })),
  ];
}

/** The chosen contacts who are never told: their reach takes in none of the group's sites, or their account is disabled. */
export function contactsNotTold(candidates: readonly ContactCandidate[], chosen: readonly string[]): ContactCandidate[] {
  return candidates.filter((u) => notTold(u) && chosen.includes(u.id));
}

/**
 * The server's error on the contacts (`contactIds`, or `contactIds.N` naming one of them) as the
 * picker shows it, naming the contact it is about.
 */
export function contactsError(errors: Readonly<Record<string, unknown>>, chosen: readonly string[], candidates: readonly ContactCandidate[]): string | undefined {
  for (const [field, message] of Object.entries(errors)) {
    if (typeof message !== 'string') continue;
    if (field === 'contactIds') return message;
    const at = /^contactIds\.(\d+)$/.exec(field);
    if (!at) continue;
    const who = candidates.find((u) => u.id === chosen[Number(at[1])]);
    return who ? `${nameOf(who)}: ${message}` : message;
  }
  return undefined;
}

/** The form's errors without those on the contacts: a change to the list makes them stale (`contactIds.N` counted in the list sent). */
export function withoutContactsErrors<T>(errors: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(errors).filter(([field]) => !/^contactIds(\.|$)/.test(field)));
}
