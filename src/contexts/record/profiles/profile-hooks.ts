import type { DbOrTx } from '../../../platform/db/database.js';

/**
 * Hooks other contexts add to profile writes made through the record (portal, API, import):
 *  - guards run before an update is written and refuse it by throwing an AppError (the
 *    integration refuses an edit of a field the identity provider owns);
 *  - listeners run after a write, inside its transaction (the integration enqueues a two-way
 *    sync), so what they write commits with the change or not at all.
 * Both are keyed by name: registering the same name again replaces the earlier one.
 */
export type ProfileUpdateAttempt = { tenantId: string; profileId: string; fields: string[] };
export type ProfileUpdateGuard = (tx: DbOrTx, attempt: ProfileUpdateAttempt) => Promise<void>;

/** `erased`: called just before the profile is deleted (on request or at the end of retention). */
export type ProfileChange = { tenantId: string; profileIds: string[]; change: 'created' | 'updated' | 'archived' | 'erased'; fields: string[] };
export type ProfileChangeListener = (tx: DbOrTx, change: ProfileChange) => Promise<void>;

const guards = new Map<string, ProfileUpdateGuard>();
const listeners = new Map<string, ProfileChangeListener>();

export function guardProfileUpdate(name: string, guard: ProfileUpdateGuard): void {
  guards.set(name, guard);
}
export function onProfileChanged(name: string, listener: ProfileChangeListener): void {
  listeners.set(name, listener);
}

export async function checkProfileUpdate(tx: DbOrTx, attempt: ProfileUpdateAttempt): Promise<void> {
  if (attempt.fields.length === 0) return;
  for (const guard of guards.values()) await guard(tx, attempt);
}
export async function profileChanged(tx: DbOrTx, change: ProfileChange): Promise<void> {
  if (change.profileIds.length === 0) return;
  for (const listener of listeners.values()) await listener(tx, change);
}
