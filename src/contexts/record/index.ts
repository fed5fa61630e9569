import { setupRepo } from './setup/setup.repo.js';
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import { createSetupService } from './setup/setup.service.js';
import { setupRoutes } from './setup/setup.routes.js';
import { createProfilesService } from './profiles/profiles.service.js';
import { profilesRoutes } from './profiles/profiles.routes.js';
import { createReportsService } from './reports/reports.service.js';
import { reportsRoutes } from './reports/reports.routes.js';
import { createImportService } from './import/import.service.js';
import { importRoutes } from './import/import.routes.js';
import { createDocumentsService } from './documents/documents.service.js';
import { documentsRoutes } from './documents/documents.routes.js';
import { createRuleSetService } from './setup/rule-set.service.js';
import { ruleSetRoutes } from './setup/rule-set.routes.js';
import { createProfileHooks, type ProfileHookList } from './profiles/profile-hooks.js';
import { registerRecordJobs as registerRecordDocumentJobs } from './documents/documents.routes.js';

export { createSetupService, type SetupService } from './setup/setup.service.js';
/** The record's port for other contexts' references to organisations (accounts' organisation scopes). */
export const organisationsPort = { existingIds: setupRepo.organisationIds, namesOf: setupRepo.organisationNames };
export { archiveLeavers, ARCHIVE_LEAVERS_JOB } from './profiles/leavers.js';
export { createProfilesService, type ProfilesService } from './profiles/profiles.service.js';
export { createProfileHooks } from './profiles/profile-hooks.js';
export type { ProfileChange, ProfileChangeListener, ProfileHookList, ProfileHooks, ProfileUpdateAttempt, ProfileUpdateGuard } from './profiles/profile-hooks.js';
export { createRulesCache, readinessOf, type ModelOf, type Readiness } from './readiness.js';
export { todayIn } from './rules/dates.js';
export {
  createRecordPort,
  snapshotOfValue,
  type CheckValueSnapshot,
  type CheckValueView,
  type DocumentRef,
  type HistoryActor,
  type HistoryEntry,
  type HistoryLine,
  type NewProfile,
  type OrganisationView,
  type ProfileColumns,
  type ProfilePatch,
  type ProfileTypeView,
  type ProfileView,
  type RatingSystemView,
  type RecordPort,
} from './port.js';
export { evaluate, validateCondition, conditionGroupSchema, type ConditionGroup, type ConditionIssue, type FieldAccessor, type FieldCatalog, type FieldDescriptor, type FieldValue } from './rules/conditions.js';

/**
 * The single central record's services, built once per platform by the composition root
 * (src/contexts/compose.ts) with the profile guards and listeners other contexts give it.
 */
export function createRecord(platform: Platform, hooks: ProfileHookList = {}) {
  const profileHooks = createProfileHooks(hooks);
  const setup = createSetupService(platform);
  const profiles = createProfilesService({ ...platform, hooks: profileHooks });
  const reports = createReportsService(platform);
  const imports = createImportService(platform, profiles);
  const documents = createDocumentsService(platform);
  const ruleSets = createRuleSetService(platform);
  return { setup, profiles, reports, imports, documents, ruleSets, hooks: profileHooks };
}
export type RecordContext = ReturnType<typeof createRecord>;

/**
 * The single central record: organisations, profile types, checks (the built-in KCSIE set and
 * the trust's and schools' own), profiles with evidence and history, rating systems, dashboard,
 * export and import.
 */
export function recordContext(record: RecordContext): FastifyPluginAsync {
  return async (app) => {
    await app.register(ruleSetRoutes(record.ruleSets));
    await app.register(setupRoutes(record.setup));
    await app.register(profilesRoutes(record.profiles));
    await app.register(reportsRoutes(record.reports));
    await app.register(importRoutes(record.imports));
    await app.register(documentsRoutes(record.documents));
  };
}

/** Job handlers and schedules of the record (see src/contexts/jobs.ts). */
export async function registerRecordJobs(platform: Platform, record: RecordContext): Promise<void> {
  await registerRecordDocumentJobs(platform, record.hooks);
}
