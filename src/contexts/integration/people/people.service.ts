import { systemActor } from '../../../platform/audit/audit.js';
import type { RecordReadinessOf } from '../safety/record-check.js';
import { createImport, type ImportDeps } from './import.js';
import { createPush } from './push.js';
import { createExclusions } from './exclusions.js';
import { createMemberReadiness } from './readiness.js';

export { IMPORT_NEW_MEMBERS_JOB } from './people.hooks.js';

/**
 * People across sign-in and the record, one file per use case: `import.ts` (sign-in → record,
 * with duplicate detection), `push.ts` (record → sign-in), `exclusions.ts` (decouple, delete a
 * linked profile, the exclusion list), `readiness.ts` (the record's answer for a member); the
 * pure person mapping and duplicate index in `person.ts`, writes in `people.repo.ts`.
 */
export function createPeopleService(deps: ImportDeps & { recordReadiness: RecordReadinessOf }) {
  const imports = createImport(deps);
  const push = createPush(deps);
  const { decouple, deleteLinkedProfile, exclusions, undoExclusion } = createExclusions(deps);
  const { readiness } = createMemberReadiness(deps);
  return {
    startImport: imports.startImport,
    importNewMembers: imports.importNewMembers,
    startPush: push.startPush,
    decouple,
    deleteLinkedProfile,
    exclusions,
    undoExclusion,
    readiness,
    systemActor,
    runHandlers: { ...imports.runHandlers, ...push.runHandlers },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
