import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { badRequest, conflict, notFound, validationFailed } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { activeUserIdsByEmail, notifyUsers } from '../../accounts/index.js';
import { groupContacts, groups, siteGroups, sites, visits, type VisitorDetails, type VisitReason } from '../signin.tables.js';
import { inScope, type KioskPrincipal, type SiteScope } from '../access.js';
import { readOptions, type SignInOptionsStored } from '../groups/groups.schemas.js';
import type { GroupsService } from '../groups/groups.service.js';
import type { MemberRow } from '../members/members.port.js';
import { membersRepo } from '../members/members.repo.js';
import { BUILT_IN_CHECKS } from '../safety/checks.js';
import { decide, runSafetyChecks, safetyOutcome } from '../safety/pipeline.js';
import type { SafetyCheck } from '../safety/safety.types.js';
import type { VisitEvent, VisitEventSink, VisitEventType } from './visit-events.js';
import { presentVisit, type VisitRow } from './visits.presenter.js';
import { openVisit, visitsRepo } from './visits.repo.js';
import { offlineDecision, type OfflineSignIn } from './replay.rules.js';
import { createPinCheck } from '../kiosk/pin.js';
import { createVisitHistory } from './export.js';
import { createVisitRetention } from './retention.js';


export type SignInRequest = {
  groupId: string;
  memberId?: string;
  qrToken?: string;
  visitor?: VisitorDetails & { hostMemberId?: string };
  answers: Record<string, string | boolean>;
  agreementAccepted: boolean;
  pin?: string;
};

export type VisitsDeps = Pick<Platform, 'db' | 'now' | 'jobs' | 'log'>;
/** `sinks` hear every visit event inside its transaction; `safetyChecks` run after the built-in ones, in order. */
export type VisitsOptions = { sinks?: readonly VisitEventSink[]; safetyChecks?: readonly SafetyCheck[] };

/** Answers checked against the group's custom fields; booleans become "yes"/"no". */
export function checkAnswers(options: SignInOptionsStored, given: Record<string, string | boolean>): Record<string, string> {
  const out: Record<string, string> = {};
  const issues: Array<{ field: string; message: string }> = [];
  for (const f of options.customFields) {
    const raw = given[f.id];
    const value = typeof raw === 'boolean' ? (raw ? 'yes' : 'no') : (raw ?? '').trim();
    if (value === '') {
      if (f.required) issues.push({ field: `answers.${f.id}`, message: `${f.label}: an answer is required` });
      continue;
    }
    if (f.type === 'yesno' && value !== 'yes' && value !== 'no') issues.push({ field: `answers.${f.id}`, message: `${f.label}: answer yes or no` });
    else if (f.type === 'choice' && !(f.choices ?? []).includes(value)) issues.push({ field: `answers.${f.id}`, message: `${f.label}: not one of the choices` });
    else out[f.id] = value;
  }
  if (issues.length) throw validationFailed(issues);
  return out;
}

export function createVisitsService(deps: VisitsDeps, groupsService: GroupsService, opts: VisitsOptions = {}) {
  const { db, now } = deps;
  const sinkList = [...(opts.sinks ?? [])];
  const checkList = [...BUILT_IN_CHECKS, ...(opts.safetyChecks ?? [])];
  const sinks = () => sinkList;
  const checks = () => checkList;
  const { checkPin } = createPinCheck(deps, groupsService);
  const { history, exportCsv } = createVisitHistory(deps);
  const { setProtected, getSettings, setSettings, applyRetention } = createVisitRetention(deps);

  async function emit(tx: Tx, type: VisitEventType, v: VisitRow, at: Date) {
    const event: VisitEvent = { type, tenantId: v.tenantId, visitId: v.id, siteId: v.siteId, groupId: v.groupId, memberId: v.memberId, at: at.toISOString(), visit: presentVisit(v) };
    for (const sink of sinks()) await sink(tx, event);
  }

  async function contactsOf(tx: DbOrTx, tenantId: string, groupId: string) {
    const rows = await tx.select({ userId: groupContacts.userId }).from(groupContacts).where(and(eq(groupContacts.tenantId, tenantId), eq(groupContacts.groupId, groupId)));
    return rows.map((r) => r.userId);
  }

  /** The kiosk's site and a group shown on it (404 otherwise). */
  async function siteAndGroup(kiosk: KioskPrincipal, groupId: string, dbx: DbOrTx = db) {
    const [row] = await dbx
      .select({ site: sites, group: groups })
      .from(siteGroups)
      .innerJoin(sites, eq(sites.id, siteGroups.siteId))
      .innerJoin(groups, eq(groups.id, siteGroups.groupId))
      .where(and(eq(siteGroups.tenantId, kiosk.tenantId), eq(siteGroups.siteId, kiosk.resourceId), eq(siteGroups.groupId, groupId)));
    if (!row || row.group.archivedAt || row.site.archivedAt) throw notFound('Group');
    return row;
  }

  async function signIn(kiosk: KioskPrincipal, input: SignInRequest) {
    return recordSignIn(db, kiosk, input);
  }

  /**
   * A sign-in, now (from the kiosk online) or replayed (`offline`: at the kiosk's time, as the
   * kiosk decided it, see replay.rules.ts). Runs in `dbx` (the replay's transaction).
   */
  async function recordSignIn(dbx: DbOrTx, kiosk: KioskPrincipal, input: SignInRequest, offline?: OfflineSignIn & { at: Date }) {
    const { site, group } = await siteAndGroup(kiosk, input.groupId, dbx);
    if (!offline) await checkPin(kiosk, group.id, input.pin);
    const options = readOptions(group.options);

    let member: MemberRow | null = null;
    let visitor: VisitorDetails | null = null;
    let hostMemberId: string | null = null;
    if (input.visitor) {
      if (group.type !== 'standard') throw badRequest('member_group', 'Members of this group sign in by name or QR code', 'visitor');
      const { hostMemberId: host, ...details } = input.visitor;
      visitor = details;
      if (host) {
        const h = await membersRepo.find(dbx, kiosk.tenantId, host);
        if (!h || h.deletedAt || h.archivedAt) throw badRequest('invalid_host', 'The person being visited was not found', 'visitor.hostMemberId');
        hostMemberId = h.id;
      }
    } else {
      if (group.type === 'standard') throw badRequest('visitor_group', 'Visitors of this group give their details', 'visitor');
      const m = input.memberId ? await membersRepo.find(dbx, kiosk.tenantId, input.memberId) : await membersRepo.findByQr(dbx, kiosk.tenantId, input.qrToken!);
      // Offline, a member removed since the kiosk's copy still walked in: recorded and flagged.
      if (!m || (m.deletedAt && !offline) || m.groupId !== group.id) throw notFound('Member');
      member = m;
    }
    const answers = checkAnswers(options, input.answers);
    const at = offline?.at ?? now();
    const person = member
      ? { fullName: member.fullName, email: member.email, dateOfBirth: typeof member.customFields.dateOfBirth === 'string' ? member.customFields.dateOfBirth : null }
      : { fullName: visitor!.fullName, email: visitor!.email ?? null, dateOfBirth: visitor!.dateOfBirth ?? null };
    const agreement = options.agreement;
    const previouslyAccepted = Boolean(agreement && member && (await visitsRepo.memberAcceptedAgreement(dbx, kiosk.tenantId, member.id, agreement.version)));

    let reasons: VisitReason[] = [];
    if (options.safetyCheckMode === 'off') {
      // The group checks nothing, but an archived member still cannot sign in.
      if (member?.archivedAt) reasons = [{ check: 'member_active', code: 'member_archived', reason: 'This person is no longer active in the group' }];
    } else {
      reasons = await runSafetyChecks(checks(), {
        tx: dbx,
        tenantId: kiosk.tenantId,
        site: { id: site.id, name: site.name, timezone: site.timezone },
        group: { id: group.id, name: group.name, type: group.type, options },
        member,
        visitor,
        person,
        answers,
        agreementAccepted: input.agreementAccepted,
        previouslyAcceptedAgreement: previouslyAccepted,
        now: at,
      });
    }
    let decision = decide(options.safetyCheckMode, reasons);
    if (offline) {
      const removed = Boolean(member?.deletedAt);
      const d = offlineDecision(options.safetyCheckMode, offline, removed ? reasons.filter((r) => r.code !== 'member_removed') : reasons, removed);
      decision = d;
      reasons = d.reasons;
    }
    const accepted = agreement && (input.agreementAccepted || previouslyAccepted) ? agreement.version : null;

    const visit = await inTransaction(dbx, async (tx) => {
      const values = {
        tenantId: kiosk.tenantId,
        siteId: site.id,
        groupId: group.id,
        memberId: member?.id ?? null,
        visitor,
        personName: person.fullName,
        signedInAt: at,
        outcome: decision.outcome,
        safetyStatus: decision.safetyStatus,
        reasons,
        answers,
        agreementVersion: accepted,
        hostMemberId,
        kioskId: kiosk.id,
        recordedOffline: Boolean(offline),
        createdAt: offline ? now() : at,
      };
      const [row] = await tx
        .insert(visits)
        .values(values)
        .onConflictDoNothing({ target: visits.memberId, where: sql`member_id IS NOT NULL AND signed_out_at IS NULL AND outcome = 'signed_in'` })
        .returning();
      if (!row) throw conflict('already_signed_in', `${person.fullName} is already signed in`);
      await emit(tx, decision.outcome === 'signed_in' ? 'visit.signed_in' : 'visit.rejected', row, at);
      const contacts = decision.notify || hostMemberId || decision.outcome === 'rejected' ? await contactsOf(tx, kiosk.tenantId, group.id) : [];
      if (decision.outcome === 'rejected' && reasons.length > 0) {
        // The lobby screen may say no more than "Please see reception": the people who can act hear why.
        await notifyUsers(tx, deps, kiosk.tenantId, contacts, {
          title: `${person.fullName} could not sign in at ${site.name}`,
          body: `${person.fullName} was refused at the entrance (${group.name}, ${site.name}). The safety check found:\n${reasons.map((r) => `- ${r.reason}`).join('\n')}`,
          link: `/signin/visits?memberId=${member?.id ?? ''}`,
        });
      }
      if (decision.notify) {
        await notifyUsers(tx, deps, kiosk.tenantId, contacts, {
          title: `${person.fullName} signed in at ${site.name} despite the safety check${offline ? ' (decided offline)' : ''}`,
          body: `${person.fullName} signed in to ${group.name} at ${site.name}. The safety check found:\n${reasons.map((r) => `- ${r.reason}`).join('\n')}`,
          link: `/signin/visits?memberId=${member?.id ?? ''}`,
        });
      }
      if (hostMemberId) {
        const host = await membersRepo.find(tx, kiosk.tenantId, hostMemberId);
        // The host hears of it when they have an account (matched on their email), as do the group's contacts.
        const hostUsers = host?.email ? await activeUserIdsByEmail(tx, kiosk.tenantId, [host.email]) : [];
        await notifyUsers(tx, deps, kiosk.tenantId, [...contacts, ...hostUsers], {
          title: `${person.fullName} is here to see ${host?.fullName ?? 'a member'}`,
          body: `${person.fullName}${visitor?.company ? ` (${visitor.company})` : ''} signed in at ${site.name} to see ${host?.fullName ?? 'a member'}.`,
        });
      }
      return row;
    });

    const badge =
      decision.outcome === 'signed_in' && options.printBadge
        ? {
            name: person.fullName,
            groupName: group.name,
            groupColour: group.colour,
            siteName: site.name,
            hostName: hostMemberId ? ((await membersRepo.find(dbx, kiosk.tenantId, hostMemberId))?.fullName ?? null) : null,
            company: visitor?.company ?? null,
            date: at.toISOString(),
            photoUrl: member?.photoKey ? `/api/kiosk/members/${member.id}/photo` : null,
          }
        : undefined;
    return { outcome: decision.outcome, visit: presentVisit(visit), reasons, badge, showReasonsOnKiosk: options.showReasonsOnKiosk };
  }

  /**
   * Each member's safety check outcome as an offline kiosk keeps it: every check except the
   * answers and the agreement (the kiosk asks those itself), now, with the date it may next change.
   */
  async function memberSafety(kiosk: KioskPrincipal, groupId: string, rows: MemberRow[]) {
    const { site, group } = await siteAndGroup(kiosk, groupId);
    const options = readOptions(group.options);
    const at = now();
    const list = checks().filter((c) => c.name !== 'custom_fields' && c.name !== 'agreement');
    const out = new Map<string, { reasons: VisitReason[]; validUntil: string | null }>();
    for (const m of rows) {
      const person = { fullName: m.fullName, email: m.email, dateOfBirth: typeof m.customFields.dateOfBirth === 'string' ? m.customFields.dateOfBirth : null };
      const o =
        options.safetyCheckMode === 'off'
          ? { reasons: [], validUntil: null }
          : await safetyOutcome(list, { tx: db, tenantId: kiosk.tenantId, site: { id: site.id, name: site.name, timezone: site.timezone }, group: { id: group.id, name: group.name, type: group.type, options }, member: m, visitor: null, person, answers: {}, agreementAccepted: true, previouslyAcceptedAgreement: true, now: at });
      out.set(m.id, o);
    }
    return out;
  }

  /** Closes an open visit (H7's manual and automatic sign-out use this too). 409 when not open. */
  async function closeVisit(tx: DbOrTx, v: { tenantId: string; id: string }, by: 'kiosk' | 'manual' | 'auto', actor?: Actor, when?: Date) {
    return inTransaction(tx, async (t) => {
      const at = when ?? now();
      const row = await visitsRepo.close(t, v.tenantId, v.id, at, by);
      if (!row) throw conflict('not_signed_in', 'This person is not signed in');
      await emit(t, 'visit.signed_out', row, at);
      if (actor && by === 'manual') {
        await recordAudit(t, v.tenantId, actor, { action: 'visit.signed_out', targetType: 'visit', targetId: row.id, summary: `${row.personName} signed out manually` });
      }
      return presentVisit(row);
    });
  }

  async function signOut(kiosk: KioskPrincipal, input: { memberId?: string; qrToken?: string; visitId?: string }) {
    let visit: VisitRow | undefined;
    if (input.visitId) {
      const v = await visitsRepo.find(db, kiosk.tenantId, input.visitId);
      if (!v || v.siteId !== kiosk.resourceId) throw notFound('Visit');
      visit = v;
    } else {
      const m = input.memberId ? await membersRepo.find(db, kiosk.tenantId, input.memberId) : await membersRepo.findByQr(db, kiosk.tenantId, input.qrToken!);
      if (!m) throw notFound('Member');
      visit = await visitsRepo.openForMember(db, kiosk.tenantId, m.id, kiosk.resourceId);
      if (!visit) throw conflict('not_signed_in', `${m.fullName} is not signed in here`);
    }
    return closeVisit(db, visit, 'kiosk');
  }

  /** Manual sign-out from the portal. */
  async function signOutManually(tenantId: string, scope: SiteScope, visitId: string, actor: Actor) {
    const v = await visitsRepo.find(db, tenantId, visitId);
    if (!v || !inScope(scope, v.siteId)) throw notFound('Visit');
    return closeVisit(db, v, 'manual', actor);
  }

  /** Open visits of members (for H7's views and the auto sign-out). */
  async function openVisitsOf(tx: DbOrTx, tenantId: string, memberIds: string[]) {
    if (memberIds.length === 0) return [];
    return tx.select().from(visits).where(and(eq(visits.tenantId, tenantId), inArray(visits.memberId, memberIds), openVisit));
  }

  return { signIn, recordSignIn, memberSafety, emit, signOut, signOutManually, closeVisit, history, exportCsv, setProtected, getSettings, setSettings, applyRetention, openVisitsOf, checkPin, siteAndGroup };
}

export type VisitsService = ReturnType<typeof createVisitsService>;
