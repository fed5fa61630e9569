import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import { createSigninServices, onMemberChanged, registerSafetyCheck } from '../signin/index.js';
import { createRecordPort, guardProfileUpdate, onProfileChanged, type RecordPort } from '../record/index.js';
import { createRuns, registerRunJobs } from './runs/runs.js';
import { createLinksService } from './links/links.service.js';
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
import { integrationWondeConnections } from './integration.tables.js';
import { eq } from 'drizzle-orm';
import { systemActor } from '../../platform/audit/audit.js';

export { SYNC_PERSON_JOB, SYNC_SWEEP_JOB } from './sync/sync.service.js';
export { IMPORT_NEW_MEMBERS_JOB } from './people/people.service.js';
export { presentRun } from './runs/runs.js';
export { createRecordReadiness, createRecordSafetyCheck, RECORD_SAFETY_CHECK, type RecordReadiness, type RecordReadinessOf } from './safety/record-check.js';
export { createWondeClient, WondeError, type WondeClient } from './wonde/wonde.client.js';

/**
 * The integration of sign-in and the Central Record: group links, the profile type map, import,
 * merge (and undo), push, the record in the safety check, the Wonde connector. Its services are
 * built once per platform; long work runs as `integration.run` jobs.
 */
export function createIntegration(platform: Platform, record: RecordPort = createRecordPort()) {
  const members = createSigninServices(platform).members;
  const runs = createRuns(platform);
  const links = createLinksService({ ...platform, record });
  const typeMap = createTypeMapService({ ...platform, record });
  const recordReadiness = createRecordReadiness(record);
  const people = createPeopleService({ ...platform, members, runs, typeMap, record });
  const sync = createSyncService({ ...platform, members, runs, record });
  // Merged values reach the linked members by the per-person sync job, queued by the merge.
  const merge = createMergeService({ ...platform, runs, record, onProfilesChanged: sync.enqueueForProfiles });
  const wonde = createWondeService({ ...platform, runs, record, onProfilesChanged: sync.enqueueForProfiles });
  // Changes on either side queue a two-way sync in their own transaction; the record refuses an
  // edit of a field the identity provider owns. (Keyed by name: a later registration replaces.)
  onMemberChanged('integration.sync', sync.memberListener);
  onMemberChanged('integration.import-new', people.newMemberListener);
  onProfileChanged('integration.sync', sync.profileListener);
  onProfileChanged('integration.exclusions', people.profileErasedListener);
  guardProfileUpdate('integration.idp-owned', sync.idpGuard);
  return { record, runs, links, typeMap, people, merge, sync, wonde, recordReadiness };
}
export type Integration = ReturnType<typeof createIntegration>;

/** Registers the record's check with sign-in's safety pipeline (once per process). */
let safetyCheckRegistered = false;
export function registerRecordSafetyCheck(record: RecordPort): void {
  if (safetyCheckRegistered) return;
  registerSafetyCheck(createRecordSafetyCheck(record));
  safetyCheckRegistered = true;
}

/** Job handlers (called by src/contexts/jobs.ts in the worker process). */
export async function registerIntegrationJobs(platform: Platform): Promise<void> {
  const integration = createIntegration(platform);
  await registerRunJobs(platform, integration.runs);
  // Scheduled Wonde syncs: one run per enabled connection (each run is its own retried job).
  await platform.jobs.work(WONDE_SCHEDULE_JOB, async () => {
    const connections = await platform.db.select().from(integrationWondeConnections).where(eq(integrationWondeConnections.enabled, true));
    for (const c of connections) await integration.wonde.startSync(c.tenantId, c.organisationId, { ...systemActor, label: 'Wonde schedule' });
  });
  await platform.jobs.schedule(WONDE_SCHEDULE_JOB, '23 * * * *');
  await platform.jobs.work<{ tenantId: string; memberIds: string[] }>(IMPORT_NEW_MEMBERS_JOB, async (job) => {
    await integration.people.importNewMembers(job.data.tenantId, job.data.memberIds);
  });
  await platform.jobs.work<{ tenantId: string; linkId: string }>(SYNC_PERSON_JOB, async (job) => {
    await integration.sync.syncPerson(job.data.tenantId, job.data.linkId);
  });
  // The safety net of the two-way sync: anything changed but not synced (e.g. a lost job) is queued.
  await platform.jobs.work(SYNC_SWEEP_JOB, async () => {
    const queued = await integration.sync.sweep();
    if (queued > 0) platform.log.info({ queued }, 'two-way sync sweep queued people');
  });
  await platform.jobs.schedule(SYNC_SWEEP_JOB, '*/10 * * * *');
}

export const WONDE_SCHEDULE_JOB = 'integration.wonde-schedule';

export function integrationContext(platform: Platform): FastifyPluginAsync {
  const integration = createIntegration(platform);
  registerRecordSafetyCheck(integration.record);
  return async (app) => {
    await app.register(linksRoutes(integration.links));
    await app.register(typeMapRoutes(integration.typeMap));
    await app.register(runsRoutes(platform));
    await app.register(peopleRoutes(platform, integration.people, integration.recordReadiness));
    await app.register(mergeRoutes(integration.merge));
    await app.register(syncRoutes(integration.sync));
    await app.register(wondeRoutes(integration.wonde));
  };
}
