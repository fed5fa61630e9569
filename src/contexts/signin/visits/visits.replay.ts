import { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import type { Tx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { AppError } from '../../../platform/errors.js';
import { findUnstorableText } from '../../../platform/http/input.js';
import { recordAudits } from '../../../platform/audit/audit.js';
import type { KioskPrincipal } from '../access.js';
import { membersRepo } from '../members/members.repo.js';
import { createReplayBatch, outcomeOfError, ReplayPlanBroken, type BatchItem, type BatchOutcome } from './replay-batch.js';
import { replayRepo, type ReplayRow } from './replay.repo.js';
import { EARLIEST_EVENT, judgeTime, signOutVerdict, type TimeVerdict } from './replay.rules.js';
import { visitsRepo } from './visits.repo.js';
import type { VisitsService } from './visits.service.js';

const answerValue = z.union([z.string().max(2000), z.boolean()]);
const key = z.string().min(8).max(100);
const at = z.iso.datetime({ offset: true });
/** An event's own time: from EARLIEST_EVENT on (year 0 is no timestamp PostgreSQL holds). */
const eventAt = at.refine((s) => new Date(s).getTime() >= EARLIEST_EVENT.getTime(), 'a time from 1900-01-01T00:00:00Z on');

/** One queued offline event, as the kiosk sends it (each is checked alone: a bad one never blocks the rest). */
export const replayEvent = z.discriminatedUnion('kind', [
  z
    .object({
      key,
      kind: z.literal('sign_in'),
      at: eventAt,
      groupId: z.uuid(),
      memberId: z.uuid().optional(),
      visitor: z
        .object({ fullName: z.string().trim().min(1).max(200), company: z.string().trim().max(200).optional(), hostMemberId: z.uuid().optional() })
        .optional(),
      answers: z.record(z.string().max(40), answerValue).default({}),
      agreementAccepted: z.boolean().default(false),
      /** What the kiosk did: let the person in, or turned them away on the last known safety check. */
      admitted: z.boolean(),
      stale: z.boolean().default(false),
    })
    .refine((e) => (e.memberId === undefined) !== (e.visitor === undefined), { message: 'Give exactly one of memberId or visitor', path: ['memberId'] }),
  z
    .object({
      key,
      kind: z.literal('sign_out'),
      at: eventAt,
      memberId: z.uuid().optional(),
      /** A visitor signed in online (their visit) or offline on this kiosk (the key of that sign-in). */
      visitId: z.uuid().optional(),
      signInKey: key.optional(),
    })
    .refine((e) => [e.memberId, e.visitId, e.signInKey].filter((x) => x !== undefined).length === 1, { message: 'Give exactly one of memberId, visitId or signInKey', path: ['memberId'] }),
]);
export type ReplayEvent = z.infer<typeof replayEvent>;

export const replayBody = z.object({
  /** The kiosk's clock when it sent the batch: how far off its clock is. */
  sentAt: at,
  events: z.array(z.unknown()).max(500),
});

export const replayResultSchema = z.object({
  key: z.string().nullable(),
  status: z.enum(['accepted', 'conflict', 'refused', 'duplicate']),
  code: z.string().nullable(),
  reason: z.string().nullable(),
  visitId: z.string().nullable(),
  recordedAt: z.string().nullable(),
});
export type ReplayResult = z.infer<typeof replayResultSchema>;

/** Events worked in one transaction (a 500-event queue is five). */
export const REPLAY_CHUNK = 100;

type Outcome = BatchOutcome;

/**
 * Replays a kiosk's offline queue in order. Each event is accepted exactly once per idempotency
 * key (a key seen again returns its first answer and changes nothing), in its own transaction, at
 * the kiosk's time corrected for its clock; conflicts and refusals are answered with a reason
 * (the kiosk's sync log), kept in kiosk_replays and audited.
 */
export function createReplayService(deps: Pick<Platform, 'db' | 'now' | 'jobs' | 'log' | 'mailer' | 'config'>, visits: VisitsService) {
  const { db, now } = deps;
  const batch = createReplayBatch(deps, { checks: visits.checks, emitMany: visits.emitMany });

  async function signIn(t: Tx, kiosk: KioskPrincipal, e: Extract<ReplayEvent, { kind: 'sign_in' }>, when: Date): Promise<Outcome> {
    const r = await visits.recordSignIn(
      t,
      kiosk,
      { groupId: e.groupId, memberId: e.memberId, visitor: e.visitor, answers: e.answers, agreementAccepted: e.agreementAccepted },
      { at: when, admitted: e.admitted, stale: e.stale },
    );
    const removed = r.reasons.find((x) => x.code === 'member_removed_meanwhile');
    if (removed) return { status: 'conflict', code: removed.code, reason: removed.reason, visitId: r.visit.id, recordedAt: when };
    return { status: 'accepted', code: null, reason: null, visitId: r.visit.id, recordedAt: when };
  }

  /** `earlier`: the answers of this chunk so far (not yet stored), for a sign-out by its sign-in's key. */
  async function signOut(t: Tx, kiosk: KioskPrincipal, e: Extract<ReplayEvent, { kind: 'sign_out' }>, when: Date, earlier: ReadonlyMap<string, Outcome>): Promise<Outcome> {
    let visit;
    if (e.memberId) {
      const m = await membersRepo.find(t, kiosk.tenantId, e.memberId);
      if (!m) return { status: 'refused', code: 'unknown_member', reason: 'No such member', visitId: null, recordedAt: null };
      visit = await visitsRepo.latestForMemberBefore(t, kiosk.tenantId, m.id, kiosk.resourceId, when);
    } else {
      let visitId = e.visitId;
      if (e.signInKey && earlier.has(e.signInKey)) visitId = earlier.get(e.signInKey)!.visitId ?? undefined;
      else if (e.signInKey) visitId = (await replayRepo.answers(t, kiosk.tenantId, kiosk.id, [e.signInKey])).get(e.signInKey)?.visitId ?? undefined;
      const v = visitId ? await visitsRepo.find(t, kiosk.tenantId, visitId) : undefined;
      visit = v && v.siteId === kiosk.resourceId && v.outcome === 'signed_in' ? v : undefined;
    }
    const verdict = signOutVerdict(visit, when);
    switch (verdict.action) {
      case 'close': {
        const closed = await visits.closeVisit(t, visit!, 'kiosk', undefined, when);
        return { status: 'accepted', code: null, reason: null, visitId: closed.id, recordedAt: when };
      }
      case 'replace_auto': {
        const row = await visitsRepo.replaceAutoSignOut(t, kiosk.tenantId, visit!.id, when);
        return { status: 'conflict', code: verdict.code, reason: verdict.reason, visitId: row?.id ?? visit!.id, recordedAt: when };
      }
      case 'ignore':
        return { status: 'conflict', code: verdict.code, reason: verdict.reason, visitId: visit?.id ?? null, recordedAt: null };
      case 'refuse':
        return { status: 'refused', code: verdict.code, reason: verdict.reason, visitId: null, recordedAt: null };
    }
  }

  type Parsed = { i: number; e: ReplayEvent };

  /** The first answer kept for a key this kiosk sent before. */
  function duplicateOf(key: string, first: ReplayRow | undefined): ReplayResult {
    return { key, status: 'duplicate', code: first?.code ?? null, reason: 'Already received; ignored', visitId: first?.visitId ?? null, recordedAt: first?.recordedAt?.toISOString() ?? null };
  }

  /** One event at a time (the fallback), in its own savepoint: a refusal undoes only its own changes. */
  async function workOne(t: Tx, kiosk: KioskPrincipal, e: ReplayEvent, at: Date, earlier: ReadonlyMap<string, Outcome>): Promise<Outcome> {
    try {
      return await inTransaction(t, (s) => (e.kind === 'sign_in' ? signIn(s, kiosk, e, at) : signOut(s, kiosk, e, at, earlier)));
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      return outcomeOfError(err);
    }
  }

  /**
   * The claimed events' answers, in order: set-wise (replay-batch.ts) in a savepoint; when its
   * plan no longer matches the database (a kiosk online signed one of the chunk's people in or
   * out meanwhile), the savepoint is rolled back and the chunk is worked one event at a time.
   */
  async function work(t: Tx, kiosk: KioskPrincipal, events: readonly ReplayEvent[], sentAt: Date): Promise<Outcome[]> {
    const serverNow = now();
    const times: TimeVerdict[] = events.map((e) => judgeTime(new Date(e.at), sentAt, serverNow));
    const items: BatchItem[] = [];
    events.forEach((e, i) => {
      const tv = times[i]!;
      if (tv.ok) items.push({ e, at: tv.at });
    });
    let decided: Outcome[];
    try {
      decided = await inTransaction(t, async (s) => (await batch.decide(s, kiosk, items)).map((o) => (o instanceof AppError ? outcomeOfError(o) : o)));
    } catch (err) {
      if (!(err instanceof ReplayPlanBroken)) throw err;
      decided = [];
      const answerOf = new Map<string, Outcome>();
      for (const { e, at } of items) {
        const out = await workOne(t, kiosk, e, at, answerOf);
        answerOf.set(e.key, out);
        decided.push(out);
      }
    }
    let k = 0;
    return events.map((_, i) => {
      const tv = times[i]!;
      if (!tv.ok) return { status: 'refused', code: tv.code, reason: tv.reason, visitId: null, recordedAt: null };
      const out = decided[k++]!;
      if (tv.correctedByMs !== 0 && out.status === 'accepted') {
        return { ...out, status: 'conflict', code: 'clock_corrected', reason: `The kiosk clock was ${Math.round(tv.correctedByMs / 1000)} s off; the server's clock wins and the time was corrected` };
      }
      return out;
    });
  }

  /**
   * One chunk of the queue, in one transaction, set-wise around the per-event work: every key is
   * claimed in one statement (a key claimed before, or by a concurrent replay, is a duplicate and
   * changes nothing; the first answer is read back in one statement), then each claimed event is
   * worked in order, then every answer is stored in one statement and the refusals and conflicts
   * are audited in one statement.
   */
  async function chunk(t: Tx, kiosk: KioskPrincipal, raws: readonly unknown[], sentAt: Date): Promise<ReplayResult[]> {
    const results: ReplayResult[] = new Array(raws.length);
    const parsed: Parsed[] = [];
    raws.forEach((raw, i) => {
      const rawKey = typeof raw === 'object' && raw !== null && typeof (raw as { key?: unknown }).key === 'string' ? (raw as { key: string }).key : null;
      // Text no database can store (the route leaves the events' to this check, one event at a time).
      const badText = findUnstorableText(raw, 'event');
      if (badText) {
        results[i] = { key: rawKey, status: 'refused', code: 'malformed_event', reason: `${badText}: contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored`, visitId: null, recordedAt: null };
        return;
      }
      const p = replayEvent.safeParse(raw);
      if (p.success) parsed.push({ i, e: p.data });
      else {
        const issue = p.error.issues[0];
        results[i] = { key: rawKey, status: 'refused', code: 'malformed_event', reason: `${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`, visitId: null, recordedAt: null };
      }
    });
    if (parsed.length === 0) return results;

    // The first event with each key claims it; a repeat of the key in the same chunk is a duplicate of it.
    const firstOfKey = new Map<string, Parsed>();
    for (const p of parsed) if (!firstOfKey.has(p.e.key)) firstOfKey.set(p.e.key, p);
    const claimed = await replayRepo.claim(t, kiosk.tenantId, kiosk.id, [...firstOfKey.values()].map(({ e }) => e));
    const earlier = await replayRepo.answers(t, kiosk.tenantId, kiosk.id, [...firstOfKey.keys()].filter((k) => !claimed.has(k)));

    const mine = parsed.filter((p) => claimed.has(p.e.key) && firstOfKey.get(p.e.key) === p);
    const outs = await work(t, kiosk, mine.map((p) => p.e), sentAt);
    const answers = mine.map((p, k) => ({ e: p.e, out: outs[k]! }));
    const answerOf = new Map(answers.map(({ e, out }) => [e.key, out] as const));
    for (const p of parsed) {
      const { e } = p;
      const out = answerOf.get(e.key);
      if (mine.includes(p)) results[p.i] = { key: e.key, status: out!.status, code: out!.code, reason: out!.reason, visitId: out!.visitId, recordedAt: out!.recordedAt?.toISOString() ?? null };
      else if (out) results[p.i] = { key: e.key, status: 'duplicate', code: out.code, reason: 'Already received; ignored', visitId: out.visitId, recordedAt: out.recordedAt?.toISOString() ?? null };
      else results[p.i] = duplicateOf(e.key, earlier.get(e.key));
    }
    if (answers.length === 0) return results;

    // Every answer in one statement (the claims were written as placeholders above).
    await replayRepo.storeAnswers(t, kiosk.tenantId, kiosk.id, answers.map(({ e, out }) => ({ key: e.key, ...out })));

    const logged = answers.filter(({ out }) => out.status !== 'accepted');
    if (logged.length > 0) {
      await recordAudits(
        t,
        kiosk.tenantId,
        { kind: 'kiosk', id: kiosk.id, label: kiosk.label },
        logged.map(({ e, out }) => ({
          action: out.status === 'refused' ? 'kiosk.replay_refused' : 'kiosk.replay_conflict',
          targetType: out.visitId ? 'visit' : 'kiosk',
          targetId: out.visitId ?? kiosk.id,
          summary: `Offline ${e.kind.replace('_', '-')} ${out.status}: ${out.reason ?? out.code ?? ''}`,
          data: { key: e.key, code: out.code, at: e.at },
        })),
      );
    }
    return results;
  }

  /**
   * Replays events in the order given, in chunks of REPLAY_CHUNK, each chunk in one transaction;
   * one event's refusal is its own result, never the chunk's (each event's work runs in its own
   * savepoint). An unexpected error answers 500: the chunks before it are committed, and the kiosk,
   * keeping its whole queue, sends them again as duplicates that change nothing.
   */
  async function replay(kiosk: KioskPrincipal, input: z.infer<typeof replayBody>): Promise<{ results: ReplayResult[] }> {
    const sentAt = new Date(input.sentAt);
    const results: ReplayResult[] = [];
    for (let i = 0; i < input.events.length; i += REPLAY_CHUNK) {
      const part = input.events.slice(i, i + REPLAY_CHUNK);
      results.push(...(await inTransaction(db, (t) => chunk(t, kiosk, part, sentAt))));
    }
    return { results };
  }

  /** The kiosk's sync log: the latest replayed events that were not simply accepted. */
  async function log(kiosk: KioskPrincipal, limit = 100) {
    const rows = await replayRepo.log(db, kiosk.tenantId, kiosk.id, limit);
    return rows.map((r) => ({ key: r.key, kind: r.kind, status: r.status, code: r.code, reason: r.reason, eventAt: r.eventAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString() }));
  }

  return { replay, log };
}

export type ReplayService = ReturnType<typeof createReplayService>;
