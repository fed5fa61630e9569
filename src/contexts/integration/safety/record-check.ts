import type { DbOrTx } from '../../../platform/db/database.js';
import { evaluateProfile, prepareChecks, type RuleCheck, type RuleRatingSystem, type RuleValue } from '../../record/rules/rating.js';
import type { SafetyCheck, SafetyResult } from '../../signin/index.js';
import { integrationRepo } from '../integration.repo.js';
import { neighbours } from '../neighbours.js';

export const RECORD_SAFETY_CHECK = 'central_record';

export type RecordReadiness =
  | { applies: false }
  | { applies: true; ready: boolean; reasons: string[]; profileId: string | null; validUntil?: string };

/**
 * The Central Record in the safety check: for a member of a linked group (when the tenant
 * includes the record's criteria and the group checks some rating systems), is the linked profile
 * ready under those rating systems? No linked profile is not ready.
 */
export async function recordReadiness(tx: DbOrTx, tenantId: string, groupId: string, memberId: string, today: string): Promise<RecordReadiness> {
  const settings = await integrationRepo.settings(tx, tenantId);
  if (!settings.includeRecordInSafetyCheck) return { applies: false };
  const link = await integrationRepo.groupLink(tx, tenantId, groupId);
  if (!link || link.ratingMode === 'none') return { applies: false };
  const person = await integrationRepo.linkOfMember(tx, tenantId, memberId);
  if (!person) return { applies: true, ready: false, reasons: ['No Central Record profile is linked to this person'], profileId: null };
  const profile = await neighbours.profile(tx, tenantId, person.profileId);
  if (!profile || profile.status !== 'live') return { applies: true, ready: false, reasons: ['The linked Central Record profile is archived'], profileId: person.profileId };
  const [org, types, checks, systems, values] = [
    await neighbours.organisation(tx, tenantId, profile.organisationId),
    await neighbours.profileTypes(tx, tenantId),
    await neighbours.checks(tx, tenantId),
    await neighbours.ratingSystems(tx, tenantId),
    await neighbours.checkValuesOf(tx, tenantId, [profile.id]),
  ];
  const chosen = systems.filter((s) => s.enabled && (link.ratingMode === 'all' || link.ratingSystemIds.includes(s.id)));
  if (chosen.length === 0) return { applies: false };
  const ruleChecks: RuleCheck[] = checks.map((c) => ({
    id: c.id,
    key: c.key,
    name: c.name,
    section: c.section,
    type: c.type,
    requirement: c.requirement,
    appliesTo: c.appliesTo,
    condition: c.condition ?? null,
    validity: c.validity ?? null,
    passValue: c.passValue,
    referenceLabel: c.referenceLabel,
    options: c.options,
    enabled: c.enabled,
    organisationId: c.organisationId,
  }));
  const ruleSystems: RuleRatingSystem[] = chosen.map((s) => ({ id: s.id, key: s.key, name: s.name, enabled: s.enabled, defaultRequire: s.defaultRequire, rules: s.rules }));
  const valueMap = new Map<string, RuleValue>(values.map((v) => [v.checkId, { value: v.value ?? null, reference: v.reference, checkedOn: v.checkedOn }]));
  const evaluation = evaluateProfile(
    {
      organisationId: profile.organisationId,
      organisationType: org?.type ?? 'other',
      profileTypeKey: types.find((t) => t.id === profile.profileTypeId)?.key ?? '',
      fields: {
        first_name: profile.firstName,
        last_name: profile.lastName,
        email: profile.email,
        phone: profile.phone,
        role: profile.role,
        date_of_birth: profile.dateOfBirth,
        start_date: profile.startDate,
        leaving_date: profile.leavingDate,
      },
      values: valueMap,
    },
    prepareChecks(ruleChecks),
    ruleSystems,
    today,
  );
  const reasons = [...new Set(evaluation.ratings.flatMap((r) => r.problems.map((p) => p.message)))];
  // The outcome next changes when the first check still in date expires (its expiry date).
  const validUntil = evaluation.applicable.flatMap((c) => (c.state === 'ok' && c.expiresOn && c.expiresOn > today ? [c.expiresOn] : [])).sort()[0];
  return { applies: true, ready: reasons.length === 0, reasons, profileId: profile.id, ...(validUntil ? { validUntil } : {}) };
}

/** The check registered with sign-in's safety check pipeline. */
export const recordSafetyCheck: SafetyCheck = {
  name: RECORD_SAFETY_CHECK,
  async run(ctx) {
    if (!ctx.member || ctx.group.type === 'standard') return { allow: true };
    const today = ctx.now.toISOString().slice(0, 10);
    const r = await recordReadiness(ctx.tx, ctx.tenantId, ctx.group.id, ctx.member.id, today);
    if (!r.applies) return { allow: true };
    const until = r.validUntil ? { validUntil: r.validUntil } : {};
    if (r.ready) return { allow: true, ...until };
    return r.reasons.map((reason): SafetyResult => ({ allow: false, code: 'record_not_ready', reason, ...until }));
  },
};
