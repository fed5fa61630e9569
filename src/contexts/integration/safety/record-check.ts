import type { Db, DbOrTx } from '../../../platform/db/database.js';
import { todayIn, type RecordPort } from '../../record/index.js';
import type { BulkSafetyCheck, SafetyResult } from '../../signin/index.js';
import { createSafetyCheckLinks, integrationRepo } from '../integration.repo.js';

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
type Settings = Awaited<ReturnType<typeof integrationRepo.settings>>;
type GroupLink = Awaited<ReturnType<typeof integrationRepo.groupLink>>;
type PersonLink = Awaited<ReturnType<typeof integrationRepo.linkOfMember>>;
type ReadinessView = Awaited<ReturnType<RecordPort['readinessOf']>> extends Map<string, infer R> ? R : never;

/** What the record's answer means for one member of a group (the rule, apart from reading it). */
function readinessFor(settings: Settings, link: GroupLink, person: PersonLink, r: ReadinessView | undefined): RecordReadiness {
  if (!settings.includeRecordInSafetyCheck) return { applies: false };
  if (!link || link.ratingMode === 'none') return { applies: false };
  if (!person) return { applies: true, ready: false, reasons: ['No Central Record profile is linked to this person'], profileId: null };
  if (!r || r.status !== 'live') return { applies: true, ready: false, reasons: ['The linked Central Record profile is archived'], profileId: person.profileId };
  const chosen = r.systems.filter((s) => link.ratingMode === 'all' || link.ratingSystemIds.includes(s.systemId));
  if (chosen.length === 0) return { applies: false };
  const reasons = [...(r.inPost ? [] : ['The Central Record shows this person is not in post today']), ...new Set(chosen.flatMap((s) => s.missing))];
  return { applies: true, ready: reasons.length === 0, reasons, profileId: r.profileId, nextChangeOn: r.nextChangeOn };
}

type Links = Awaited<ReturnType<ReturnType<typeof createSafetyCheckLinks>>>;

/**
 * `db`: where the check's own read is prepared (once; it runs in the caller's `tx`, decision 038).
 * `links` reads the setting, the group's link and the member's link in one statement (decision
 * 030), and `readinessFrom` finishes the answer from them: apart, so a sign-in can start the first
 * beside its own reads (decision 049).
 */
export function createRecordReadinessParts(record: Pick<RecordPort, 'readinessOf'>, db: Db) {
  const links = createSafetyCheckLinks(db);
  async function readinessFrom(tx: DbOrTx, tenantId: string, { settings, link, person }: Links, asOf: string | Date): Promise<RecordReadiness> {
    if (!settings.includeRecordInSafetyCheck) return { applies: false };
    if (!link || link.ratingMode === 'none') return { applies: false };
    const r = person ? (await record.readinessOf(tx, tenantId, [person.profileId], asOf)).get(person.profileId) : undefined;
    return readinessFor(settings, link, person, r);
  }
  /** The two in turn, in `tx`: a member's readiness in a group on a date. */
  async function readiness(tx: DbOrTx, tenantId: string, groupId: string, memberId: string, asOf: string | Date): Promise<RecordReadiness> {
    return readinessFrom(tx, tenantId, await links(tx, tenantId, groupId, memberId), asOf);
  }
  return { links, readinessFrom, readiness };
}

export function createRecordReadiness(record: Pick<RecordPort, 'readinessOf'>, db: Db) {
  return createRecordReadinessParts(record, db).readiness;
}

/**
 * The same answers for many (group, member, date) at once, of one tenant: the settings, the
 * group links and the members' links in one statement each, and the record's readiness in one
 * `readinessOf` per distinct date.
 */
export function createRecordReadinessMany(record: Pick<RecordPort, 'readinessOf'>) {
  return async function recordReadinessMany(tx: DbOrTx, tenantId: string, asks: ReadonlyArray<{ groupId: string; memberId: string; asOf: string }>): Promise<RecordReadiness[]> {
    if (asks.length === 0) return [];
    const settings = await integrationRepo.settings(tx, tenantId);
    if (!settings.includeRecordInSafetyCheck) return asks.map(() => ({ applies: false }));
    const links = new Map((await integrationRepo.groupLinks(tx, tenantId)).map((l) => [l.groupId, l] as const));
    const linked = asks.filter((a) => links.get(a.groupId) && links.get(a.groupId)!.ratingMode !== 'none');
    const people = new Map((await integrationRepo.linksOfMembers(tx, tenantId, [...new Set(linked.map((a) => a.memberId))])).map((p) => [p.memberId, p] as const));
    const byDate = new Map<string, Map<string, ReadinessView>>();
    for (const asOf of new Set(linked.map((a) => a.asOf))) {
      const ids = [...new Set(linked.filter((a) => a.asOf === asOf).flatMap((a) => (people.get(a.memberId) ? [people.get(a.memberId)!.profileId] : [])))];
      byDate.set(asOf, ids.length > 0 ? await record.readinessOf(tx, tenantId, ids, asOf) : new Map());
    }
    return asks.map((a) => {
      const person = people.get(a.memberId);
      return readinessFor(settings, links.get(a.groupId), person, person ? byDate.get(a.asOf)?.get(person.profileId) : undefined);
    });
  };
}
export type RecordReadinessOf = ReturnType<typeof createRecordReadiness>;

/**
 * The check for sign-in's safety pipeline: evaluated on today at the site (its time zone), the
 * same "today" as sign-in's own checks.
 */
export function createRecordSafetyCheck(record: Pick<RecordPort, 'readinessOf'>, db: Db): BulkSafetyCheck {
  const { links, readinessFrom, readiness } = createRecordReadinessParts(record, db);
  const recordReadinessMany = createRecordReadinessMany(record);
  return {
    name: RECORD_SAFETY_CHECK,
    async run(ctx) {
      if (!ctx.member || ctx.group.type === 'standard') return { allow: true };
      return resultOf(await readiness(ctx.tx, ctx.tenantId, ctx.group.id, ctx.member.id, todayIn(ctx.now, ctx.site.timezone)));
    },
    /** The links read from the request's tenant, group and member alone, on `db`, while the sign-in reads its own. */
    begin(ask) {
      const early = links(db, ask.tenantId, ask.groupId, ask.memberId);
      // Awaited only if the sign-in gets as far as this check; dropped otherwise, failure and all.
      early.catch(() => undefined);
      return async (ctx) => {
        if (!ctx.member || ctx.group.type === 'standard') return { allow: true };
        return resultOf(await readinessFrom(ctx.tx, ctx.tenantId, await early, todayIn(ctx.now, ctx.site.timezone)));
      };
    },
    /** The bulk form (a replayed chunk of offline sign-ins): the same answers, read set-wise. */
    async runMany(ctxs) {
      const asks = ctxs.flatMap((ctx, i) => (ctx.member && ctx.group.type !== 'standard' ? [{ i, groupId: ctx.group.id, memberId: ctx.member.id, asOf: todayIn(ctx.now, ctx.site.timezone) }] : []));
      const out: Array<SafetyResult | SafetyResult[]> = ctxs.map(() => ({ allow: true }));
      if (asks.length === 0) return out;
      const answers = await recordReadinessMany(ctxs[0]!.tx, ctxs[0]!.tenantId, asks);
      asks.forEach((a, k) => (out[a.i] = resultOf(answers[k]!)));
      return out;
    },
  };
}

function resultOf(r: RecordReadiness): SafetyResult | SafetyResult[] {
  if (!r.applies) return { allow: true };
  // The date the outcome may next change (a check expiring, a start or leaving date): an offline
  // kiosk trusts the outcome until then.
  const until = r.nextChangeOn ? { validUntil: r.nextChangeOn } : {};
  if (r.ready) return { allow: true, ...until };
  return r.reasons.map((reason): SafetyResult => ({ allow: false, code: 'record_not_ready', reason, ...until }));
}
