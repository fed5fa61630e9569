import type { DbOrTx } from '../../../platform/db/database.js';
import type { ChangeSource } from './members.port.js';

/**
 * Listeners other contexts add to hear of member changes (the integration enqueues a two-way sync
 * for linked people). They run inside the change's transaction, so whatever they write (a job)
 * commits with the change or not at all. `source` tells who made the change: a listener ignores
 * changes it made itself (e.g. source 'sync').
 */
export type MemberChange = {
  tenantId: string;
  memberIds: string[];
  change: 'created' | 'updated' | 'archived' | 'restored' | 'removed';
  source: ChangeSource;
};
export type MemberChangeListener = (tx: DbOrTx, change: MemberChange) => Promise<void>;

const listeners = new Map<string, MemberChangeListener>();

/** Adds (or replaces, by name) a listener. */
export function onMemberChanged(name: string, listener: MemberChangeListener): void {
  listeners.set(name, listener);
}

export async function memberChanged(tx: DbOrTx, change: MemberChange): Promise<void> {
  if (change.memberIds.length === 0) return;
  for (const listener of listeners.values()) await listener(tx, change);
}
