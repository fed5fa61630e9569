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

export { registerRecordJobs } from './documents/documents.routes.js';
export { createSetupService, type SetupService } from './setup/setup.service.js';
/** The record's port for other contexts' references to organisations (accounts' organisation scopes). */
export const organisationsPort = { existingIds: setupRepo.organisationIds };
export { archiveLeavers, ARCHIVE_LEAVERS_JOB } from './profiles/leavers.js';
export { createProfilesService, type ProfilesService } from './profiles/profiles.service.js';
export { guardProfileUpdate, onProfileChanged, type ProfileChange, type ProfileChangeListener, type ProfileUpdateAttempt, type ProfileUpdateGuard } from './profiles/profile-hooks.js';
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
 * The single central record: organisations, profile types, checks (the built-in KCSIE set and
 * the trust's and schools' own), profiles with evidence and history, rating systems, dashboard,
 * export and import.
 */
export function recordContext(platform: Platform): FastifyPluginAsync {
  const setup = createSetupService(platform);
  const profiles = createProfilesService(platform);
  const reports = createReportsService(platform);
  const imports = createImportService(platform, profiles);
  const documents = createDocumentsService(platform);
  const ruleSets = createRuleSetService(platform);
  return async (app) => {
    await app.register(ruleSetRoutes(ruleSets));
    await app.register(setupRoutes(setup));
    await app.register(profilesRoutes(profiles));
    await app.register(reportsRoutes(reports));
    await app.register(importRoutes(imports));
    await app.register(documentsRoutes(documents));
  };
}
