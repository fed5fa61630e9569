import type { OfflineGroup, OfflineMember } from './types';

/** The server's own normaliseName (a pure module), so block-list hashes match by construction. */
import { normaliseName } from '../../../src/common/normalise';
/** The server's own rule for questions that reject (its safety check runs this function). */
import { judgeAnswers } from '../../../src/common/sign-in-rules';

export { normaliseName };

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Name search over the local copy: every typed word must start a word of the name. */
export function searchLocal(members: readonly OfflineMember[], q: string, limit = 20): OfflineMember[] {
  const words = normaliseName(q).split(' ').filter(Boolean);
  if (words.length === 0) return [];
  return members
    .filter((m) => {
      const name = normaliseName(m.name).split(' ');
      return words.every((w) => name.some((n) => n.startsWith(w)));
    })
    .slice(0, limit);
}

export type OfflineVerdict = { admitted: boolean; stale: boolean; reasons: string[] };

/**
 * Whether a member may sign in offline, on the last known safety check outcome. It is stale when
 * older than the group's maxSafetyAgeHours or on/after the date it may change (validUntil, at the
 * kiosk's local date); then the group's policy decides: reject, or allow and flag for review.
 */
export function decideOffline(group: Pick<OfflineGroup, 'safetyCheckMode' | 'offline'>, member: Pick<OfflineMember, 'safety'>, now: Date): OfflineVerdict {
  if (group.safetyCheckMode === 'off') return { admitted: true, stale: false, reasons: [] };
  const ageHours = (now.getTime() - new Date(member.safety.checkedAt).getTime()) / 3_600_000;
  const today = localDate(now);
  const stale = ageHours > group.offline.maxSafetyAgeHours || (member.safety.validUntil !== null && today >= member.safety.validUntil);
  if (stale) {
    if (group.offline.whenStale === 'allow_flag') return { admitted: true, stale: true, reasons: [] };
    return { admitted: false, stale: true, reasons: ['Your safety check could not be confirmed while offline'] };
  }
  if (member.safety.ok || group.safetyCheckMode === 'notify') return { admitted: true, stale: false, reasons: [] };
  return { admitted: false, stale: false, reasons: member.safety.reasons };
}

/** YYYY-MM-DD in the device's time zone. */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A visitor on the block list (by normalised name hash): refused offline as online. */
export async function visitorBlocked(blockList: { names: string[] }, fullName: string): Promise<boolean> {
  return blockList.names.includes(await sha256(normaliseName(fullName)));
}

/**
 * The answers judged on the device exactly as the server judges them (src/common/sign-in-rules.ts):
 * a "reject on" answer turns the person away when the group's safety check mode is "reject". The
 * reasons are the group's messages where it shows reasons on the kiosk (else none: "Please see
 * reception", as online).
 */
export function answersRejectOffline(group: Pick<OfflineGroup, 'safetyCheckMode'> & { questions?: OfflineGroup['questions'] }, answers: Readonly<Record<string, string | boolean>>): { rejected: boolean; reasons: string[] } {
  const j = judgeAnswers(group.safetyCheckMode, group.questions ?? [], answers);
  return { rejected: j.rejected, reasons: j.rejected ? j.questions.flatMap((q) => (q.rejectOn.message ? [q.rejectOn.message] : [])) : [] };
}
