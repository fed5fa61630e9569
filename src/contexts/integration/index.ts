import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import type { GroupsPort, MemberChangeListener, MembersPort, SafetyCheck } from '../signin/index.js';
import type { ScimAttributesPort } from '../scim/index.js';
import type { ProfileChangeListener, ProfileUpdateGuard, RecordPort } from '../record/index.js';
import { createRuns, registerRunJobs, type RunHandler } from './runs/runs.js';
import type { RunKind } from './integration.tables.js';
import { createSyncHooks } from './sync/sync.hooks.js';
import { createPeopleHooks } from './people/people.hooks.js';
import { createLinksService } from './links/links.service.js';
import { createGroupsInUse, LINKS_CHANGED_CHANNEL, type GroupsInUseCache } from './links/groups-in-use.js';
import { createNotifier } from '../../platform/live/notify.js';
import { createTypeMapService } from './typemap/typemap.service.js';
import { createPeopleService, IMPORT_NEW_MEMBERS_JOB } from './people/people.service.js';
import { createMergeService } from './merge/merge.service.js';
import { createRecordReadiness, createRecordSafetyCheck } from './safety/record-check.js';
import { linksRoutes } from './links/links.routes.js';
import { typeMapRoutes } from './typemap/typemap.routes.js';
import { runsRoutes } from './runs/runs.routes.js';
import { peopleRoutes } from './people/people.routes.js';
import { mergeRoutes } from './merge/merge.routes.js';
import { createSyncService, SYNC_PERSON_JOB, SYNC_SWEEP_JOB } from './sync/sync.service.js';
import { syncRoutes } from './sync/sync.routes.js';
import { createWondeService } from './wonde/wonde.service.js';
import { wondeRoutes } from './wonde/wonde.routes.js';
import { wondeRepo } from './wonde/wonde.repo.js';
import { systemActor } from '../../platform/audit/audit.js';

export { SYNC_PERSON_JOB, SYNC_SWEEP_JOB } from './sync/sync.service.js';
export { IMPORT_NEW_MEMBERS_JOB } from './people/people.service.js';
export { presentRun } from './runs/runs.presenters.js';
export { createRecordReadiness, createRecordSafetyCheck, RECORD_SAFETY_CHECK, type RecordReadiness, type RecordReadinessOf } from './safety/record-check.js';
export { createWondeClient, WondeError, type WondeClient } from './wonde/wonde.client.js';

/**
 * The integration's hooks into the other contexts, handed to them by the composition root
 * (src/contexts/compose.ts): member changes and record changes queue a two-way sync in their own
 * transaction (and a new member of a linked group an import), the record refuses an edit of a
 * field the identity provider owns, an erased profile's member is excluded from imports, and the
 * Central Record joins sign-in's safety check. Built from the job queue and the database (where
 * the record check's read is prepared, decision 038) alone, before the contexts it hooks into.
 */
export function createIntegrationHooks(platform: Pick<Platform, 'db' | 'jobs' | 'now' | 'config'>, ports: { groups: GroupsPort; record: RecordPort }): {
  memberListeners: MemberChangeListener[];
  profileGuards: ProfileUpdateGuard[];
  profileListeners: ProfileChangeListener[];
  safetyChecks: SafetyCheck[];
  /** What the member listeners know of the tenants' linked groups; the integration drops it when links change. */
  groupsInUse: GroupsInUseCache;
} {
  const groupsInUse = createGroupsInUse(platform.config.authCacheSeconds * 1000);
  const sync = createSyncHooks({ ...platform, groups: ports.groups, groupsInUse });
  const people = createPeopleHooks({ ...platform, groupsInUse });
  return {
    groupsInUse,
    memberListeners: [sync.memberListener, people.newMemberListener],
    profileGuards: [sync.idpGuard],
    profileListeners: [sync.profileListener, people.profileErasedListener],
    safetyChecks: [createRecordSafetyCheck(ports.record, platform.db)],
  };
}

/**
 * The integration of sign-in and the Central Record: group links, the profile type map, import,
 * merge (and undo), push, the Wonde connector. Built once per platform by the composition root,
 * from sign-in's members and groups ports, SCIM's attributes port and the record's port; long work runs as `integration.run` jobs, each kind worked by the
 * handler its feature exports.
 */
export function createIntegration(platform: Platform, ports: { members: MembersPort; groups: GroupsPort; scimAttributes: ScimAttributesPort; record: RecordPort; groupsInUse: GroupsInUseCache }) {
  const { members, groups, scimAttributes, record, groupsInUse } = ports;
  const runs = createRuns(platform, (kind) => runHandlers[kind]);
  const links = createLinksService({ ...platform, groups, record, groupsInUse });
  const typeMap = createTypeMapService({ ...platform, members, scimAttributes, record, groups });
  const recordReadiness = createRecordReadiness(record, platform.db);
  const people = createPeopleService({ ...platform, members, groups, scimAttributes, runs, typeMap, record, recordReadiness });
  const sync = createSyncService({ ...platform, members, groups, runs, record, groupsInUse });
  // Merged values reach the linked members by the per-person sync job, queued by the merge.
  const merge = createMergeService({ ...platform, runs, record, onProfilesChanged: sync.enqueueForProfiles });
  const wonde = createWondeService({ ...platform, runs, record, onProfilesChanged: sync.enqueueForProfiles });
  const runHandlers: Record<RunKind, RunHandler> = { ...people.runHandlers, ...sync.runHandlers, ...merge.runHandlers, ...wonde.runHandlers };
  return { record, runs, links, typeMap, people, merge, sync, wonde, members, recordReadiness, groupsInUse };
}
export type Integration = ReturnType<typeof createIntegration>;

/** Job handlers (called by src/contexts/jobs.ts in the worker process). */
export async function registerIntegrationJobs(platform: Platform, integration: Integration): Promise<void> {
  await registerRunJobs(platform, integration.runs);
  // Scheduled Wonde syncs: one run per enabled connection (each run is its own retried job).
  await platform.jobs.work(WONDE_SCHEDULE_JOB, async () => {
    const connections = await wondeRepo.enabledConnections(platform.db);
    for (const c of connections) await integration.wonde.startSync(c.tenantId, c.organisationId, { ...systemActor, label: 'Wonde schedule' });
  });
  await platform.jobs.schedule(WONDE_SCHEDULE_JOB, '23 * * * *');
  await platform.jobs.work<{ tenantId: string; memberIds: string[] }>(IMPORT_NEW_MEMBERS_JOB, async (job) => {
    await integration.people.importNewMembers(job.data.tenantId, job.data.memberIds);
  });
  // Per-person syncs, up to 200 a fetch, set-wise (a merge-all or a sweep queues thousands at once).
  await platform.jobs.workMany<{ tenantId: string; linkId: string }>(SYNC_PERSON_JOB, (jobs) => integration.sync.syncPeople(jobs), { batchSize: SYNC_PERSON_BATCH });
  // The safety net of the two-way sync: anything changed but not synced (e.g. a lost job) is queued.
  await platform.jobs.work(SYNC_SWEEP_JOB, async () => {
    const queued = await integration.sync.sweep();
    if (queued > 0) platform.log.info({ queued }, 'two-way sync sweep queued people');
  });
  await platform.jobs.schedule(SYNC_SWEEP_JOB, '*/10 * * * *');
}

export const WONDE_SCHEDULE_JOB = 'integration.wonde-schedule';
/** Per-person sync jobs worked together (one fetch of the worker, synced set-wise). */
export const SYNC_PERSON_BATCH = 200;

export function integrationContext(platform: Platform, integration: Integration): FastifyPluginAsync {
  return async (app) => {
    // What this instance knows of the tenants' linked groups is dropped when another changes a link.
    const notifier = createNotifier(platform.database, platform.log);
    await notifier.subscribe(LINKS_CHANGED_CHANNEL, (tenantId) => integration.groupsInUse.forget(tenantId));
    app.addHook('onClose', async () => {
      await notifier.close();
    });
    await app.register(linksRoutes(integration.links));
    await app.register(typeMapRoutes(integration.typeMap));
    await app.register(runsRoutes(integration.runs));
    await app.register(peopleRoutes(integration.people));
    await app.register(mergeRoutes(integration.merge));
    await app.register(syncRoutes(integration.sync));
    await app.register(wondeRoutes(integration.wonde));
  };
}
