import type { DbOrTx } from '../../../platform/db/database.js';
import type { ChangeSource } from './members.port.js';

/**
 * Listeners other contexts give sign-in to hear of member changes (the integration enqueues a
 * two-way sync for linked people), passed in by the composition root (src/contexts/compose.ts).
 * `changed` runs inside the change's transaction, so whatever it writes (a job) commits with the
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
/** A change about to be made: its kind and groups, its members not yet known. */
export type MemberChangeKind = Omit<MemberChange, 'memberIds'>;
export type MemberChangeListener = {
  /**
   * Whether a change of this kind in these groups may make `changed` act (write or read anything).
   * False promises that `changed` would do nothing for it, so a writer may make the change as one
   * statement without a transaction (decision 033). Answered from memory when it can.
   */
  hears(db: DbOrTx, change: MemberChangeKind): Promise<boolean>;
  changed(tx: DbOrTx, change: MemberChange): Promise<void>;
};

/** Sign-in's side: tells every listener it was given, in order. */
export type MemberEvents = {
  changed(tx: DbOrTx, change: MemberChange): Promise<void>;
  /** Whether any listener hears a change of this kind (see `MemberChangeListener.hears`). */
  heard(db: DbOrTx, change: MemberChangeKind): Promise<boolean>;
};

export function createMemberEvents(listeners: readonly MemberChangeListener[] = []): MemberEvents {
  const given = [...listeners];
  return {
    async changed(tx, change) {
      if (change.memberIds.length === 0) return;
      for (const listener of given) await listener.changed(tx, change);
    },
    async heard(db, change) {
      for (const listener of given) if (await listener.hears(db, change)) return true;
      return false;
    },
  };
}
