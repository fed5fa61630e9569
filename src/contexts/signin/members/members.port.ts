import type { SQL } from 'drizzle-orm';
import type { PgPreparedQuery, PreparedQueryConfig } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../../../platform/db/database.js';
import type { Actor } from '../../../platform/audit/audit.js';
import type { members } from '../signin.tables.js';
import type { MemberWriteParts } from './members.repo.js';

/** A member's row, without the stored document and the name's sort key, which only the members page reads (`memberColumns`). */
export type MemberRow = Omit<typeof members.$inferSelect, 'doc' | 'fullNameKey'>;

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

/**
 * What other contexts (SCIM, the integration) may do to members, implemented by the sign-in
 * context's members service and exported from signin/index.ts. `source` says who makes the change:
 * only `scim` may change members of a SCIM group; `sync` marks changes made by two-way sync so
 * they are not echoed back.
 */
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
  /** A member write and the caller's own write from it, as one prepared statement (decision 033). */
  composed: ComposedMemberWrites;
}

/** What a composed statement's rows carry of the member written (at least). */
export type MemberWritten = Pick<MemberRow, 'id' | 'groupId'>;

/** A statement drizzle can prepare, whose rows are `R`. */
export type Preparable<R> = { prepare(name: string): PgPreparedQuery<PreparedQueryConfig & { execute: R[] }> };

/**
 * Statements another context builds once around a member write of sign-in's (decision 033): the
 * member and its audit row are CTEs built here (`MemberWriteParts`), the caller adds its own CTEs
 * (which may read `m`, the member written) and the final select, whose rows carry `m` (the member's
 * id and group at least, or null when nothing was written). The caller's placeholders must not reuse the member
 * write's names but `tenantId`, `groupId` and `at`, which mean the same. Each run writes as one
 * statement, without a transaction, when no member-change listener hears a change of its kind in
 * the group (`MemberChangeListener.hears`); otherwise in a transaction (the caller's, or one of its
 * own) with the listeners told, as the single writes do.
 */
export type ComposedMemberWrites = {
  /** The statement of a create (the member in `groupId`, as `create` writes it) and the caller's write from `m`. */
  createWith<R extends { m: MemberWritten | null }>(name: string, build: (parts: MemberWriteParts['created'], db: Db) => Preparable<R>): ComposedCreate<R>;
  /**
   * The statement of many creates in one group at once (`m`: the new members, one per item, in no
   * order; `a`: their audit rows, each naming its item's request) and the caller's writes from `m`.
   * Its rows: what the caller selects, a row per member written (none when the group refuses).
   */
  createManyWith<R extends { m: MemberWritten | null }>(name: string, build: (parts: MemberWriteParts['createdMany'], db: Db) => Preparable<R>): ComposedCreateMany<R>;
  /**
   * The statement of an archive or restore of the member whose id `build` gives (SQL over its own
   * CTEs; no row or null: no member written) if it is live in group `groupId` and `source` may
   * write it, and the caller's writes.
   */
  changeWith<R extends { m: MemberWritten | null }>(action: 'archive' | 'restore', name: string, build: (member: (memberId: SQL) => ReturnType<MemberWriteParts['changed']>, db: Db) => Preparable<R>): ComposedChange<R>;
};
/** Runs a composed create; refuses (and writes nothing) as `create` does. `values`: the caller's placeholders (the member's are added to it); `at`: its time (absent: now). */
export type ComposedCreate<R> = (db: DbOrTx, tenantId: string, groupId: string, input: MemberInput, actor: Actor, source: ChangeSource, values: Record<string, unknown>, at?: Date) => Promise<R>;
/**
 * Runs a composed create of many members of one group, each with the id the caller chose (a new
 * random UUID), its own request id for its audit row (absent: the actor's; null: none) and its own
 * time (absent: now): all or none, as one
 * statement (or in a transaction, as `ComposedCreate`). An input `create` would refuse throws before
 * anything is written; a group that refuses gives no rows.
 */
export type ComposedCreateMany<R> = (db: DbOrTx, tenantId: string, groupId: string, items: ReadonlyArray<{ id: string; input: MemberInput; requestId?: string | null; at?: Date }>, actor: Actor, source: ChangeSource, values: Record<string, unknown>) => Promise<R[]>;
/** Runs a composed change: its first row, or undefined when it returns none. `m` null: the member was not written. `values` as for a create. */
export type ComposedChange<R> = (db: DbOrTx, tenantId: string, groupId: string, actor: Actor, source: ChangeSource, values: Record<string, unknown>) => Promise<R | undefined>;
