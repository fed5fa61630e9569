import type { Platform } from '../../../platform/platform.js';
import type { ProfileHooks } from './profile-hooks.js';
import { createProfileReads } from './read.js';
import { createProfileCreation } from './create.js';
import { createProfileEditing } from './edit.js';
import { createProfileErasure } from './erasure.js';
import { problemsOfNew } from './validation.js';

/** `hooks`: the other contexts' profile guards and listeners (see profile-hooks.ts). */
export type ProfilesDeps = Pick<Platform, 'db' | 'now' | 'storage'> & { hooks: ProfileHooks };

/**
 * The profiles service: one object over the use cases beside it: read.ts (one, the list, the
 * history), create.ts, edit.ts (patch, archive), erasure.ts (export, erasure, retention), and
 * validation.ts's dry run for the import.
 */
export function createProfilesService(deps: ProfilesDeps) {
  const { present, get, list, history } = createProfileReads(deps);
  const { create } = createProfileCreation(deps, { present });
  const { update, archive } = createProfileEditing(deps, { present });
  const erasure = createProfileErasure(deps);

  return { get, create, update, list, history, archive, ...erasure, problemsOfNew };
}

export type ProfilesService = ReturnType<typeof createProfilesService>;
