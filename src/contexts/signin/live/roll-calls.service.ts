import { sql } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { createNotifier, type Notifier } from '../../../platform/live/notify.js';
import { readOptions } from '../groups/groups.schemas.js';
import { inScope, type SiteScope } from '../access.js';
import type { BulkVisitEventSink } from '../visits/visit-events.js';
import { liveRepo, type EntryRow, type RollCallRow, type VisitAtSite } from './live.repo.js';
import { presentEntry, presentEvent, presentRollCall } from './live.presenters.js';
import { isUniqueViolation } from '../../../platform/db/sqlstate.js';

/** A roll call started on a phone with no connection, as the phone sends it on reconnect. */
/** A tick names its person by visit; or, for one signed in offline on the phone itself (a paired kiosk), by member or (a visitor) by name. */
export type OfflineTick = { visitId?: string; memberId?: string; personName?: string; status: 'safe' | 'unaccounted'; at: Date };
export type OfflineStart = { startedAt: Date; note: string; ticks: OfflineTick[] };

/** The entry a tick names: by visit, else the member's latest entry, else a visitor's (no member) latest entry by name. */
export function entryOfTick<E extends { visitId: string; memberId: string | null; personName: string; signedInAt: Date }>(entries: readonly E[], t: Pick<OfflineTick, 'visitId' | 'memberId' | 'personName'>): E | undefined {
  if (t.visitId) return entries.find((e) => e.visitId === t.visitId);
  const latest = (xs: E[]) => xs.sort((a, b) => b.signedInAt.getTime() - a.signedInAt.getTime())[0];
  if (t.memberId) return latest(entries.filter((e) => e.memberId === t.memberId));
  const name = t.personName?.trim().toLowerCase();
  return name ? latest(entries.filter((e) => e.memberId === null && e.personName.trim().toLowerCase() === name)) : undefined;
}

/** One channel for every roll call; payloads are `{"rollCallId":…,"seq":…}`. */
export const ROLL_CALL_CHANNEL = 'thr_roll_call';

/** A roll call's entry for a visit on site: who, in which group, since when. */
function entryOf(tenantId: string, rollCallId: string, v: VisitAtSite) {
  return {
    tenantId,
    rollCallId,
    visitId: v.visitId,
    memberId: v.memberId,
    personName: v.personName,
    groupId: v.groupId,
    groupName: v.groupName,
    groupColour: v.groupColour,
    signedInAt: v.signedInAt,
  };
}

/**
 * Fire roll calls. Every change takes the roll call's next sequence number, is stored as an event
 * and NOTIFYs in the same transaction, so devices on any instance hear committed changes only and
 * a device that reconnects replays the events after the last number it saw.
 */
export function createRollCallsService(deps: Pick<Platform, 'db' | 'database' | 'log' | 'now'>, notifier: Notifier = createNotifier(deps.database, deps.log)) {
  const { db } = deps;

  async function emit(tx: DbOrTx, tenantId: string, rollCallId: string, type: string, data: Record<string, unknown>) {
    const seq = await liveRepo.nextSeq(tx, tenantId, rollCallId);
    await liveRepo.insertEvent(tx, { tenantId, rollCallId, seq, type, data, at: deps.now() });
    await notifier.notify(tx, ROLL_CALL_CHANNEL, JSON.stringify({ rollCallId, seq }));
    return seq;
  }

  async function get(tx: DbOrTx, tenantId: string, scope: SiteScope, id: string) {
    const rc = await liveRepo.find(tx, tenantId, id);
    if (!rc || !inScope(scope, rc.siteId)) throw notFound('Roll call');
    return rc;
  }

  async function view(tenantId: string, scope: SiteScope, id: string, tx: DbOrTx = db) {
    const rc = await get(tx, tenantId, scope, id);
    const entries = (await liveRepo.entries(tx, tenantId, id)).map(presentEntry);
    const safe = entries.filter((e) => e.status === 'safe').length;
    return { rollCall: presentRollCall(rc, { total: entries.length, safe }), entries };
  }

  /**
   * One tick on an entry of an open roll call. A tick made offline keeps its time (never in the
   * future); a later change by another marshal stands; the same status again changes nothing.
   */
  async function applyTick(tx: DbOrTx, tenantId: string, rc: RollCallRow, current: EntryRow, status: 'safe' | 'unaccounted', actor: Actor, tickedAt?: Date) {
    const now = deps.now();
    const at = tickedAt && tickedAt < now ? tickedAt : now;
    if (tickedAt && current.markedAt && current.markedAt > at) return { entry: current, seq: rc.seq, changed: false };
    if (tickedAt && current.status === status) return { entry: current, seq: rc.seq, changed: false };
    const entry = await liveRepo.markEntry(tx, tenantId, current.id, { status, markedAt: at, markedByLabel: actor.label });
    const presented = presentEntry(entry!);
    const seq = await emit(tx, tenantId, rc.id, 'entry.updated', { entry: presented });
    await recordAudit(tx, tenantId, actor, {
      action: 'roll_call.marked',
      targetType: 'roll_call',
      targetId: rc.id,
      summary: `${entry!.personName} marked ${status}`,
      data: { entryId: current.id, status, seq, ...(tickedAt ? { tickedAt: at.toISOString() } : {}) },
    });
    return { entry: entry!, seq, changed: true };
  }

  async function openForChange(tx: DbOrTx, tenantId: string, scope: SiteScope, id: string) {
    const rc = await get(tx, tenantId, scope, id);
    if (rc.status !== 'open') throw conflict('roll_call_closed', 'This roll call is closed');
    return rc;
  }

  /** Visit events: who signs in during a roll call joins it; who signs out is shown as gone. */
  const sink: BulkVisitEventSink = async (tx, event) => {
    if (event.type !== 'visit.signed_in' && event.type !== 'visit.signed_out') return;
    const rc = await liveRepo.openAt(tx, event.tenantId, event.siteId);
    if (!rc) return;
    if (event.type === 'visit.signed_in') {
      const group = await liveRepo.group(tx, event.tenantId, event.groupId);
      if (!group || !readOptions(group.options).showOnFireList) return;
      const [visit] = await liveRepo.visit(tx, event.tenantId, event.visitId);
      if (!visit) return;
      const entry = await liveRepo.insertEntryIfNew(tx, {
          tenantId: event.tenantId,
          rollCallId: rc.id,
          visitId: visit.id,
          memberId: visit.memberId,
          personName: visit.personName,
          groupId: group.id,
          groupName: group.name,
          groupColour: group.colour,
          signedInAt: visit.signedInAt,
          joinedDuring: true,
        });
      if (entry) await emit(tx, event.tenantId, rc.id, 'entry.added', { entry: presentEntry(entry) });
      return;
    }
    const entry = await liveRepo.entrySignedOut(tx, event.tenantId, rc.id, event.visitId, new Date(event.at));
    if (entry) await emit(tx, event.tenantId, rc.id, 'entry.updated', { entry: presentEntry(entry) });
  };
  /** Nothing to do: an event other than signed in or out, or no roll call open at the site. */
  sink.quietWhen = (event) =>
    event.type === 'visit.signed_in' || event.type === 'visit.signed_out'
      ? liveRepo.noneOpenAt(event.tenantId, event.siteId)
      : sql`true`;
  /** Several events (a replayed chunk): each site's open roll call looked up once; only the events of a site with one do more. */
  sink.many = async (tx, events) => {
    const relevant = events.filter((e) => e.type === 'visit.signed_in' || e.type === 'visit.signed_out');
    const open = new Set<string>();
    for (const e of relevant) {
      const site = `${e.tenantId}|${e.siteId}`;
      if (open.has(site) || open.has(`!${site}`)) continue;
      open.add((await liveRepo.openAt(tx, e.tenantId, e.siteId)) ? site : `!${site}`);
    }
    for (const e of relevant) if (open.has(`${e.tenantId}|${e.siteId}`)) await sink(tx, e);
  };

  return {
    sink,
    notifier,
    view,

    async list(tenantId: string, scope: SiteScope, limit: number) {
      const rows = await liveRepo.list(db, tenantId, scope, limit);
      const counts = await liveRepo.counts(db, tenantId, rows.map((r) => r.id));
      return rows.map((r) => presentRollCall(r, counts.get(r.id) ?? { total: 0, safe: 0 }));
    },

    /** Starts a roll call of who is on site now, in groups shown on the fire list. */
    async start(tenantId: string, scope: SiteScope, siteId: string, actor: Actor, note = '') {
      try {
        return await inTransaction(db, async (tx) => {
          const site = await liveRepo.site(tx, tenantId, siteId);
          if (!site || !inScope(scope, site.id)) throw notFound('Site');
          const existing = await liveRepo.openAt(tx, tenantId, siteId);
          if (existing) throw conflict('roll_call_open', 'A roll call is already open for this site', { rollCallId: existing.id });
          const rc = await liveRepo.insertRollCall(tx, { tenantId, siteId, siteName: site.name, note, startedAt: deps.now(), startedById: actor.id, startedByLabel: actor.label });
          const people = (await liveRepo.onSite(tx, tenantId, siteId)).filter((v) => readOptions(v.groupOptions).showOnFireList);
          if (people.length > 0) {
            await liveRepo.insertEntries(tx, people.map((v) => entryOf(tenantId, rc!.id, v)));
          }
          await emit(tx, tenantId, rc!.id, 'roll_call.started', { total: people.length });
          await recordAudit(tx, tenantId, actor, {
            action: 'roll_call.started',
            targetType: 'roll_call',
            targetId: rc!.id,
            summary: `Fire roll call started at ${site.name} (${people.length} on site)`,
            data: { siteId, total: people.length },
          });
          return view(tenantId, scope, rc!.id, tx);
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          const existing = await liveRepo.openAt(db, tenantId, siteId);
          throw conflict('roll_call_open', 'A roll call is already open for this site', { rollCallId: existing?.id });
        }
        throw err;
      }
    },

    /** A marshal ticks a person safe (or back to unaccounted). */
    async mark(tenantId: string, scope: SiteScope, id: string, entryId: string, status: 'safe' | 'unaccounted', actor: Actor, tickedAt?: Date) {
      return inTransaction(db, async (tx) => {
        const rc = await openForChange(tx, tenantId, scope, id);
        const current = await liveRepo.entry(tx, tenantId, id, entryId);
        if (!current) throw notFound('Person on this roll call');
        const r = await applyTick(tx, tenantId, rc, current, status, actor, tickedAt);
        return { entry: presentEntry(r.entry), seq: r.seq };
      });
    },

    /**
     * A roll call a marshal started on a phone with no connection, sent when it is back: its start
     * time and the ticks made on it, by visit. One roll call per site: when one is open there (started
     * online meanwhile by someone else), or this phone sent the same start before, the ticks merge
     * into that one and it keeps its own start time; otherwise the roll call is created with the
     * phone's start time (never later than now), listing who was on site then or has signed in since.
     * Ticks merge by the rule of `mark` (a later change stands; the same tick twice is one).
     */
    async startOffline(tenantId: string, scope: SiteScope, siteId: string, actor: Actor, input: OfflineStart) {
      const attempt = () =>
        inTransaction(db, async (tx) => {
          const site = await liveRepo.site(tx, tenantId, siteId);
          if (!site || !inScope(scope, site.id)) throw notFound('Site');
          const now = deps.now();
          const startedAt = input.startedAt < now ? input.startedAt : now;
          let rc = (await liveRepo.startedAt(tx, tenantId, siteId, startedAt, actor.id)) ?? (await liveRepo.openAt(tx, tenantId, siteId));
          const merged = rc !== undefined;
          if (!rc) {
            rc = await liveRepo.insertRollCall(tx, { tenantId, siteId, siteName: site.name, note: input.note, startedAt, startedById: actor.id, startedByLabel: actor.label });
            const people = (await liveRepo.presentSince(tx, tenantId, siteId, startedAt)).filter((v) => readOptions(v.groupOptions).showOnFireList);
            if (people.length > 0) {
              await liveRepo.insertEntries(tx, people.map((v) => ({ ...entryOf(tenantId, rc!.id, v), joinedDuring: v.signedInAt > startedAt, signedOutAt: v.signedOutAt })));
            }
            await emit(tx, tenantId, rc!.id, 'roll_call.started', { total: people.length, offline: true });
            await recordAudit(tx, tenantId, actor, {
              action: 'roll_call.started',
              targetType: 'roll_call',
              targetId: rc!.id,
              summary: `Fire roll call started offline at ${site.name} (${people.length} on site)`,
              data: { siteId, total: people.length, offline: true, startedAt: startedAt.toISOString() },
            });
          }
          const ticks = { applied: 0, unchanged: 0, unmatched: 0 };
          if (rc!.status === 'open' && input.ticks.length > 0) {
            const entries = await liveRepo.entries(tx, tenantId, rc!.id);
            let current = rc!;
            for (const t of input.ticks) {
              const entry = entryOfTick(entries, t);
              if (!entry) {
                ticks.unmatched++;
                continue;
              }
              const r = await applyTick(tx, tenantId, current, entry, t.status, actor, t.at);
              if (r.changed) ticks.applied++;
              else ticks.unchanged++;
              entries[entries.indexOf(entry)] = r.entry;
              current = { ...current, seq: r.seq };
            }
          } else ticks.unmatched = input.ticks.length;
          if (merged) {
            await recordAudit(tx, tenantId, actor, {
              action: 'roll_call.offline_merged',
              targetType: 'roll_call',
              targetId: rc!.id,
              summary: `A roll call started offline at ${site.name} was merged into this one (${ticks.applied} ticks applied)`,
              data: { offlineStartedAt: startedAt.toISOString(), ...ticks },
            });
          }
          return { merged, ticks, ...(await view(tenantId, scope, rc!.id, tx)) };
        });
      try {
        return await attempt();
      } catch (err) {
        // Another device opened one at the same moment: merge into it.
        if (isUniqueViolation(err)) return attempt();
        throw err;
      }
    },

    /** Ends the roll call; it stays as the evacuation record. */
    async close(tenantId: string, scope: SiteScope, id: string, actor: Actor) {
      return inTransaction(db, async (tx) => {
        await openForChange(tx, tenantId, scope, id);
        await liveRepo.closeRollCall(tx, tenantId, id, { closedAt: deps.now(), closedByLabel: actor.label });
        const result = await view(tenantId, scope, id, tx);
        await emit(tx, tenantId, id, 'roll_call.closed', { closedAt: result.rollCall.closedAt, closedBy: actor.label });
        await recordAudit(tx, tenantId, actor, {
          action: 'roll_call.closed',
          targetType: 'roll_call',
          targetId: id,
          summary: `Fire roll call at ${result.rollCall.siteName} closed: ${result.rollCall.safe} safe, ${result.rollCall.unaccounted} unaccounted`,
          data: { safe: result.rollCall.safe, unaccounted: result.rollCall.unaccounted },
        });
        return view(tenantId, scope, id, tx);
      });
    },

    /** Events after `afterSeq` (for a device catching up). Access is checked by the caller. */
    async eventsAfter(tenantId: string, id: string, afterSeq: number) {
      return (await liveRepo.eventsAfter(db, tenantId, id, afterSeq)).map(presentEvent);
    },

    /** Checks access to a roll call (404 otherwise); returns its row. */
    async access(tenantId: string, scope: SiteScope, id: string) {
      return get(db, tenantId, scope, id);
    },
  };
}

export type RollCallsService = ReturnType<typeof createRollCallsService>;
