import { randomUUID } from 'node:crypto';
import type { Platform } from '../../../platform/platform.js';
import type { Tx } from '../../../platform/db/database.js';
import { AppError, badRequest, conflict, notFound } from '../../../platform/errors.js';
import { activeUserIdsByEmail, notifyUsers, usersReachingSites, type NotificationMessage } from '../../accounts/index.js';
import type { VisitorDetails, VisitReason } from '../signin.tables.js';
import type { KioskPrincipal } from '../access.js';
import { readOptions, type SignInOptionsStored } from '../groups/groups.schemas.js';
import type { MemberRow } from '../members/members.port.js';
import { prepareSafetyOutcomes } from '../safety/bulk.js';
import type { SafetyCheck, SafetyContext } from '../safety/safety.types.js';
import { offlineDecision, signOutVerdict } from './replay.rules.js';
import { replayRepo } from './replay.repo.js';
import { checkAnswers } from './sign-in.js';
import type { VisitEventType } from './visit-events.js';
import type { VisitRow } from './visits.presenter.js';
import type { NewVisit } from './visits.repo.js';
import type { ReplayEvent } from './visits.replay.js';
import { flaggedMessage, hostMessage, refusedMessage } from './visit-messages.js';
import { acceptedAgreementVersion, personOf, signInVisit } from './visit-row.js';

type GroupOnSite = Awaited<ReturnType<typeof replayRepo.groupsOnSite>>[number] & { options: SignInOptionsStored };
type SignInEvent = Extract<ReplayEvent, { kind: 'sign_in' }>;
type SignOutEvent = Extract<ReplayEvent, { kind: 'sign_out' }>;

/** An event's answer (before the clock correction is applied to it). */
export type BatchOutcome = { status: 'accepted' | 'conflict' | 'refused'; code: string | null; reason: string | null; visitId: string | null; recordedAt: Date | null };

/** One event to decide: the event and the time it is recorded under (already judged). */
export type BatchItem = { e: ReplayEvent; at: Date };

/** A chunk's plan no longer matches the database (a kiosk online changed a visit meanwhile): the caller replays the chunk one event at a time. */
export class ReplayPlanBroken extends Error {}

/** The stable code a refused event gets in the sync log for the error its replay raised. */
export function refusedCode(err: AppError): string {
  if (err.code === 'not_found') return err.message.startsWith('Group') ? 'unknown_group' : 'unknown_member';
  if (err.code === 'validation_failed') return 'invalid_answers';
  return err.code;
}

/** A refusal (or `already_signed_in` conflict) raised while deciding an event, as its answer. */
export function outcomeOfError(err: AppError): BatchOutcome {
  return { status: err.code === 'already_signed_in' ? 'conflict' : 'refused', code: refusedCode(err), reason: err.message, visitId: null, recordedAt: null };
}

/** A visit as the plan sees it: its stored row (or the row to insert) and its sign-out as of now in the chunk. */
type PlannedVisit = {
  row: VisitRow | NewVisit;
  fresh: boolean;
  signedOutAt: Date | null;
  signedOutBy: 'kiosk' | 'manual' | 'auto' | null;
  recordedOffline: boolean;
};
type Emit = { type: VisitEventType; id: string; at: Date; signedOutAt: Date | null; signedOutBy: 'kiosk' | 'manual' | 'auto' | null; recordedOffline: boolean };
type Notice = { groupId: string; toContacts: boolean; hostEmail: string | null; msg: NotificationMessage };

/**
 * The set-wise replay of one chunk of offline events (in its transaction): what the chunk needs is
 * read in a few statements (its groups on the kiosk's site, its members, their open visits and the
 * visits its sign-outs may close, the agreements they accepted, the earlier answers of the keys its
 * sign-outs name, and each safety check's bulk form), each event is then decided in order in memory
 * by the same rules as the one-at-a-time path (sign-in.ts's `recordSignIn` with `offline`, the
 * replay's sign-out and replay.rules.ts), so a member signing in and out several times within the
 * chunk comes out as it would one event at a time; then the visits are inserted and the sign-outs
 * written in one statement each, and the visit events and notifications follow in the events' order.
 * Throws ReplayPlanBroken when a write finds the database changed since it was read.
 */
export function createReplayBatch(
  deps: Pick<Platform, 'now' | 'jobs' | 'log' | 'mailer' | 'config'>,
  ctx: { checks: readonly SafetyCheck[]; emitMany: (tx: Tx, list: ReadonlyArray<{ type: VisitEventType; v: VisitRow; at: Date }>) => Promise<void> },
) {
  const { now } = deps;
  const { checks, emitMany } = ctx;

  async function decide(t: Tx, kiosk: KioskPrincipal, items: readonly BatchItem[]): Promise<Array<BatchOutcome | AppError>> {
    const { tenantId } = kiosk;
    const signIns = items.flatMap((x) => (x.e.kind === 'sign_in' ? [x.e] : []));
    const signOuts = items.flatMap((x, i) => (x.e.kind === 'sign_out' ? [{ e: x.e, at: x.at, i }] : []));

    // ── Read what the chunk needs, set-wise ──
    const groupRows = await replayRepo.groupsOnSite(t, tenantId, kiosk.resourceId, [...new Set(signIns.map((e) => e.groupId))]);
    const groupsById = new Map<string, GroupOnSite>(groupRows.map((r) => [r.group.id, { ...r, options: readOptions(r.group.options) }] as const));
    const memberIds = new Set<string>();
    for (const e of signIns) {
      if (e.memberId) memberIds.add(e.memberId);
      if (e.visitor?.hostMemberId) memberIds.add(e.visitor.hostMemberId);
    }
    for (const { e } of signOuts) if (e.memberId) memberIds.add(e.memberId);
    const membersById = new Map((await replayRepo.members(t, tenantId, [...memberIds])).map((m) => [m.id, m] as const));
    // The people visited: members of groups this site shows, live (as the kiosk offers them).
    const hostGroupIds = [
      ...new Set(
        signIns.flatMap((e) => {
          const host = e.visitor?.hostMemberId ? membersById.get(e.visitor.hostMemberId) : undefined;
          return host ? [host.groupId] : [];
        }),
      ),
    ];
    const hostGroups = new Set((await replayRepo.groupsOnSite(t, tenantId, kiosk.resourceId, hostGroupIds)).filter((r) => !r.group.archivedAt).map((r) => r.group.id));
    const signingIn = [...new Set(signIns.flatMap((e) => (e.memberId && membersById.has(e.memberId) ? [e.memberId] : [])))];
    const accepted = signingIn.some((id) => groupsById.get(membersById.get(id)!.groupId)?.options.agreement)
      ? await replayRepo.acceptedAgreements(t, tenantId, signingIn)
      : new Set<string>();

    const planned = new Map<string, PlannedVisit>();
    const track = (v: VisitRow) => {
      if (!planned.has(v.id)) planned.set(v.id, { row: v, fresh: false, signedOutAt: v.signedOutAt, signedOutBy: v.signedOutBy, recordedOffline: v.recordedOffline });
    };
    const memberOuts = signOuts.flatMap(({ e, at }) => (e.memberId && membersById.has(e.memberId) ? [{ memberId: e.memberId, at }] : []));
    for (const v of await replayRepo.latestBefore(t, tenantId, kiosk.resourceId, memberOuts)) track(v);
    for (const v of await replayRepo.openOfMembers(t, tenantId, [...new Set([...signingIn, ...memberOuts.map((x) => x.memberId)])])) track(v);
    const keyed = [...new Set(signOuts.flatMap(({ e }) => (e.signInKey ? [e.signInKey] : [])))];
    const earlierAnswers = await replayRepo.answers(t, tenantId, kiosk.id, keyed);
    const byId = [...new Set([...signOuts.flatMap(({ e }) => (e.visitId ? [e.visitId] : [])), ...[...earlierAnswers.values()].flatMap((r) => (r.visitId ? [r.visitId] : []))])];
    for (const v of await replayRepo.visits(t, tenantId, byId.filter((id) => !planned.has(id)))) track(v);

    // ── The safety checks' bulk forms, over every sign-in that gets that far ──
    type Prepared = { e: SignInEvent; at: Date; g: GroupOnSite; member: MemberRow | null; visitor: VisitorDetails | null; hostMemberId: string | null; answers: Record<string, string> };
    const prepared = new Map<number, Prepared | AppError>();
    const drafts: SafetyContext[] = [];
    const draftOf = new Map<number, number>();
    const contextOf = (p: Prepared, previouslyAccepted: boolean): SafetyContext => {
      const { member, visitor, g } = p;
      return {
        tx: t,
        tenantId,
        site: { id: g.site.id, name: g.site.name, timezone: g.site.timezone },
        group: { id: g.group.id, name: g.group.name, type: g.group.type, options: g.options },
        member,
        visitor,
        person: personOf(member, visitor),
        answers: p.answers,
        agreementAccepted: p.e.agreementAccepted,
        previouslyAcceptedAgreement: previouslyAccepted,
        now: p.at,
      };
    };
    items.forEach(({ e, at }, i) => {
      if (e.kind !== 'sign_in') return;
      try {
        const p = prepare(e, at, groupsById, membersById, hostGroups);
        prepared.set(i, p);
        if (p.g.options.safetyCheckMode !== 'off') {
          draftOf.set(i, drafts.length);
          drafts.push(contextOf(p, acceptedBefore(accepted, p.member, p.g.options)));
        }
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        prepared.set(i, err);
      }
    });
    const outcomeOf = await prepareSafetyOutcomes(checks, drafts);

    // ── Decide each event in order, in memory ──
    const openOf = new Map<string, string>(); // member → their open visit (any site)
    for (const p of planned.values()) {
      const r = p.row as VisitRow;
      if (r.memberId && r.signedOutAt === null && r.outcome === 'signed_in') openOf.set(r.memberId, r.id);
    }
    const answersOf = new Map<string, BatchOutcome>();
    const inserts: string[] = [];
    const changes: Array<{ id: string; at: Date; kind: 'close' | 'replace_auto' }> = [];
    const emits: Emit[] = [];
    const notices: Notice[] = [];
    const out: Array<BatchOutcome | AppError> = [];
    const createdAt = now();

    for (let i = 0; i < items.length; i++) {
      const { e, at } = items[i]!;
      let o: BatchOutcome | AppError;
      if (e.kind === 'sign_in') {
        const p = prepared.get(i)!;
        o = p instanceof AppError ? p : await signIn(i, p);
      } else o = signOut(e, at);
      out.push(o);
      if (!(o instanceof AppError)) answersOf.set(e.key, o);
    }

    async function signIn(i: number, p: Prepared): Promise<BatchOutcome | AppError> {
      const { e, at, g, member, visitor, hostMemberId, answers } = p;
      const { options } = g;
      const person = personOf(member, visitor);
      const agreement = options.agreement;
      const previouslyAccepted = acceptedBefore(accepted, member, options);
      let reasons: VisitReason[] = [];
      if (options.safetyCheckMode === 'off') {
        if (member?.archivedAt) reasons = [{ check: 'member_active', code: 'member_archived', reason: 'This person is no longer active in the group' }];
      } else {
        reasons = (await outcomeOf(draftOf.get(i)!, contextOf(p, previouslyAccepted))).reasons;
      }
      const removed = Boolean(member?.deletedAt);
      const decision = offlineDecision(options.safetyCheckMode, { admitted: e.admitted, stale: e.stale }, removed ? reasons.filter((r) => r.code !== 'member_removed') : reasons, removed);
      if (member && decision.outcome === 'signed_in' && openOf.has(member.id)) return conflict('already_signed_in', `${person.fullName} is already signed in`);
      const id = randomUUID();
      const agreementVersion = acceptedAgreementVersion(agreement, e.agreementAccepted, previouslyAccepted);
      const row: NewVisit = {
        id,
        ...signInVisit({ tenantId, kioskId: kiosk.id, siteId: g.site.id, groupId: g.group.id, member, visitor, person, at, decision, reasons: decision.reasons, answers, agreementVersion, hostMemberId, recordedOffline: true, createdAt }),
      };
      planned.set(id, { row, fresh: true, signedOutAt: null, signedOutBy: null, recordedOffline: true });
      inserts.push(id);
      if (member && decision.outcome === 'signed_in') openOf.set(member.id, id);
      if (member && agreementVersion) accepted.add(`${member.id}|${agreementVersion}`);
      emits.push({ type: decision.outcome === 'signed_in' ? 'visit.signed_in' : 'visit.rejected', id, at, signedOutAt: null, signedOutBy: null, recordedOffline: true });
      const site = g.site;
      const group = g.group;
      if (decision.outcome === 'rejected' && decision.reasons.length > 0) {
        notices.push({ groupId: group.id, toContacts: true, hostEmail: null, msg: refusedMessage(person, member?.id, group, site, decision.reasons) });
      }
      if (decision.notify) notices.push({ groupId: group.id, toContacts: true, hostEmail: null, msg: flaggedMessage(person, member?.id, group, site, decision.reasons, true) });
      if (hostMemberId) {
        const host = membersById.get(hostMemberId);
        notices.push({ groupId: group.id, toContacts: true, hostEmail: host?.email ?? null, msg: hostMessage(person, visitor, host, site) });
      }
      if (removed) {
        const r = decision.reasons.find((x) => x.code === 'member_removed_meanwhile')!;
        return { status: 'conflict', code: r.code, reason: r.reason, visitId: id, recordedAt: at };
      }
      return { status: 'accepted', code: null, reason: null, visitId: id, recordedAt: at };
    }

    function signOut(e: SignOutEvent, at: Date): BatchOutcome {
      let visit: PlannedVisit | undefined;
      if (e.memberId) {
        const m = membersById.get(e.memberId);
        if (!m) return { status: 'refused', code: 'unknown_member', reason: 'No such member', visitId: null, recordedAt: null };
        // The member's latest signed-in visit at this site that began at or before `at`.
        for (const p of planned.values()) {
          const r = p.row;
          if (r.memberId !== m.id || r.siteId !== kiosk.resourceId || r.outcome !== 'signed_in' || r.signedInAt.getTime() > at.getTime()) continue;
          if (!visit || r.signedInAt.getTime() > visit.row.signedInAt.getTime()) visit = p;
        }
      } else {
        let visitId = e.visitId;
        if (e.signInKey) visitId = (answersOf.has(e.signInKey) ? answersOf.get(e.signInKey)!.visitId : earlierAnswers.get(e.signInKey)?.visitId) ?? undefined;
        const v = visitId ? planned.get(visitId) : undefined;
        visit = v && v.row.siteId === kiosk.resourceId && v.row.outcome === 'signed_in' ? v : undefined;
      }
      const verdict = signOutVerdict(visit && { signedInAt: visit.row.signedInAt, signedOutAt: visit.signedOutAt, signedOutBy: visit.signedOutBy }, at);
      const id = visit?.row.id as string | undefined;
      switch (verdict.action) {
        case 'close': {
          visit!.signedOutAt = at;
          visit!.signedOutBy = 'kiosk';
          if (!visit!.fresh) changes.push({ id: id!, at, kind: 'close' });
          if (visit!.row.memberId && openOf.get(visit!.row.memberId) === id) openOf.delete(visit!.row.memberId);
          emits.push({ type: 'visit.signed_out', id: id!, at, signedOutAt: at, signedOutBy: 'kiosk', recordedOffline: visit!.recordedOffline });
          return { status: 'accepted', code: null, reason: null, visitId: id!, recordedAt: at };
        }
        case 'replace_auto': {
          visit!.signedOutAt = at;
          visit!.signedOutBy = 'kiosk';
          visit!.recordedOffline = true;
          changes.push({ id: id!, at, kind: 'replace_auto' });
          return { status: 'conflict', code: verdict.code, reason: verdict.reason, visitId: id!, recordedAt: at };
        }
        case 'ignore':
          return { status: 'conflict', code: verdict.code, reason: verdict.reason, visitId: id ?? null, recordedAt: null };
        case 'refuse':
          return { status: 'refused', code: verdict.code, reason: verdict.reason, visitId: null, recordedAt: null };
      }
    }

    // ── Write: the visits, then the sign-outs of visits from before the chunk, then events and notifications in order ──
    const rows = inserts.map((id) => {
      const p = planned.get(id)!;
      return { ...(p.row as NewVisit), signedOutAt: p.signedOutAt, signedOutBy: p.signedOutBy };
    });
    const stored = new Map((await replayRepo.insertVisits(t, rows)).map((r) => [r.id, r] as const));
    if (stored.size !== rows.length) throw new ReplayPlanBroken('a member was signed in meanwhile');
    for (const r of await replayRepo.signOutVisits(t, tenantId, changes)) stored.set(r.id, r);
    if (changes.some((c) => !stored.has(c.id))) throw new ReplayPlanBroken('a visit was signed out meanwhile');
    await emitMany(t, emits.map((x) => ({ type: x.type, v: { ...stored.get(x.id)!, signedOutAt: x.signedOutAt, signedOutBy: x.signedOutBy, recordedOffline: x.recordedOffline }, at: x.at })));
    if (notices.length > 0) {
      const contacts = await replayRepo.contactsOf(t, tenantId, [...new Set(notices.map((n) => n.groupId))]);
      // Only the contacts whose reach takes in the kiosk's site hear of it (as at a live sign-in).
      const reaching = new Set(await usersReachingSites(t, tenantId, [...contacts.values()].flat(), [kiosk.resourceId!]));
      for (const n of notices) {
        const hostUsers = n.hostEmail ? await activeUserIdsByEmail(t, tenantId, [n.hostEmail]) : [];
        await notifyUsers(t, deps, tenantId, [...(contacts.get(n.groupId) ?? []).filter((id) => reaching.has(id)), ...hostUsers], n.msg);
      }
    }
    return out;
  }

  return { decide };
}

/** A sign-in's checks that need no database: the group on the site, the person, the answers (as recordSignIn makes them, offline). */
function prepare(
  e: SignInEvent,
  at: Date,
  groupsById: ReadonlyMap<string, GroupOnSite>,
  membersById: ReadonlyMap<string, MemberRow>,
  hostGroups: ReadonlySet<string>,
) {
  const g = groupsById.get(e.groupId);
  if (!g || g.group.archivedAt || g.site.archivedAt) throw notFound('Group');
  let member: MemberRow | null = null;
  let visitor: VisitorDetails | null = null;
  let hostMemberId: string | null = null;
  if (e.visitor) {
    if (g.group.type !== 'standard') throw badRequest('member_group', 'Members of this group sign in by name or QR code', 'visitor');
    const { hostMemberId: host, ...details } = e.visitor;
    visitor = details;
    if (host) {
      const h = membersById.get(host);
      if (!h || h.deletedAt || h.archivedAt || !hostGroups.has(h.groupId)) throw badRequest('invalid_host', 'The person being visited was not found', 'visitor.hostMemberId');
      hostMemberId = h.id;
    }
  } else {
    if (g.group.type === 'standard') throw badRequest('visitor_group', 'Visitors of this group give their details', 'visitor');
    const m = e.memberId ? membersById.get(e.memberId) : undefined;
    // Offline, a member removed since the kiosk's copy still walked in: recorded and flagged.
    if (!m || m.groupId !== g.group.id) throw notFound('Member');
    member = m;
  }
  const answers = checkAnswers(g.options, e.answers);
  return { e, at, g, member, visitor, hostMemberId, answers };
}

function acceptedBefore(accepted: ReadonlySet<string>, member: MemberRow | null, options: SignInOptionsStored): boolean {
  return Boolean(options.agreement && member && accepted.has(`${member.id}|${options.agreement.version}`));
}
