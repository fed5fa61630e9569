import type { Platform } from '../../../platform/platform.js';
import type { Tx } from '../../../platform/db/database.js';
import type { GroupsService } from '../groups/groups.service.js';
import { BUILT_IN_CHECKS } from '../safety/checks.js';
import type { SafetyCheck } from '../safety/safety.types.js';
import type { VisitEvent, VisitEventSink, VisitEventType } from './visit-events.js';
import { presentVisit, type VisitRow } from './visits.presenter.js';
import { createPinCheck } from '../kiosk/pin.js';
import { createSignIn } from './sign-in.js';
import { createSignOut } from './sign-out.js';
import { createVisitHistory } from './export.js';
import { createVisitRetention } from './retention.js';
import { createVisitSettings } from './settings.js';

export type VisitsDeps = Pick<Platform, 'db' | 'now' | 'jobs' | 'log'>;
/** `sinks` hear every visit event inside its transaction; `safetyChecks` run after the built-in ones, in order. */
export type VisitsOptions = { sinks?: readonly VisitEventSink[]; safetyChecks?: readonly SafetyCheck[] };

/**
 * The visits service: one object over the use cases beside it (sign-in.ts, sign-out.ts,
 * kiosk/pin.ts, export.ts, settings.ts, retention.ts), sharing the event sinks and the checks.
 */
export function createVisitsService(deps: VisitsDeps, groupsService: GroupsService, opts: VisitsOptions = {}) {
  const sinks = [...(opts.sinks ?? [])];
  const checks = [...BUILT_IN_CHECKS, ...(opts.safetyChecks ?? [])];

  async function emit(tx: Tx, type: VisitEventType, v: VisitRow, at: Date) {
    const event: VisitEvent = { type, tenantId: v.tenantId, visitId: v.id, siteId: v.siteId, groupId: v.groupId, memberId: v.memberId, at: at.toISOString(), visit: presentVisit(v) };
    for (const sink of sinks) await sink(tx, event);
  }

  const { checkPin } = createPinCheck(deps, groupsService);
  const { signIn, recordSignIn, memberSafety, siteAndGroup } = createSignIn(deps, { checks, emit, checkPin });
  const { signOut, signOutManually, closeVisit, openVisitsOf } = createSignOut(deps, { emit });
  const { history, exportCsv } = createVisitHistory(deps);
  const { getSettings, setSettings } = createVisitSettings(deps);
  const { setProtected, applyRetention } = createVisitRetention(deps);

  return { checks, signIn, recordSignIn, memberSafety, emit, signOut, signOutManually, closeVisit, history, exportCsv, setProtected, getSettings, setSettings, applyRetention, openVisitsOf, checkPin, siteAndGroup };
}

export type VisitsService = ReturnType<typeof createVisitsService>;
