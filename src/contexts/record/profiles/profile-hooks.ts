import type { DbOrTx } from '../../../platform/db/database.js';

/**
 * Hooks other contexts give the record for profile writes made through it (portal, API, import,
 * the leavers job), passed in by the composition root (src/contexts/compose.ts):
 *  - guards run before an update is written and refuse it by throwing an AppError (the
 *    integration refuses an edit of a field the identity provider owns);
 *  - listeners run after a write, inside its transaction (the integration enqueues a two-way
 *    sync), so what they write commits with the change or not at all.
 * A hook that is not passed in does not exist.
 */
export type ProfileUpdateAttempt = { tenantId: string; profileId: string; fields: string[] };
export type ProfileUpdateGuard = (tx: DbOrTx, attempt: ProfileUpdateAttempt) => Promise<void>;

/** `erased`: called just before the profile is deleted (on request or at the end of retention). */
export type ProfileChange = { tenantId: string; profileIds: string[]; change: 'created' | 'updated' | 'archived' | 'erased'; fields: string[] };
export type ProfileChangeListener = (tx: DbOrTx, change: ProfileChange) => Promise<void>;

/** What the composition root hands the record. */
export type ProfileHookList = { guards?: readonly ProfileUpdateGuard[]; listeners?: readonly ProfileChangeListener[] };

/** The record's side of the hooks: the guards and listeners it was given, run in order. */
export type ProfileHooks = {
  checkUpdate(tx: DbOrTx, attempt: ProfileUpdateAttempt): Promise<void>;
  changed(tx: DbOrTx, change: ProfileChange): Promise<void>;
};

export function createProfileHooks(given: ProfileHookList = {}): ProfileHooks {
  const guards = [...(given.guards ?? [])];
  const listeners = [...(given.listeners ?? [])];
  return {
    async checkUpdate(tx, attempt) {
      if (attempt.fields.length === 0) return;
      for (const guard of guards) await guard(tx, attempt);
    },
    async changed(tx, change) {
      if (change.profileIds.length === 0) return;
      for (const listener of listeners) await listener(tx, change);
    },
  };
}
