import type { DbOrTx } from '../../../platform/db/database.js';
import type { ChangeSource } from './members.port.js';

/**
 * Listeners other contexts give sign-in to hear of member changes (the integration enqueues a
 * two-way sync for linked people), passed in by the composition root (src/contexts/compose.ts).
 * They run inside the change's transaction, so whatever they write (a job) commits with the
 * change or not at all. `source` tells who made the change: a listener ignores changes it made
 * itself (e.g. source 'sync').
 */
export type MemberChange = {
  tenantId: string;
  memberIds: string[];
  /** The groups of those members (a listener that cares only for some groups reads nothing for the others). */
  groupIds: string[];
  change: 'created' | 'updated' | 'archived' | 'restored' | 'removed';
  source: ChangeSource;
};
export type MemberChangeListener = (tx: DbOrTx, change: MemberChange) => Promise<void>;

/** Sign-in's side: tells every listener it was given, in order. */
export type MemberEvents = { changed(tx: DbOrTx, change: MemberChange): Promise<void> };

export function createMemberEvents(listeners: readonly MemberChangeListener[] = []): MemberEvents {
  const given = [...listeners];
  return {
    async changed(tx, change) {
      if (change.memberIds.length === 0) return;
      for (const listener of given) await listener(tx, change);
    },
  };
}
