import type { Platform } from '../../../platform/platform.js';
import type { Actor } from '../../../platform/audit/audit.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';
import type { MemberInput, MembersPort } from '../../signin/index.js';
import { canonicalDoc, isObject, type Doc } from '../resource/canonical.js';
import { applyPatch, parsePatchBody, type PatchOp } from '../resource/patch.js';
import { compileParsed, parseFilter } from '../resource/filter.js';
import { encodeCursor, orderOf, paging, pagingOf, type ListQuery } from '../resource/listing.js';
import { assertIfMatch } from '../resource/etag.js';
import { invalidValue, scimNotFound, uniqueness } from '../scim.errors.js';
import { userResource } from '../scim.schema.js';
import { scimGroupMembers, scimUsers } from '../scim.tables.js';
import { and, eq } from 'drizzle-orm';
import { columnsFromDoc, composedScimUserWrites, docFromRow, preparedScimUserReads, preparedScimUserWrites, scimUsersRepo, touchGroupsOf, type PresentedPage, type PresentedUser, type ScimUserColumns, type ScimUserRow } from './users.repo.js';
import { isUniqueViolation } from '../../../platform/db/sqlstate.js';
import { createCoalescer, settle, type Settled } from '../../../platform/coalesce.js';
import { userFilterWhitelist, userNameEqOf } from './users.filter.js';

export { MAX_PAGE, DEFAULT_PAGE, paging, type ListQuery } from '../resource/listing.js';

/** One page of a list: index paging says where it starts, cursor paging where the next one does. */
export type ListPage = { startIndex: number } | { nextCursor: string | undefined };

/** Who calls: the tenant and SCIM group come from the token, never from the URL alone. */
export type ScimCaller = { tenantId: string; groupId: string; actor: Actor };

/** What the member row shows of a SCIM user. */
export function memberInputFrom(cols: ScimUserColumns & { userName: string }): MemberInput {
  /** The primary (else work, else first) value, or none when it is longer than the member may hold (the SCIM user keeps it). */
  const pick = (list: ScimUserColumns['emails'], max: number) => {
    const l = list ?? [];
    const value = (l.find((e) => e.primary === true) ?? l.find((e) => e.type === 'work') ?? l[0])?.value ?? null;
    return value !== null && value.length > max ? null : value;
  };
  const built = [cols.givenName, cols.familyName].map((s) => s?.trim()).filter(Boolean).join(' ');
  // The first name that is not blank (userName never is), within the 200 characters a member's name
  // and role may have, never cut between the halves of a surrogate pair.
  const clip = (s: string) => (s.length > 200 ? s.slice(0, /[\ud800-\udbff]/.test(s[199]!) ? 199 : 200) : s);
  const name = [cols.displayName, cols.formattedName, built].map((s) => s?.trim()).find(Boolean) ?? cols.userName;
  return {
    fullName: clip(name),
    role: clip(cols.title ?? ''),
    email: pick(cols.emails, 320),
    phone: pick(cols.phoneNumbers, 40),
  };
}

function validated(doc: Doc): ScimUserColumns & { userName: string } {
  const cols = columnsFromDoc(doc);
  if (!cols.userName.trim()) throw invalidValue('userName is required');
  if (cols.userName.length > 512) throw invalidValue('userName is longer than 512 characters');
  // externalId is a key of the b-tree index scim_users_group_external_idx, whose entries hold at
  // most ~2.7 kB: longer text was refused by the index (a 500). 512 UTF-16 units are at most 1.5 kB.
  if (cols.externalId && cols.externalId.length > 512) throw invalidValue('externalId is longer than 512 characters');
  return cols;
}

/** A boolean as the engine reads one (`toBool`: true, false, or Entra's "True" / "False"), else undefined. */
function booleanOf(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const l = typeof v === 'string' ? v.trim().toLowerCase() : '';
  return l === 'true' ? true : l === 'false' ? false : undefined;
}

/**
 * The `active` a PATCH sets when that is all it does (one add or replace of `active`, by path or
 * in a path-less value, to a boolean), else undefined: what the engine would make of it too.
 */
function activeOnly(ops: PatchOp[]): boolean | undefined {
  if (ops.length !== 1 || ops[0]!.op === 'remove') return undefined;
  const { path, value } = ops[0]!;
  if (path !== undefined) return path.trim().toLowerCase() === 'active' ? booleanOf(value) : undefined;
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0]!.toLowerCase() === 'active' ? booleanOf(value[keys[0]!]) : undefined;
}

export function createScimUsersService(deps: Pick<Platform, 'db' | 'database' | 'now'> & { members: MembersPort }) {
  const { db, now, members } = deps;
  const reads = preparedScimUserReads(deps.database);
  const writes = preparedScimUserWrites(db);
  const withMember = composedScimUserWrites(members.composed);

  /** The live user, locked until the transaction ends. */
  async function mustFind(tx: DbOrTx, c: ScimCaller, id: string) {
    const row = await writes.findForUpdate(tx, c.tenantId, c.groupId, id);
    if (!row) throw scimNotFound('User', id);
    return row;
  }

  /** Writes the new state of a user and keeps its member row in step, in the caller's transaction. */
  async function write(tx: Tx, c: ScimCaller, before: ScimUserRow, cols: ScimUserColumns & { userName: string }) {
    if (cols.userName.toLowerCase() !== before.userName.toLowerCase() && (await scimUsersRepo.userNameTaken(tx, c.tenantId, c.groupId, cols.userName, before.memberId))) {
      throw uniqueness(`userName ${cols.userName} is already in use in this group`);
    }
    const beforeCols: Record<string, unknown> = columnsFromDoc(docFromRow(before));
    const changed = Object.keys(cols).filter((k) => JSON.stringify(cols[k as keyof typeof cols]) !== JSON.stringify(beforeCols[k]));
    if (changed.length === 0) return before;
    const at = now();
    // A change of `active` alone (deprovisioning) sets that column only; anything else, every column.
    const row = await writes.update(tx, c.tenantId, c.groupId, before.memberId, cols, changed.length === 1 && changed[0] === 'active', at);
    // The member's display in its IdP groups changed, so those groups are at a new version.
    if ((cols.displayName ?? cols.userName) !== (before.displayName ?? before.userName)) await touchGroupsOf(tx, c.tenantId, before.memberId, at);
    const input = memberInputFrom(cols);
    const beforeInput = memberInputFrom(beforeCols as ScimUserColumns & { userName: string });
    if (JSON.stringify(input) !== JSON.stringify(beforeInput)) await members.update(tx, c.tenantId, before.memberId, input, c.actor, 'scim');
    if (before.active && !cols.active) await members.archive(tx, c.tenantId, before.memberId, c.actor, 'scim');
    if (!before.active && cols.active) await members.restore(tx, c.tenantId, before.memberId, c.actor, 'scim');
    return row;
  }

  /** `active` set on the user (locked read and write in one statement), then its member archived or restored through the port, in a transaction. */
  function setActiveInTransaction(c: ScimCaller, id: string, active: boolean): Promise<ScimUserRow> {
    return inTransaction(db, async (tx) => {
      const found = await writes.setActive(tx, c.tenantId, c.groupId, id, active, now());
      if (!found) throw scimNotFound('User', id);
      const memberId = found.before.memberId;
      if (found.before.active && !active) await members.archive(tx, c.tenantId, memberId, c.actor, 'scim');
      if (!found.before.active && active) await members.restore(tx, c.tenantId, memberId, c.actor, 'scim');
      return found.after;
    });
  }

  /** A user as PostgreSQL presents it (after a write of the general path: the rare cases of POST and PATCH). */
  async function presented(c: ScimCaller, id: string, base: string): Promise<PresentedUser> {
    const found = await reads.find(c.tenantId, c.groupId, id, base);
    if (!found) throw scimNotFound('User', id);
    return { id, ...found };
  }

  const guardUnique = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (isUniqueViolation(err)) throw uniqueness('userName is already in use in this group');
      throw err;
    }
  };

  /** A POST of an active user alone: the member, its audit row and the user in one statement, made at the time the POST came (`at`). */
  type NewUser = { c: ScimCaller; cols: ScimUserColumns & { userName: string }; base: string; at: Date };
  const createOne = (u: NewUser) => guardUnique(() => withMember.create(db, u.c.tenantId, u.c.groupId, memberInputFrom(u.cols), u.c.actor, u.cols, u.base, u.at));
  /**
   * POSTs of active users to one group that arrive together are written together (decision 048):
   * one statement for the batch, all or none. A userName twice in a batch: the second waits for
   * the first and is written alone after it (409 when it is taken). When the batch's statement
   * fails (a userName already taken, a group archived meanwhile, text the database refuses) it wrote
   * nothing, and each user is written alone, getting the answer it would have had alone.
   */
  const creates = createCoalescer<NewUser, PresentedUser>({
    maxBatch: 100,
    maxInFlight: 2,
    async run(_key, items) {
      if (items.length === 1) return [await settle(createOne(items[0]!))];
      const seen = new Set<string>();
      const first: number[] = [];
      const repeated: number[] = [];
      items.forEach((u, i) => {
        const name = u.cols.userName.toLowerCase();
        (seen.has(name) ? repeated : first).push(i);
        seen.add(name);
      });
      const { c, base } = items[0]!;
      // Each its own time (when it came) and request id, as alone.
      const batch = async () => withMember.createMany(db, c.tenantId, c.groupId, first.map((i) => ({ member: memberInputFrom(items[i]!.cols), cols: items[i]!.cols, requestId: items[i]!.c.actor.requestId ?? null, at: items[i]!.at })), c.actor, base);
      // A failure wrote nothing (one statement): each user alone, below, says why.
      const made = await batch().catch(() => [] as Array<PresentedUser | undefined>);
      const out: Array<Settled<PresentedUser>> = new Array(items.length);
      await Promise.all(first.map(async (i, j) => (out[i] = made[j] ? { ok: true, value: made[j] } : await settle(createOne(items[i]!)))));
      for (const i of repeated) out[i] = await settle(createOne(items[i]!));
      return out;
    },
  });
  /** The batch a request may share: same tenant, group, credential (the audit rows' actor) and base URL. */
  const batchKey = (c: ScimCaller, base: string) => `${c.tenantId}\n${c.groupId}\n${c.actor.kind}\n${c.actor.id ?? ''}\n${c.actor.label}\n${base}`;

  return {
    /** One user as PostgreSQL presents it (its stored `doc`): its JSON text and version; 404 when the group has no such live user. */
    async get(c: ScimCaller, id: string, base: string): Promise<{ version: number; json: string }> {
      const found = await reads.find(c.tenantId, c.groupId, id, base);
      if (!found) throw scimNotFound('User', id);
      return found;
    },

    /**
     * A page of users as PostgreSQL presents them, for the plain lists: no filter, or exactly
     * `userName eq "…"`, in the default order with index paging. Undefined for every other list
     * (`list` answers those).
     */
    async listPresented(c: ScimCaller, q: ListQuery, base: string): Promise<(PresentedPage & { startIndex: number }) | undefined> {
      if (q.cursor !== undefined || q.sortBy?.trim() || q.sortOrder?.trim()) return undefined;
      const { startIndex, count } = paging(q);
      const offset = startIndex - 1;
      if (q.filter === undefined || q.filter.trim() === '') return { ...(await reads.list(c.tenantId, c.groupId, offset, count, base)), startIndex };
      const userName = userNameEqOf(q.filter);
      if (userName === undefined) return undefined;
      return { ...(await reads.withUserName(c.tenantId, c.groupId, userName, offset, count, base)), startIndex };
    },

    async list(c: ScimCaller, q: ListQuery): Promise<{ total: number; rows: ScimUserRow[]; page: ListPage }> {
      const p = pagingOf(q);
      const tree = q.filter !== undefined && q.filter.trim() !== '' ? parseFilter(q.filter) : undefined;
      const filter = tree ? compileParsed(tree, userFilterWhitelist) : undefined;
      if (p.mode === 'cursor') {
        const { total, rows, next } = await scimUsersRepo.walk(db, c.tenantId, c.groupId, filter, p.after, p.count);
        return { total, rows, page: { nextCursor: next && encodeCursor(next) } };
      }
      const orderBy = q.sortBy?.trim() || q.sortOrder?.trim() ? orderOf(q, scimUsersRepo.sortable, scimUsers.createdAt, scimUsers.memberId) : undefined;
      const { total, rows } = await scimUsersRepo.list(db, c.tenantId, c.groupId, filter, p.startIndex - 1, p.count, orderBy);
      return { total, rows, page: { startIndex: p.startIndex } };
    },

    /** POST: the new user as PostgreSQL presents it (its stored `doc`, as a GET answers). */
    async create(c: ScimCaller, body: unknown, base: string): Promise<PresentedUser> {
      const cols = validated(canonicalDoc(userResource, body));
      // A taken userName fails on the unique index (lower(user_name) per group): 409 uniqueness.
      // An active user (what identity providers create): the member, its audit row and the user in one statement.
      if (cols.active) {
        return creates.submit(batchKey(c, base), { c, cols, base, at: now() });
      }
      const row = await guardUnique(() =>
        inTransaction(db, async (tx) => {
          const member = await members.create(tx, c.tenantId, c.groupId, memberInputFrom(cols), c.actor, 'scim');
          const at = now();
          const made = await writes.insert(tx, c.tenantId, c.groupId, member.id, cols, at);
          await members.archive(tx, c.tenantId, member.id, c.actor, 'scim');
          return made;
        }),
      );
      return presented(c, row.memberId, base);
    },

    /** PUT: full replace; read-only attributes ignored; `active` kept when not sent. */
    async replace(c: ScimCaller, id: string, body: unknown, ifMatch?: string) {
      const doc = canonicalDoc(userResource, body);
      return guardUnique(() =>
        inTransaction(db, async (tx) => {
          const before = await mustFind(tx, c, id);
          assertIfMatch(ifMatch, before.version);
          if (!isObject(body) || !Object.keys(body).some((k) => k.toLowerCase() === 'active')) doc.active = before.active;
          return write(tx, c, before, validated(doc));
        }),
      );
    },

    /**
     * PATCH of `active` alone without If-Match (deprovisioning, or back), the user after as
     * PostgreSQL presents it; undefined for any other PATCH (`patch` does those). The user read,
     * locked and written, and its member archived or restored, in one statement. When the member
     * refuses (nothing written), the same in a transaction, through the port's archive or restore,
     * answers why.
     */
    async patchActive(c: ScimCaller, id: string, body: unknown, ifMatch: string | undefined, base: string): Promise<PresentedUser | undefined> {
      const active = ifMatch === undefined ? activeOnly(parsePatchBody(body)) : undefined;
      if (active === undefined) return undefined;
      const done = await withMember.setActive(db, c.tenantId, c.groupId, id, active, c.actor, base);
      if (!done) throw scimNotFound('User', id);
      if (done.written || done.active === active) return done;
      await setActiveInTransaction(c, id, active);
      return presented(c, id, base);
    },

    /** PATCH: every operation or none (one transaction). */
    async patch(c: ScimCaller, id: string, body: unknown, ifMatch?: string) {
      const ops = parsePatchBody(body);
      const active = ifMatch === undefined ? activeOnly(ops) : undefined;
      if (active !== undefined) return setActiveInTransaction(c, id, active);
      return guardUnique(() =>
        inTransaction(db, async (tx) => {
          const before = await mustFind(tx, c, id);
          assertIfMatch(ifMatch, before.version);
          const doc = applyPatch(userResource, docFromRow(before), ops);
          return write(tx, c, before, validated(doc));
        }),
      );
    },

    /** DELETE: out of the group (the member's history is kept); a later GET is 404. */
    async remove(c: ScimCaller, id: string, ifMatch?: string) {
      await inTransaction(db, async (tx) => {
        const before = await mustFind(tx, c, id);
        assertIfMatch(ifMatch, before.version);
        await scimUsersRepo.update(tx, c.tenantId, c.groupId, before.memberId, { deletedAt: now() }, now());
        // Its IdP groups lose a member: each moves to a new version.
        await touchGroupsOf(tx, c.tenantId, before.memberId, now());
        await tx.delete(scimGroupMembers).where(and(eq(scimGroupMembers.tenantId, c.tenantId), eq(scimGroupMembers.memberId, before.memberId)));
        await members.remove(tx, c.tenantId, before.memberId, c.actor, 'scim');
      });
    },
  };
}

export type ScimUsersService = ReturnType<typeof createScimUsersService>;
