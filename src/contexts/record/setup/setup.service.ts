import type { Platform } from '../../../platform/platform.js';
import { createChecksSetup } from './checks.js';
import { createFieldsSetup } from './fields.js';
import { createOrganisationsSetup } from './organisations.js';
import { createProfileTypesSetup } from './profile-types.js';
import { createRatingSystemsSetup } from './rating-systems.js';

export type SetupDeps = Pick<Platform, 'db' | 'now'>;

/**
 * The record's settings: one object over the use cases beside it, one file per resource:
 * organisations.ts, profile-types.ts, checks.ts, rating-systems.ts, and fields.ts (the condition
 * builder's catalogue, and validating a condition against it). Their queries are in setup.repo.ts,
 * their public shapes in setup.presenters.ts; the built-in rule set's preview and apply in rule-set.service.ts.
 */
export function createSetupService(deps: SetupDeps) {
  return {
    ...createOrganisationsSetup(deps),
    ...createProfileTypesSetup(deps),
    ...createChecksSetup(deps),
    ...createRatingSystemsSetup(deps),
    ...createFieldsSetup(deps),
  };
}

export type SetupService = ReturnType<typeof createSetupService>;
