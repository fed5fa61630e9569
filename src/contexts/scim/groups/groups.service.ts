import { and, asc, count as countFn, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';
import { recordAudit } from '../../../platform/audit/audit.js';
import { canonicalDoc, type Doc, type Element } from '../resource/canonical.js';
import { applyPatch, parsePatchBody } from '../resource/patch.js';
import { compileFilter, type FilterWhitelist } from '../resource/filter.js';
import { invalidValue, scimNotFound, uniqueness } from '../scim.errors.js';
import { groupResource, URN } from '../scim.schema.js';
import { scimGroupMembers, scimGroups, scimUsers } from '../scim.tables.js';
import type { GroupView } from './groups.presenters.js';
import { scimUsersRepo, UUID_RE } from '../users/users.repo.js';
import { isUniqueViolation } from '../../../platform/db/sqlstate.js';
import type { ListPage, ScimCaller } from '../users/users.service.js';
import { afterPosition, positionOf, encodeCursor, orderOf, pagingOf, type ListQuery, type SortWhitelist } from '../resource/listing.js';
import { assertIfMatch } from '../resource/etag.js';
import { nameKey } from '../../../platform/db/name-order.js';

/**
 * Groups of the identity provider inside one SCIM group: a tag on the group's SCIM users (see
 * docs/decisions/001-scim-idp-groups.md). Members must be live users of the same SCIM group;
 * ids that are not are ignored.
 */
const gm = scimGroupMembers;

export const groupFilterWhitelist: FilterWhitelist = {
  urns: [URN.group.toLowerCase()],
  attrs: {
    id: { kind: 'text', expr: sql`${scimGroups.id}::text`, caseExact: false },
    displayname: { kind: 'text', expr: scimGroups.displayName, caseExact: false },
    externalid: { kind: 'text', expr: scimGroups.externalId, caseExact: true },
    'meta.created': { kind: 'dateTime', expr: scimGroups.createdAt },
    'meta.lastmodified': { kind: 'dateTime', expr: scimGroups.updatedAt },
    members: {
      kind: 'multi',
      defaultSub: 'value',
      sub: { value: { kind: 'text', expr: sql.raw('scim_gm.member_id::text'), caseExact: false } },
      exists: (cond) => sql`EXISTS (SELECT 1 FROM scim_group_members AS scim_gm WHERE scim_gm.scim_group_id = ${scimGroups.id} AND ${cond})`,
    },
  },
};

/** The sortable attributes of /Groups (RFC 7644 §3.4.2.3). */
export const groupSortWhitelist: SortWhitelist = {
  urns: [URN.group.toLowerCase()],
  attrs: {
    id: scimGroups.id,
    displayname: sql`lower(${scimGroups.displayName})`,
    externalid: scimGroups.externalId,
    'meta.created': scimGroups.createdAt,
    'meta.lastmodified': scimGroups.updatedAt,
  },
};

type GroupRow = typeof scimGroups.$inferSelect;

function validated(doc: Doc) {
  const displayName = typeof doc.displayName === 'string' ? doc.displayName.trim() : '';
  if (!displayName) throw invalidValue('displayName is required');
  if (displayName.length > 256) throw invalidValue('displayName is longer than 256 characters');
  const memberIds = ((doc.members as Element[] | undefined) ?? []).map((m) => String(m.value ?? '').toLowerCase()).filter(Boolean);
  return { displayName, externalId: typeof doc.externalId === 'string' ? doc.externalId : null, memberIds };
}

export function createScimGroupsService(deps: Pick<Platform, 'db' | 'now'>) {
  const { db, now } = deps;
  const live = (c: ScimCaller) => and(eq(scimGroups.tenantId, c.tenantId), eq(scimGroups.groupId, c.groupId));

  async function find(tx: DbOrTx, c: ScimCaller, id: string, forUpdate = false): Promise<GroupRow> {
    if (!UUID_RE.test(id)) throw scimNotFound('Group', id);
    const q = tx.select().from(scimGroups).where(and(live(c), eq(scimGroups.id, id)));
    const [row] = forUpdate ? await q.for('update') : await q;
    if (!row) throw scimNotFound('Group', id);
    return row;
  }

  async function membersOf(tx: DbOrTx, groupIds: string[]): Promise<Map<string, Array<{ id: string; display: string }>>> {
    const out = new Map<string, Array<{ id: string; display: string }>>(groupIds.map((g) => [g, []]));
    if (groupIds.length === 0) return out;
    const rows = await tx
      .select({ groupId: gm.scimGroupId, id: gm.memberId, displayName: scimUsers.displayName, userName: scimUsers.userName })
      .from(gm)
      .innerJoin(scimUsers, eq(scimUsers.memberId, gm.memberId))
      .where(inArray(gm.scimGroupId, groupIds))
      .orderBy(asc(scimUsers.createdAt), asc(gm.memberId));
    for (const r of rows) out.get(r.groupId)?.push({ id: r.id, display: r.displayName ?? r.userName });
    return out;
  }

  async function view(tx: DbOrTx, row: GroupRow, withMembers: boolean): Promise<GroupView> {
    const members = withMembers ? (await membersOf(tx, [row.id])).get(row.id) : undefined;
    return { ...row, members };
  }

  /** Sets the group's members to the live users of the SCIM group among `ids`. */
  async function setMembers(tx: Tx, c: ScimCaller, groupId: string, ids: string[]) {
    const wanted = new Set((await scimUsersRepo.existing(tx, c.tenantId, c.groupId, ids)).map((u) => u.memberId));
    const current = new Set((await tx.select({ id: gm.memberId }).from(gm).where(eq(gm.scimGroupId, groupId))).map((r) => r.id));
    const add = [...wanted].filter((id) => !current.has(id));
    const drop = [...current].filter((id) => !wanted.has(id));
    if (add.length > 0) await tx.insert(gm).values(add.map((memberId) => ({ tenantId: c.tenantId, scimGroupId: groupId, memberId }))).onConflictDoNothing();
    if (drop.length > 0) await tx.delete(gm).where(and(eq(gm.scimGroupId, groupId), inArray(gm.memberId, drop)));
    return add.length + drop.length > 0;
  }

  async function assertNameFree(tx: DbOrTx, c: ScimCaller, displayName: string, exceptId?: string) {
    const conds: SQL[] = [live(c)!, sql`lower(${scimGroups.displayName}) = lower(${displayName})`];
    if (exceptId) conds.push(sql`${scimGroups.id} <> ${exceptId}`);
    const [hit] = await tx.select({ id: scimGroups.id }).from(scimGroups).where(and(...conds)).limit(1);
    if (hit) throw uniqueness(`A group named ${displayName} already exists`);
  }

  const guardUnique = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (isUniqueViolation(err)) throw uniqueness('A group with that displayName already exists');
      throw err;
    }
  };

  async function save(tx: Tx, c: ScimCaller, before: GroupRow, doc: Doc, action: string) {
    const next = validated(doc);
    if (next.displayName.toLowerCase() !== before.displayName.toLowerCase()) await assertNameFree(tx, c, next.displayName, before.id);
    const membersChanged = await setMembers(tx, c, before.id, next.memberIds);
    const fieldsChanged = next.displayName !== before.displayName || next.externalId !== before.externalId;
    if (!fieldsChanged && !membersChanged) return before;
    const [row] = await tx
      .update(scimGroups)
      .set({ displayName: next.displayName, externalId: next.externalId, version: sql`${scimGroups.version} + 1`, updatedAt: now() })
      .where(eq(scimGroups.id, before.id))
      .returning();
    await recordAudit(tx, c.tenantId, c.actor, { action, targetType: 'scim_group', targetId: before.id, summary: `IdP group ${next.displayName} updated`, data: { groupId: c.groupId } });
    return row!;
  }

  return {
    async get(c: ScimCaller, id: string, withMembers: boolean) {
      return view(db, await find(db, c, id), withMembers);
    },

    async list(c: ScimCaller, q: ListQuery, withMembers: boolean): Promise<{ total: number; page: ListPage; groups: GroupView[] }> {
      const p = pagingOf(q);
      const filter = q.filter !== undefined && q.filter.trim() !== '' ? compileFilter(q.filter, groupFilterWhitelist) : undefined;
      const where = filter ? and(live(c), filter) : live(c);
      const [{ total } = { total: 0 }] = await db.select({ total: countFn() }).from(scimGroups).where(where);
      let rows: GroupRow[];
      let page: ListPage;
      if (p.mode === 'cursor') {
        const found =
          p.count > 0
            ? await db
                .select({ ...getTableColumns(scimGroups), position: positionOf(scimGroups.createdAt) })
                .from(scimGroups)
                .where(p.after ? and(where, afterPosition(scimGroups.createdAt, scimGroups.id, p.after)) : where)
                .orderBy(asc(scimGroups.createdAt), asc(scimGroups.id))
                .limit(p.count + 1)
            : [];
        const last = found[p.count - 1];
        page = { nextCursor: found.length > p.count && last ? encodeCursor({ at: last.position, id: last.id }) : undefined };
        rows = found.slice(0, p.count).map(({ position: _p, ...row }) => row);
      } else {
        const orderBy = orderOf(q, groupSortWhitelist, scimGroups.createdAt, scimGroups.id);
        rows =
          p.count > 0 && p.startIndex - 1 < Number(total)
            ? await db.select().from(scimGroups).where(where).orderBy(...orderBy).limit(p.count).offset(p.startIndex - 1)
            : [];
        page = { startIndex: p.startIndex };
      }
      const members = withMembers ? await membersOf(db, rows.map((r) => r.id)) : undefined;
      return { total: Number(total), page, groups: rows.map((r): GroupView => ({ ...r, members: members?.get(r.id) })) };
    },

    async create(c: ScimCaller, body: unknown) {
      const next = validated(canonicalDoc(groupResource, body));
      return guardUnique(() =>
        inTransaction(db, async (tx) => {
          await assertNameFree(tx, c, next.displayName);
          const at = now();
          const [row] = await tx
            .insert(scimGroups)
            .values({ tenantId: c.tenantId, groupId: c.groupId, displayName: next.displayName, externalId: next.externalId, createdAt: at, updatedAt: at })
            .returning();
          await setMembers(tx, c, row!.id, next.memberIds);
          await recordAudit(tx, c.tenantId, c.actor, { action: 'scim.group_created', targetType: 'scim_group', targetId: row!.id, summary: `IdP group ${next.displayName} created`, data: { groupId: c.groupId } });
          return view(tx, row!, true);
        }),
      );
    },

    async replace(c: ScimCaller, id: string, body: unknown, ifMatch?: string) {
      const doc = canonicalDoc(groupResource, body);
      return guardUnique(() =>
        inTransaction(db, async (tx) => {
          const before = await find(tx, c, id, true);
          assertIfMatch(ifMatch, before.version);
          return view(tx, await save(tx, c, before, doc, 'scim.group_replaced'), true);
        }),
      );
    },

    async patch(c: ScimCaller, id: string, body: unknown, withMembers: boolean, ifMatch?: string) {
      const ops = parsePatchBody(body);
      return guardUnique(() =>
        inTransaction(db, async (tx) => {
          const before = await find(tx, c, id, true);
          assertIfMatch(ifMatch, before.version);
          const current = (await membersOf(tx, [before.id])).get(before.id) ?? [];
          const doc = canonicalDoc(groupResource, {
            displayName: before.displayName,
            externalId: before.externalId,
            members: current.map((m) => ({ value: m.id })),
          });
          return view(tx, await save(tx, c, before, applyPatch(groupResource, doc, ops), 'scim.group_updated'), withMembers);
        }),
      );
    },

    async remove(c: ScimCaller, id: string, ifMatch?: string) {
      await inTransaction(db, async (tx) => {
        const before = await find(tx, c, id, true);
        assertIfMatch(ifMatch, before.version);
        await tx.delete(scimGroups).where(eq(scimGroups.id, before.id));
        await recordAudit(tx, c.tenantId, c.actor, { action: 'scim.group_deleted', targetType: 'scim_group', targetId: before.id, summary: `IdP group ${before.displayName} deleted`, data: { groupId: c.groupId } });
      });
    },

    /** The IdP groups a member belongs to (for the member's page), in name order (case and accents aside, as every list of names: `nameKey`). */
    async groupsOfMember(tx: DbOrTx, tenantId: string, memberId: string) {
      return tx
        .select({ id: scimGroups.id, displayName: scimGroups.displayName })
        .from(gm)
        .innerJoin(scimGroups, eq(scimGroups.id, gm.scimGroupId))
        .where(and(eq(gm.tenantId, tenantId), eq(gm.memberId, memberId)))
        .orderBy(nameKey(scimGroups.displayName), asc(scimGroups.id));
    },
  };
}

export type ScimGroupsService = ReturnType<typeof createScimGroupsService>;
