import type { EntryRow, EventRow, RollCallWithZone } from './live.repo.js';

/** The public shapes of a roll call, its entries and its events (the API, the SSE feed and the events stored). */
export function presentEntry(e: EntryRow) {
  return {
    id: e.id,
    visitId: e.visitId,
    memberId: e.memberId,
    personName: e.personName,
    groupId: e.groupId,
    groupName: e.groupName,
    groupColour: e.groupColour,
    signedInAt: e.signedInAt.toISOString(),
    joinedDuring: e.joinedDuring,
    signedOutAt: e.signedOutAt?.toISOString() ?? null,
    status: e.status,
    markedAt: e.markedAt?.toISOString() ?? null,
    markedBy: e.markedByLabel,
  };
}
export type PresentedEntry = ReturnType<typeof presentEntry>;

export function presentRollCall(r: RollCallWithZone, counts: { total: number; safe: number }) {
  return {
    id: r.id,
    siteId: r.siteId,
    siteName: r.siteName,
    timezone: r.timezone,
    status: r.status,
    seq: r.seq,
    note: r.note,
    startedAt: r.startedAt.toISOString(),
    startedBy: r.startedByLabel,
    closedAt: r.closedAt?.toISOString() ?? null,
    closedBy: r.closedByLabel,
    total: counts.total,
    safe: counts.safe,
    unaccounted: counts.total - counts.safe,
  };
}

export function presentEvent(e: EventRow) {
  return { seq: e.seq, type: e.type, data: e.data, at: e.at.toISOString() };
}
export type PresentedEvent = ReturnType<typeof presentEvent>;
