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
    createdAt: v.createdAt.toISOString(),
  };
}
export type VisitView = ReturnType<typeof presentVisit>;

/** What the lobby screen is told when someone is refused (the reasons go to the group's contacts). */
export const SEE_RECEPTION = 'Please see reception.';

/**
 * A sign-in result as a kiosk may see it. Unless the group allows it (`showReasonsOnKiosk`), the
 * reasons are left out of the answer altogether, the visit's copy included, so a kiosk (or anyone
 * holding its token) cannot read why a person was refused; the visit row keeps them for the history.
 */
export function presentForKiosk<R extends { outcome: 'signed_in' | 'rejected'; visit: VisitView; reasons: VisitRow['reasons']; showReasonsOnKiosk: boolean }>(r: R) {
  const { showReasonsOnKiosk: show, ...rest } = r;
  const reasons = show ? r.reasons : [];
  return { ...rest, reasons, visit: { ...r.visit, reasons }, message: r.outcome === 'rejected' ? SEE_RECEPTION : null };
}
