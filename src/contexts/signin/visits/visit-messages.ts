import type { VisitorDetails, VisitReason } from '../signin.tables.js';

/**
 * What the group's contacts (and a visited host) are told about a sign-in: the one wording for the
 * kiosk's sign-in (`sign-in.ts`) and an offline kiosk's replay (`replay-batch.ts`).
 */
type Named = { fullName: string };
type Message = { title: string; body: string; link?: string };

const found = (reasons: readonly VisitReason[]) => reasons.map((r) => `- ${r.reason}`).join('\n');
const visitsOf = (memberId: string | null | undefined) => `/signin/visits?memberId=${memberId ?? ''}`;

/** Refused at the entrance: the lobby screen may say no more than "Please see reception"; the contacts hear why. */
export function refusedMessage(person: Named, memberId: string | null | undefined, group: { name: string }, site: { name: string }, reasons: readonly VisitReason[]): Message {
  return {
    title: `${person.fullName} could not sign in at ${site.name}`,
    body: `${person.fullName} was refused at the entrance (${group.name}, ${site.name}). The safety check found:\n${found(reasons)}`,
    link: visitsOf(memberId),
  };
}

/** Let in although the safety check found something (the group only notifies, or an offline kiosk let them in). */
export function flaggedMessage(person: Named, memberId: string | null | undefined, group: { name: string }, site: { name: string }, reasons: readonly VisitReason[], offline: boolean): Message {
  return {
    title: `${person.fullName} signed in at ${site.name} despite the safety check${offline ? ' (decided offline)' : ''}`,
    body: `${person.fullName} signed in to ${group.name} at ${site.name}. The safety check found:\n${found(reasons)}`,
    link: visitsOf(memberId),
  };
}

/** A visitor here to see a member. */
export function hostMessage(person: Named, visitor: VisitorDetails | null | undefined, host: Named | undefined, site: { name: string }): Message {
  const hostName = host?.fullName ?? 'a member';
  return {
    title: `${person.fullName} is here to see ${hostName}`,
    body: `${person.fullName}${visitor?.company ? ` (${visitor.company})` : ''} signed in at ${site.name} to see ${hostName}.`,
  };
}
