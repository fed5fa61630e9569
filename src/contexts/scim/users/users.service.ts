import type { Platform } from '../../../platform/platform.js';
import type { Actor } from '../../../platform/audit/audit.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';
import type { MemberInput, MembersPort } from '../../signin/index.js';
import { canonicalDoc, isObject, type Doc } from '../resource/canonical.js';
import { applyPatch, parsePatchBody } from '../resource/patch.js';
import { compileFilter } from '../resource/filter.js';
import { invalidValue, scimNotFound, uniqueness } from '../scim.errors.js';
import { userResource } from '../scim.schema.js';
import { scimGroupMembers } from '../scim.tables.js';
import { and, eq } from 'drizzle-orm';
import { columnsFromDoc, docFromRow, isUniqueViolation, scimUsersRepo, type ScimUserColumns, type ScimUserRow } from './users.repo.js';
import { userFilterWhitelist } from './users.filter.js';

/** Who calls: the tenant and SCIM group come from the token, never from the URL alone. */
export type ScimCaller = { tenantId: string; groupId: string; actor: Actor };

export type ListQuery = { filter?: string; startIndex?: string; count?: string };

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** `startIndex` (1-based, < 1 means 1) and `count` (< 0 means 0, capped) per RFC 7644 §3.4.2.4. */
export function paging(q: ListQuery): { startIndex: number; count: number } {
  const int = (raw: string | undefined, name: string, fallback: number) => {
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d{1,15}$/.test(raw.trim())) throw invalidValue(`${name} must be an integer`);
    return Number(raw.trim());
  };
  const startIndex = Math.max(1, int(q.startIndex, 'startIndex', 1));
  const count = Math.min(MAX_PAGE, Math.max(0, int(q.count, 'count', DEFAULT_PAGE)));
  return { startIndex, count };
}

/** What the member row shows of a SCIM user. */
export function memberInputFrom(cols: ScimUserColumns & { userName: string }): MemberInput {
  const pick = (list: ScimUserColumns['emails']) => {
    const l = list ?? [];
    return (l.find((e) => e.primary === true) ?? l.find((e) => e.type === 'work') ?? l[0])?.value ?? null;
  };
  const built = [cols.givenName, cols.familyName].filter(Boolean).join(' ');
  return {
    fullName: (cols.displayName || cols.formattedName || built || cols.userName).slice(0, 200),
    role: cols.title ?? '',
    email: pick(cols.emails),
    phone: pick(cols.phoneNumbers),
  };
}

function validated(doc: Doc): ScimUserColumns & { userName: string } {
  const cols = columnsFromDoc(doc);
  if (!cols.userName.trim()) throw invalidValue('userName is required');
  if (cols.userName.length > 512) throw invalidValue('userName is longer than 512 characters');
  return cols;
}

export function createScimUsersService(deps: Pick<Platform, 'db' | 'now'> & { members: MembersPort }) {
  const { db, now, members } = deps;

  async function mustFind(tx: DbOrTx, c: ScimCaller, id: string, forUpdate = false) {
    const row = await scimUsersRepo.find(tx, c.tenantId, c.groupId, id, forUpdate);
    if (!row) throw scimNotFound('User', id);
    return row;
  }

  /** Writes the new state of a user and keeps its member row in step, in the caller's transaction. */
  async function write(tx: Tx, c: ScimCaller, before: ScimUserRow, cols: ScimUserColumns & { userName: string }) {
    if (cols.userName.toLowerCase() !== before.userName.toLowerCase() && (await scimUsersRepo.userNameTaken(tx, c.tenantId, c.groupId, cols.userName, before.memberId))) {
      throw uniqueness(`userName ${cols.userName} is already in use in this group`);
    }
    const unchanged = JSON.stringify(columnsFromDoc(docFromRow(before))) === JSON.stringify(cols);
    if (unchanged) return before;
    const row = await scimUsersRepo.update(tx, c.tenantId, c.groupId, before.memberId, cols, now());
    const input = memberInputFrom(cols);
    const beforeInput = memberInputFrom(columnsFromDoc(docFromRow(before)));
    if (JSON.stringify(input) !== JSON.stringify(beforeInput)) await members.update(tx, c.tenantId, before.memberId, input, c.actor, 'scim');
    if (before.active && !cols.active) await members.archive(tx, c.tenantId, before.memberId, c.actor, 'scim');
    if (!before.active && cols.active) await members.restore(tx, c.tenantId, before.memberId, c.actor, 'scim');
    return row;
  }

  const guardUnique = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (isUniqueViolation(err)) throw uniqueness('userName is already in use in this group');
      throw err;
    }
  };

  return {
    async get(c: ScimCaller, id: string) {
      return mustFind(db, c, id);
    },

    async list(c: ScimCaller, q: ListQuery) {
      const { startIndex, count } = paging(q);
      const filter = q.filter !== undefined && q.filter.trim() !== '' ? compileFilter(q.filter, userFilterWhitelist) : undefined;
      const { total, rows } = await scimUsersRepo.list(db, c.tenantId, c.groupId, filter, startIndex - 1, count);
      return { total, rows, startIndex };
    },

    async create(c: ScimCaller, body: unknown) {
      const cols = validated(canonicalDoc(userResource, body));
      return guardUnique(() =>
        // A taken userName fails on the unique index (lower(user_name) per group): 409 uniqueness.
        inTransaction(db, async (tx) => {
          const member = await members.create(tx, c.tenantId, c.groupId, memberInputFrom(cols), c.actor, 'scim');
          const at = now();
          const row = await scimUsersRepo.insert(tx, { ...cols, memberId: member.id, tenantId: c.tenantId, groupId: c.groupId, createdAt: at, updatedAt: at });
          if (!cols.active) await members.archive(tx, c.tenantId, member.id, c.actor, 'scim');
          return row;
        }),
      );
    },

    /** PUT: full replace; read-only attributes ignored; `active` kept when not sent. */
    async replace(c: ScimCaller, id: string, body: unknown) {
      const doc = canonicalDoc(userResource, body);
      return guardUnique(() =>
        inTransaction(db, async (tx) => {
          const before = await mustFind(tx, c, id, true);
          if (!isObject(body) || !Object.keys(body).some((k) => k.toLowerCase() === 'active')) doc.active = before.active;
          return write(tx, c, before, validated(doc));
        }),
      );
    },

    /** PATCH: every operation or none (one transaction). */
    async patch(c: ScimCaller, id: string, body: unknown) {
      const ops = parsePatchBody(body);
      return guardUnique(() =>
        inTransaction(db, async (tx) => {
          const before = await mustFind(tx, c, id, true);
          const doc = applyPatch(userResource, docFromRow(before), ops);
          return write(tx, c, before, validated(doc));
        }),
      );
    },

    /** DELETE: out of the group (the member's history is kept); a later GET is 404. */
    async remove(c: ScimCaller, id: string) {
      await inTransaction(db, async (tx) => {
        const before = await mustFind(tx, c, id, true);
        await scimUsersRepo.update(tx, c.tenantId, c.groupId, before.memberId, { deletedAt: now() }, now());
        await tx.delete(scimGroupMembers).where(and(eq(scimGroupMembers.tenantId, c.tenantId), eq(scimGroupMembers.memberId, before.memberId)));
        await members.remove(tx, c.tenantId, before.memberId, c.actor, 'scim');
      });
    },
  };
}

export type ScimUsersService = ReturnType<typeof createScimUsersService>;
