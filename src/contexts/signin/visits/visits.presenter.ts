import type { visits } from '../signin.tables.js';

export type VisitRow = typeof visits.$inferSelect;

export function presentVisit(v: VisitRow) {
  return {
    id: v.id,
    siteId: v.siteId,
    groupId: v.groupId,
    memberId: v.memberId,
    personName: v.personName,
    visitor: v.visitor ?? null,
    signedInAt: v.signedInAt.toISOString(),
    signedOutAt: v.signedOutAt ? v.signedOutAt.toISOString() : null,
    signedOutBy: v.signedOutBy ?? null,
    outcome: v.outcome,
    safetyStatus: v.safetyStatus,
    reasons: v.reasons,
    answers: v.answers,
    agreementVersion: v.agreementVersion,
    hostMemberId: v.hostMemberId,
    protected: v.protected,
    recordedOffline: v.recordedOffline,
    createdAt: v.createdAt.toISOString(),
  };
}
export type VisitView = ReturnType<typeof presentVisit>;
