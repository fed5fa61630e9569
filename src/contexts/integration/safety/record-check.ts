import type { DbOrTx } from '../../../platform/db/database.js';
import { todayIn, type RecordPort } from '../../record/index.js';
import type { SafetyCheck, SafetyResult } from '../../signin/index.js';
import { integrationRepo } from '../integration.repo.js';

export const RECORD_SAFETY_CHECK = 'central_record';

export type RecordReadiness =
  | { applies: false }
  | { applies: true; ready: boolean; reasons: string[]; profileId: string | null; nextChangeOn?: string | null };

/**
 * The Central Record in the safety check: for a member of a linked group (when the tenant
 * includes the record's criteria and the group checks some rating systems), is the linked profile
 * ready under those rating systems on `asOf` (a date; an instant: today in the profile's
 * organisation's time zone)? The answer is the record's `readinessOf`, kept to the group's rating
 * systems. No linked profile is not ready.
 */
export function createRecordReadiness(record: Pick<RecordPort, 'readinessOf'>) {
  return async function recordReadiness(tx: DbOrTx, tenantId: string, groupId: string, memberId: string, asOf: string | Date): Promise<RecordReadiness> {
    const settings = await integrationRepo.settings(tx, tenantId);
    if (!settings.includeRecordInSafetyCheck) return { applies: false };
    const link = await integrationRepo.groupLink(tx, tenantId, groupId);
    if (!link || link.ratingMode === 'none') return { applies: false };
    const person = await integrationRepo.linkOfMember(tx, tenantId, memberId);
    if (!person) return { applies: true, ready: false, reasons: ['No Central Record profile is linked to this person'], profileId: null };
    const r = (await record.readinessOf(tx, tenantId, [person.profileId], asOf)).get(person.profileId);
    if (!r || r.status !== 'live') return { applies: true, ready: false, reasons: ['The linked Central Record profile is archived'], profileId: person.profileId };
    const chosen = r.systems.filter((s) => link.ratingMode === 'all' || link.ratingSystemIds.includes(s.systemId));
    if (chosen.length === 0) return { applies: false };
    const reasons = [...(r.inPost ? [] : ['The Central Record shows this person is not in post today']), ...new Set(chosen.flatMap((s) => s.missing))];
    return { applies: true, ready: reasons.length === 0, reasons, profileId: r.profileId, nextChangeOn: r.nextChangeOn };
  };
}
export type RecordReadinessOf = ReturnType<typeof createRecordReadiness>;

/**
 * The check for sign-in's safety pipeline: evaluated on today at the site (its time zone), the
 * same "today" as sign-in's own checks.
 */
export function createRecordSafetyCheck(record: Pick<RecordPort, 'readinessOf'>): SafetyCheck {
  const recordReadiness = createRecordReadiness(record);
  return {
    name: RECORD_SAFETY_CHECK,
    async run(ctx) {
      if (!ctx.member || ctx.group.type === 'standard') return { allow: true };
      const r = await recordReadiness(ctx.tx, ctx.tenantId, ctx.group.id, ctx.member.id, todayIn(ctx.now, ctx.site.timezone));
      if (!r.applies) return { allow: true };
      // The date the outcome may next change (a check expiring, a start or leaving date): an offline
      // kiosk trusts the outcome until then.
      const until = r.nextChangeOn ? { validUntil: r.nextChangeOn } : {};
      if (r.ready) return { allow: true, ...until };
      return r.reasons.map((reason): SafetyResult => ({ allow: false, code: 'record_not_ready', reason, ...until }));
    },
  };
}
