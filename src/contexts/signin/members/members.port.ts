import type { DbOrTx } from '../../../platform/db/database.js';
import type { Actor } from '../../../platform/audit/audit.js';
import type { members } from '../signin.tables.js';

/**
 * What other contexts (SCIM, the integration) may do to members, implemented by the sign-in
 * context's members service and exported from signin/index.ts. `source` says who makes the change:
 * only `scim` may change members of a SCIM group; `sync` marks changes made by two-way sync so
 * they are not echoed back.
 */
export type MemberRow = typeof members.$inferSelect;

export type MemberInput = {
  fullName: string;
  role?: string;
  email?: string | null;
  phone?: string | null;
  startDate?: string | null; // YYYY-MM-DD
  endDate?: string | null;
  customFields?: Record<string, unknown>;
};

/** A member with what other contexts read of its group. */
export type MemberWithGroup = MemberRow & { groupName: string; isStaffGroup: boolean };

export type ChangeSource = 'portal' | 'api' | 'import' | 'scim' | 'sync' | 'wonde';

export interface MembersPort {
  create(tx: DbOrTx, tenantId: string, groupId: string, input: MemberInput, actor: Actor, source: ChangeSource): Promise<MemberRow>;
  update(tx: DbOrTx, tenantId: string, memberId: string, patch: Partial<MemberInput>, actor: Actor, source: ChangeSource): Promise<MemberRow>;
  /** Cannot sign in any more; history kept; an open visit stays open. */
  archive(tx: DbOrTx, tenantId: string, memberId: string, actor: Actor, source: ChangeSource): Promise<MemberRow>;
  restore(tx: DbOrTx, tenantId: string, memberId: string, actor: Actor, source: ChangeSource): Promise<MemberRow>;
  /** Removed from the group (deletedAt set); visits kept for the retention period. */
  remove(tx: DbOrTx, tenantId: string, memberId: string, actor: Actor, source: ChangeSource): Promise<void>;
  /**
   * Many new members of one group at once (one INSERT, one audit insert, one event), in the order
   * given. All or none: an input `create` would refuse is refused the same way before anything is
   * written.
   */
  createMany(tx: DbOrTx, tenantId: string, groupId: string, inputs: readonly MemberInput[], actor: Actor, source: ChangeSource): Promise<MemberRow[]>;
  /**
   * Many members' changes at once (one locked read, one `UPDATE … FROM unnest(…)`, one audit
   * insert, one event), each member's own patch; returns the members after the change, in the
   * order given. All or none: a change `update` would refuse is refused the same way before
   * anything is written.
   */
  updateMany(tx: DbOrTx, tenantId: string, changes: ReadonlyArray<{ memberId: string; patch: Partial<MemberInput> }>, actor: Actor, source: ChangeSource): Promise<MemberRow[]>;
  get(tx: DbOrTx, tenantId: string, memberId: string): Promise<MemberRow | undefined>;
  /** Members by id in bulk, removed ones too; unknown ids are absent. */
  findMany(tx: DbOrTx, tenantId: string, memberIds: readonly string[]): Promise<MemberRow[]>;
  /** Like `get`, but a removed member (deletedAt set) too. */
  find(tx: DbOrTx, tenantId: string, memberId: string): Promise<MemberRow | undefined>;
  /** Live (not removed) members of the groups (only `memberIds` of them, when given), oldest first, with their group. */
  listWithGroups(tx: DbOrTx, tenantId: string, groupIds: readonly string[], memberIds?: readonly string[]): Promise<MemberWithGroup[]>;
  /** The current version of each of these members (removed ones too), by id; unknown ids are absent. */
  versions(tx: DbOrTx, tenantId: string, memberIds: readonly string[]): Promise<Map<string, number>>;
  /** Custom field keys in use by the tenant's members, sorted. */
  customFieldKeys(tx: DbOrTx, tenantId: string): Promise<string[]>;
}
