import type { SafetyStatus, VisitOutcome, VisitReason } from '../signin.tables.js';

/**
 * The rules for events a kiosk recorded offline and replays later (pure, unit-tested in
 * replay.rules.test.ts). What wins in each conflict is decided here, once.
 */

/** A kiosk clock within this of the server's is trusted as it is. */
export const CLOCK_TOLERANCE_MS = 2 * 60_000;
/** An event (after clock correction) later than the server's now plus this is refused. */
export const FUTURE_TOLERANCE_MS = 60_000;

/**
 * No offline event is recorded before this (1900-01-01 UTC): an event's own time earlier than it is
 * malformed (year 0 PostgreSQL cannot store; years below 100 read back as 19xx/20xx), and one
 * that clock correction moves earlier than it (a kiosk clock far ahead of its events) is refused.
 */
export const EARLIEST_EVENT = new Date('1900-01-01T00:00:00Z');

export type TimeVerdict = { ok: true; at: Date; correctedByMs: number } | { ok: false; code: 'future_time' | 'past_time'; reason: string };

/**
 * The time an offline event is recorded under. The kiosk says when it sent the batch (`sentAt`, its
 * clock); when that is more than CLOCK_TOLERANCE_MS from the server's clock, the kiosk clock is off
 * and the server's wins: every event moves by the difference (logged as `clock_corrected`).
 * An event still in the future after that was not recorded by this kiosk's clock: refused; so is
 * one the correction moves before EARLIEST_EVENT.
 */
export function judgeTime(eventAt: Date, sentAt: Date, serverNow: Date): TimeVerdict {
  const skew = serverNow.getTime() - sentAt.getTime();
  const correctedByMs = Math.abs(skew) > CLOCK_TOLERANCE_MS ? skew : 0;
  const at = new Date(eventAt.getTime() + correctedByMs);
  if (at.getTime() > serverNow.getTime() + FUTURE_TOLERANCE_MS || eventAt.getTime() > sentAt.getTime() + FUTURE_TOLERANCE_MS) {
    return { ok: false, code: 'future_time', reason: 'The event is later than the time the kiosk sent it; refused' };
  }
  if (at.getTime() < EARLIEST_EVENT.getTime()) {
    return { ok: false, code: 'past_time', reason: 'Corrected for the kiosk clock, the event is earlier than 1900; refused' };
  }
  return { ok: true, at, correctedByMs };
}

export type VisitState = { signedInAt: Date; signedOutAt: Date | null; signedOutBy: 'kiosk' | 'manual' | 'auto' | null };

export type SignOutVerdict =
  | { action: 'close' }
  | { action: 'replace_auto'; code: 'auto_sign_out_replaced'; reason: string }
  | { action: 'ignore'; code: 'already_signed_out' | 'before_sign_in'; reason: string }
  | { action: 'refuse'; code: 'not_signed_in'; reason: string };

/**
 * An offline sign-out at `at` against the member's latest visit that began before it:
 * open → closed at `at`; closed by the automatic sign-out → the person's own tap is the better
 * record, so `at` replaces the automatic time; closed by a person (kiosk or manual) → that earlier
 * record stands and the offline one is ignored; no such visit → refused.
 */
export function signOutVerdict(visit: VisitState | undefined, at: Date): SignOutVerdict {
  if (!visit) return { action: 'refuse', code: 'not_signed_in', reason: 'This person was not signed in here' };
  if (at.getTime() < visit.signedInAt.getTime()) return { action: 'ignore', code: 'before_sign_in', reason: 'The sign-out is earlier than the sign-in it would close; ignored' };
  if (!visit.signedOutAt) return { action: 'close' };
  if (visit.signedOutBy === 'auto') return { action: 'replace_auto', code: 'auto_sign_out_replaced', reason: 'Signed out offline after the automatic sign-out; the kiosk time replaces the automatic one' };
  return { action: 'ignore', code: 'already_signed_out', reason: 'Already signed out (by a person) before this offline sign-out arrived; the earlier record stands' };
}

export type OfflineSignIn = {
  /** What the kiosk did: let the person in, or turned them away. */
  admitted: boolean;
  /** The kiosk decided on a last known safety outcome older than the group allows (policy allow_flag). */
  stale: boolean;
};

export const DECIDED_OFFLINE: VisitReason = { check: 'offline', code: 'decided_offline', reason: 'Decided offline by the kiosk on the last known safety check' };
export const STALE_ALLOWED: VisitReason = { check: 'offline', code: 'stale_safety_check', reason: 'Allowed offline on a safety check older than the group allows; please review' };
export const REMOVED_MEANWHILE: VisitReason = { check: 'offline', code: 'member_removed_meanwhile', reason: 'Signed in offline, but removed from the group; please review' };

/**
 * The visit an offline sign-in becomes. The kiosk's decision stands for the outcome (the person
 * walked in, or did not: the record says what happened). The server's own checks at the original
 * time are kept as reasons; where they, a stale outcome or a removal disagree with letting the
 * person in, the visit is flagged (`notified`) and the group's contacts are told.
 */
export function offlineDecision(mode: 'off' | 'reject' | 'notify', kiosk: OfflineSignIn, serverReasons: VisitReason[], removed: boolean): { outcome: VisitOutcome; safetyStatus: SafetyStatus; notify: boolean; reasons: VisitReason[] } {
  const reasons = [...serverReasons, ...(removed ? [REMOVED_MEANWHILE] : []), ...(kiosk.admitted && kiosk.stale ? [STALE_ALLOWED] : []), DECIDED_OFFLINE];
  if (!kiosk.admitted) return { outcome: 'rejected', safetyStatus: 'rejected', notify: false, reasons };
  const flagged = removed || (kiosk.stale && mode !== 'off') || (mode !== 'off' && serverReasons.length > 0);
  if (flagged) return { outcome: 'signed_in', safetyStatus: 'notified', notify: true, reasons };
  return { outcome: 'signed_in', safetyStatus: mode === 'off' ? 'skipped' : 'passed', notify: false, reasons };
}
