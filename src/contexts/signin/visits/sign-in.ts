import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { badRequest, conflict, notFound, validationFailed } from '../../../platform/errors.js';
import { activeUserIdsByEmail, notifyUsers, usersReachingSites } from '../../accounts/index.js';
import type { VisitorDetails, VisitReason } from '../signin.tables.js';
import type { KioskPrincipal } from '../access.js';
import { readOptions, type SignInOptionsStored } from '../groups/groups.schemas.js';
import type { MemberRow } from '../members/members.port.js';
import { membersRepo } from '../members/members.repo.js';
import { beginSafetyChecks, decide, runSafetyChecks, safetyOutcome } from '../safety/pipeline.js';
import type { SafetyCheck } from '../safety/safety.types.js';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { createHash } from 'node:crypto';
import type { QuietEvent, VisitEventType } from './visit-events.js';
import { presentVisit, type VisitRow } from './visits.presenter.js';
import { visitsRepo } from './visits.repo.js';
import { offlineDecision, type OfflineSignIn } from './replay.rules.js';
import { createSignInReads } from './sign-in.reads.js';
import { flaggedMessage, hostMessage, refusedMessage } from './visit-messages.js';
import { acceptedAgreementVersion, personOf, signInVisit, SIGN_IN_VISIT_KEYS } from './visit-row.js';
import type { PinCheck } from '../kiosk/pin.js';

export type SignInRequest = {
  groupId: string;
  memberId?: string;
  qrToken?: string;
  visitor?: VisitorDetails & { hostMemberId?: string };
  answers: Record<string, string | boolean>;
  agreementAccepted: boolean;
  pin?: string;
};

/** Answers checked against the group's custom fields; booleans become "yes"/"no". */
export function checkAnswers(options: Pick<SignInOptionsStored, 'customFields'>, given: Record<string, string | boolean>): Record<string, string> {
  const out: Record<string, string> = {};
  const issues: Array<{ field: string; message: string }> = [];
  for (const f of options.customFields) {
    // Own answers only: a field named `constructor` must not read Object's (a 500 when unanswered).
    const raw = Object.hasOwn(given, f.id) ? given[f.id] : undefined;
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

export type SignInDeps = Pick<Platform, 'db' | 'database' | 'now' | 'jobs' | 'log'>;

/**
 * The sign-in flow: the kiosk's site and group, the person (member or visitor), the answers, the
 * safety checks (`checks`, in order), the visit with its events and notifications, the badge; and
 * each member's outcome as an offline kiosk keeps it.
 */
export function createSignIn(
  deps: SignInDeps,
  ctx: {
    checks: readonly SafetyCheck[];
    emit: (tx: Tx, type: VisitEventType, v: VisitRow, at: Date) => Promise<void>;
    /** Every event sink's "nothing to do" as SQL (undefined: some sink cannot say). */
    quietWhen?: (event: QuietEvent) => SQL | undefined;
    checkPin: PinCheck['checkPin'];
  },
) {
  const { db, now } = deps;
  const { checks, emit, quietWhen, checkPin } = ctx;
  /** Whether two reads can be under way at once (a pool of connections, not PGlite's one). */
  const overlaps = deps.database.kind === 'postgres';
  const signInReads = createSignInReads(db);

  /**
   * The visit's gated insert for an event type (see below), built and prepared the first time the
   * type is written (decision 038): the sinks' conditions over the placeholders `gateTenantId`,
   * `gateSiteId`, `gateGroupId`; undefined when a sink cannot state its "nothing to do". Named by
   * the type and the gate's text, so graphs with other sinks never share a name on a connection.
   */
  const gatedInserts = new Map<VisitEventType, ReturnType<typeof visitsRepo.preparedInsertIf> | undefined>();
  function gatedInsert(type: VisitEventType) {
    if (!gatedInserts.has(type)) {
      const gate = quietWhen?.({ type, tenantId: sql.placeholder('gateTenantId'), siteId: sql.placeholder('gateSiteId'), groupId: sql.placeholder('gateGroupId') });
      const name = gate && `visits_insert_if_${createHash('sha256').update(`${type} ${new PgDialect().sqlToQuery(gate).sql}`).digest('hex').slice(0, 16)}`;
      gatedInserts.set(type, gate && name ? visitsRepo.preparedInsertIf(db, name, SIGN_IN_VISIT_KEYS, gate) : undefined);
    }
    return gatedInserts.get(type);
  }

  /** The kiosk's site and a group shown on it (404 otherwise). */
  async function siteAndGroup(kiosk: KioskPrincipal, groupId: string, dbx: DbOrTx = db) {
    const row = await visitsRepo.siteAndGroup(dbx, kiosk.tenantId, kiosk.resourceId, groupId);
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
    // A member named by id, online: the checks that can start from that alone (the record's links)
    // read beside the sign-in's own reads, on another of the pool's connections, instead of after
    // them (decision 049). Not on PGlite (one connection: nothing to gain), nor in a replay (in its
    // transaction, in order). Ids as the database writes them (the schema takes upper case too).
    const begun =
      overlaps && !offline && dbx === db && !input.visitor && input.memberId
        ? beginSafetyChecks(checks, { tenantId: kiosk.tenantId, groupId: input.groupId.toLowerCase(), memberId: input.memberId.toLowerCase() }, db)
        : undefined;
    // The site, group, PIN flag, contacts and member in one statement (the member is used only when
    // the request names one and the group takes members).
    const read = await signInReads(dbx, kiosk.tenantId, kiosk.resourceId, input.groupId, input.visitor ? null : { memberId: input.memberId, qrToken: input.qrToken });
    if (!read || read.group.archivedAt || read.site.archivedAt) throw notFound('Group');
    const { site, group } = read;
    if (!offline) await checkPin(kiosk, group.id, input.pin, { hasPin: read.hasPin });
    const options = readOptions(group.options);

    let member: MemberRow | null = null;
    let visitor: VisitorDetails | null = null;
    let hostMemberId: string | null = null;
    if (input.visitor) {
      if (group.type !== 'standard') throw badRequest('member_group', 'Members of this group sign in by name or QR code', 'visitor');
      const { hostMemberId: host, ...details } = input.visitor;
      visitor = details;
      if (host) {
        // A member of a live group this site shows, as the kiosk offers them (a member elsewhere in the trust is not visited here).
        const h = await membersRepo.find(dbx, kiosk.tenantId, host);
        const hostGroup = h && !h.deletedAt && !h.archivedAt ? (await visitsRepo.siteAndGroup(dbx, kiosk.tenantId, site.id, h.groupId))?.group : undefined;
        if (!h || !hostGroup || hostGroup.archivedAt) throw badRequest('invalid_host', 'The person being visited was not found', 'visitor.hostMemberId');
        hostMemberId = h.id;
      }
    } else {
      if (group.type === 'standard') throw badRequest('visitor_group', 'Visitors of this group give their details', 'visitor');
      const m = read.member;
      // Offline, a member removed since the kiosk's copy still walked in: recorded and flagged.
      if (!m || (m.deletedAt && !offline) || m.groupId !== group.id) throw notFound('Member');
      member = m;
    }
    const answers = checkAnswers(options, input.answers);
    const at = offline?.at ?? now();
    const person = personOf(member, visitor);
    const agreement = options.agreement;
    const previouslyAccepted = Boolean(agreement && member && (await visitsRepo.memberAcceptedAgreement(dbx, kiosk.tenantId, member.id, agreement.version)));

    let reasons: VisitReason[] = [];
    if (options.safetyCheckMode === 'off') {
      // The group checks nothing, but an archived member still cannot sign in.
      if (member?.archivedAt) reasons = [{ check: 'member_active', code: 'member_archived', reason: 'This person is no longer active in the group' }];
    } else {
      reasons = await runSafetyChecks(checks, {
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
        blockList: read.blockList,
      }, begun);
    }
    let decision = decide(options.safetyCheckMode, reasons);
    if (offline) {
      const removed = Boolean(member?.deletedAt);
      const d = offlineDecision(options.safetyCheckMode, offline, removed ? reasons.filter((r) => r.code !== 'member_removed') : reasons, removed);
      decision = d;
      reasons = d.reasons;
    }
    const values = signInVisit({
      tenantId: kiosk.tenantId,
      kioskId: kiosk.id,
      siteId: site.id,
      groupId: group.id,
      member,
      visitor,
      person,
      at,
      decision,
      reasons,
      answers,
      agreementVersion: acceptedAgreementVersion(agreement, input.agreementAccepted, previouslyAccepted),
      hostMemberId,
      recordedOffline: Boolean(offline),
      createdAt: offline ? now() : at,
    });
    const eventType: VisitEventType = decision.outcome === 'signed_in' ? 'visit.signed_in' : 'visit.rejected';
    const contacts = read.contacts;
    const refusalTold = decision.outcome === 'rejected' && reasons.length > 0 && contacts.length > 0;
    // Nobody to tell and no sink with anything to do (read in the insert's own statement): the
    // visit alone, one statement, no transaction (decision 035). Otherwise, or when it wrote
    // nothing (the gate closed, or the member is signed in already), the transaction below.
    const insertIf = !offline && !refusalTold && !(decision.notify && contacts.length > 0) && !hostMemberId ? gatedInsert(eventType) : undefined;
    const quiet = insertIf ? await insertIf(dbx, values, { gateTenantId: kiosk.tenantId, gateSiteId: site.id, gateGroupId: group.id }) : undefined;
    const visit =
      quiet ??
      (await inTransaction(dbx, async (tx) => {
        const row = await visitsRepo.insert(tx, values);
        if (!row) throw conflict('already_signed_in', `${person.fullName} is already signed in`);
        await emit(tx, eventType, row, at);
        // Only the contacts whose reach takes in this site hear of it (a contact limited to another school does not).
        const told = contacts.length > 0 && (refusalTold || decision.notify || hostMemberId) ? await usersReachingSites(tx, kiosk.tenantId, contacts, [site.id]) : [];
        if (refusalTold) {
          // The lobby screen may say no more than "Please see reception": the people who can act hear why.
          await notifyUsers(tx, deps, kiosk.tenantId, told, refusedMessage(person, member?.id, group, site, reasons));
        }
        if (decision.notify) await notifyUsers(tx, deps, kiosk.tenantId, told, flaggedMessage(person, member?.id, group, site, reasons, Boolean(offline)));
        if (hostMemberId) {
          const host = await membersRepo.find(tx, kiosk.tenantId, hostMemberId);
          // The host hears of it when they have an account (matched on their email), as do the group's contacts.
          const hostUsers = host?.email ? await activeUserIdsByEmail(tx, kiosk.tenantId, [host.email]) : [];
          await notifyUsers(tx, deps, kiosk.tenantId, [...told, ...hostUsers], hostMessage(person, visitor, host, site));
        }
        return row;
      }));

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
    const list = checks.filter((c) => c.name !== 'custom_fields' && c.name !== 'agreement');
    const out = new Map<string, { reasons: VisitReason[]; validUntil: string | null }>();
    for (const m of rows) {
      const person = personOf(m, null);
      const o =
        options.safetyCheckMode === 'off'
          ? { reasons: [], validUntil: null }
          : await safetyOutcome(list, { tx: db, tenantId: kiosk.tenantId, site: { id: site.id, name: site.name, timezone: site.timezone }, group: { id: group.id, name: group.name, type: group.type, options }, member: m, visitor: null, person, answers: {}, agreementAccepted: true, previouslyAcceptedAgreement: true, now: at });
      out.set(m.id, o);
    }
    return out;
  }

  return { signIn, recordSignIn, memberSafety, siteAndGroup };
}
