import type { Platform } from '../../../platform/platform.js';
import type { Tx } from '../../../platform/db/database.js';
import type { GroupsService } from '../groups/groups.service.js';
import { BUILT_IN_CHECKS } from '../safety/checks.js';
import type { SafetyCheck } from '../safety/safety.types.js';
import { and, sql, type SQL } from 'drizzle-orm';
import type { BulkVisitEventSink, QuietEvent, VisitEvent, VisitEventSink, VisitEventType } from './visit-events.js';
import { presentVisit, type VisitRow } from './visits.presenter.js';
import { createPinCheck } from '../kiosk/pin.js';
import { createSignIn } from './sign-in.js';
import { createSignOut } from './sign-out.js';
import { createVisitHistory } from './export.js';
import { createVisitRetention } from './retention.js';
import { createVisitSettings } from './settings.js';

export type VisitsDeps = Pick<Platform, 'db' | 'database' | 'now' | 'jobs' | 'log'>;
/** `sinks` hear every visit event inside its transaction; `safetyChecks` run after the built-in ones, in order. */
export type VisitsOptions = { sinks?: readonly VisitEventSink[]; safetyChecks?: readonly SafetyCheck[] };

/**
 * The visits service: one object over the use cases beside it (sign-in.ts, sign-out.ts,
 * kiosk/pin.ts, export.ts, settings.ts, retention.ts), sharing the event sinks and the checks.
 */
export function createVisitsService(deps: VisitsDeps, groupsService: GroupsService, opts: VisitsOptions = {}) {
  const sinks = [...(opts.sinks ?? [])];
  const checks = [...BUILT_IN_CHECKS, ...(opts.safetyChecks ?? [])];

  const eventOf = (type: VisitEventType, v: VisitRow, at: Date): VisitEvent => ({ type, tenantId: v.tenantId, visitId: v.id, siteId: v.siteId, groupId: v.groupId, memberId: v.memberId, at: at.toISOString(), visit: presentVisit(v) });

  async function emit(tx: Tx, type: VisitEventType, v: VisitRow, at: Date) {
    const event = eventOf(type, v, at);
    for (const sink of sinks) await sink(tx, event);
  }

  /**
   * Several visit events in their order (a replayed chunk): each sink takes them all, through its
   * bulk form when it has one, else one at a time. Sinks are independent of one another, so each
   * seeing the whole list in turn is the same as each event going through every sink in turn.
   */
  async function emitMany(tx: Tx, list: ReadonlyArray<{ type: VisitEventType; v: VisitRow; at: Date }>) {
    if (list.length === 0) return;
    const events = list.map((x) => eventOf(x.type, x.v, x.at));
    for (const sink of sinks) {
      const many = (sink as BulkVisitEventSink).many;
      if (many) await many(tx, events);
      else for (const event of events) await sink(tx, event);
    }
  }

  /**
   * Every sink's "nothing to do" for an event, as one SQL condition; undefined when a sink cannot
   * say (it has no `quietWhen`): then the event always goes through `emit` in the visit's transaction.
   */
  function quietWhen(event: QuietEvent): SQL | undefined {
    const conds: SQL[] = [];
    for (const sink of sinks) {
      const quiet = (sink as BulkVisitEventSink).quietWhen;
      if (!quiet) return undefined;
      conds.push(quiet(event));
    }
    return conds.length === 0 ? sql`true` : and(...conds);
  }

  const { checkPin } = createPinCheck(deps, groupsService);
  const { signIn, recordSignIn, memberSafety, siteAndGroup } = createSignIn(deps, { checks, emit, quietWhen, checkPin });
  const { signOut, signOutManually, closeVisit, openVisitsOf } = createSignOut(deps, { emit });
  const { history, exportCsv } = createVisitHistory(deps);
  const { getSettings, setSettings } = createVisitSettings(deps);
  const { setProtected, applyRetention } = createVisitRetention(deps);

  return { checks, signIn, recordSignIn, memberSafety, emit, emitMany, signOut, signOutManually, closeVisit, history, exportCsv, setProtected, getSettings, setSettings, applyRetention, openVisitsOf, checkPin, siteAndGroup };
}

export type VisitsService = ReturnType<typeof createVisitsService>;
