import type { VisitorDetails, VisitReason } from '../signin.tables.js';
import type { MemberRow } from '../members/members.port.js';
import type { NewVisit } from './visits.repo.js';

/** The columns a sign-in gives its visit (every one, also when null), online or replayed from an offline kiosk. */
export const SIGN_IN_VISIT_KEYS = ['tenantId', 'siteId', 'groupId', 'memberId', 'visitor', 'personName', 'signedInAt', 'outcome', 'safetyStatus', 'reasons', 'answers', 'agreementVersion', 'hostMemberId', 'kioskId', 'recordedOffline', 'createdAt'] as const;
export type SignInVisit = Required<Pick<NewVisit, (typeof SIGN_IN_VISIT_KEYS)[number]>>;

export type SignInPerson = { fullName: string; email: string | null; dateOfBirth: string | null };

/** Who signs in, as the safety checks and the messages see them: the member (a date of birth from its custom fields) or the visitor's details. */
export function personOf(member: Pick<MemberRow, 'fullName' | 'email' | 'customFields'> | null, visitor: VisitorDetails | null): SignInPerson {
  if (member) return { fullName: member.fullName, email: member.email, dateOfBirth: typeof member.customFields.dateOfBirth === 'string' ? member.customFields.dateOfBirth : null };
  return { fullName: visitor!.fullName, email: visitor!.email ?? null, dateOfBirth: visitor!.dateOfBirth ?? null };
}

/** The agreement version a sign-in records: the group's current one, when accepted now or before. */
export function acceptedAgreementVersion(agreement: { version: string } | null | undefined, acceptedNow: boolean | undefined, previouslyAccepted: boolean): string | null {
  return agreement && (acceptedNow || previouslyAccepted) ? agreement.version : null;
}

/** The visit row of a sign-in: the same columns whether the kiosk was online (sign-in.ts) or its events are replayed (replay-batch.ts). */
export function signInVisit(p: {
  tenantId: string;
  kioskId: string;
  siteId: string;
  groupId: string;
  member: Pick<MemberRow, 'id'> | null;
  visitor: VisitorDetails | null;
  person: SignInPerson;
  at: Date;
  decision: { outcome: SignInVisit['outcome']; safetyStatus: SignInVisit['safetyStatus'] };
  reasons: VisitReason[];
  answers: SignInVisit['answers'];
  agreementVersion: string | null;
  hostMemberId: string | null;
  recordedOffline: boolean;
  createdAt: Date;
}): SignInVisit {
  return {
    tenantId: p.tenantId,
    siteId: p.siteId,
    groupId: p.groupId,
    memberId: p.member?.id ?? null,
    visitor: p.visitor,
    personName: p.person.fullName,
    signedInAt: p.at,
    outcome: p.decision.outcome,
    safetyStatus: p.decision.safetyStatus,
    reasons: p.reasons,
    answers: p.answers,
    agreementVersion: p.agreementVersion,
    hostMemberId: p.hostMemberId,
    kioskId: p.kioskId,
    recordedOffline: p.recordedOffline,
    createdAt: p.createdAt,
  };
}
