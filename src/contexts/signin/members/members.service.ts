import { randomBytes } from 'node:crypto';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { and, eq, sql } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';
import { insertRows } from '../../../platform/db/values.js';
import { inTransaction, isTransaction, joinTransaction } from '../../../platform/db/tx.js';
import { AppError, badRequest, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, recordAudits, type Actor, type AuditEntry } from '../../../platform/audit/audit.js';
import { members } from '../signin.tables.js';
import type { SiteScope } from '../access.js';
import { groupsRepo, type GroupLock, type GroupRow } from '../groups/groups.repo.js';
import { groupArchived } from '../groups/groups.service.js';
import type { ChangeSource, ComposedMemberWrites, MemberInput, MemberRow, MembersPort, MemberWritten } from './members.port.js';
import { memberColumns, membersRepo, preparedMemberPage, preparedMemberWrites, type MemberListQuery, type NewMember } from './members.repo.js';
import type { MemberChangeKind, MemberEvents } from './member-events.js';
import { preparedStatement, type PreparedStatement } from '../../../platform/db/prepared.js';
import { createMemberCounts, MEMBER_COUNTS, MEMBERS_ANNOUNCE_DELAY_MS, type MemberWriteKind } from './members.counts.js';

export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

export const newQrToken = () => `thr_qr_${randomBytes(18).toString('base64url')}`;

function sniffImage(data: Buffer): (typeof PHOTO_TYPES)[number] | undefined {
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length > 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length > 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

function normaliseInput(input: Partial<MemberInput>) {
  const out: Partial<typeof members.$inferInsert> = {};
  if (input.fullName !== undefined) out.fullName = input.fullName.trim();
  if (input.role !== undefined) out.role = input.role.trim();
  if (input.email !== undefined) out.email = input.email ? input.email.trim().toLowerCase() : null;
  if (input.phone !== undefined) out.phone = input.phone?.trim() || null;
  if (input.startDate !== undefined) out.startDate = input.startDate || null;
  if (input.endDate !== undefined) out.endDate = input.endDate || null;
  if (input.customFields !== undefined) out.customFields = input.customFields;
  return out;
}

/** `events`: tells the listeners other contexts gave sign-in of every member change. */
export function createMembersService(deps: Pick<Platform, 'db' | 'database' | 'now' | 'storage' | 'log'> & { events: MemberEvents }) {
  const { db, now } = deps;
  const memberPage = preparedMemberPage(deps.database);
  const writes = preparedMemberWrites(db);
  // Groups' totals as the members page last counted them (decision 034).
  const counts = createMemberCounts(MEMBER_COUNTS);
  const toAnnounce = new Set<string>();
  let announceTimer: NodeJS.Timeout | undefined;
  async function announceNow() {
    announceTimer = undefined;
    const payloads = [...toAnnounce];
    toAnnounce.clear();
    for (const payload of payloads) await writes.announce(payload).catch((err: unknown) => deps.log.warn({ err }, 'could not announce a members change'));
  }

  /**
   * Runs a write into groups' members, in `tx`'s transaction (or its own when `tx` is the
   * database); `changed(groupId)` for each group it writes into, before the transaction ends. Each
   * such group's kept pages (and totals, for a `roster` write: who is in the group) are dropped at
   * once and held off until the write's own transaction has ended (or, in a caller's, for
   * `pendingMs`: 2 s), and other instances are told MEMBERS_ANNOUNCE_DELAY_MS later.
   * `run`: how the transaction is joined (`inTransaction`: a savepoint in a caller's).
   * `kind`: `details` for a write that changes members but not who is in the group (an edit).
   */
  async function writeCounted<T>(tx: DbOrTx, tenantId: string, write: (t: Tx, changed: (groupId: string) => void) => Promise<T>, run: typeof joinTransaction = joinTransaction, kind: MemberWriteKind = 'roster'): Promise<T> {
    const own = !isTransaction(tx);
    const marked: Array<{ groupId: string; token: string }> = [];
    const changed = (groupId: string) => {
      const token = counts.token();
      counts.writing(tenantId, groupId, token, kind);
      marked.push({ groupId, token });
    };
    try {
      return await run(tx, (t) => write(t, changed));
    } finally {
      for (const { groupId, token } of marked) {
        if (own) counts.committed(tenantId, groupId, token, kind);
        toAnnounce.add(counts.payload(tenantId, groupId));
      }
      if (marked.length > 0 && !announceTimer) {
        announceTimer = setTimeout(() => void announceNow(), MEMBERS_ANNOUNCE_DELAY_MS);
        announceTimer.unref?.();
      }
    }
  }

  /**
   * The group a member may be added to or changed in by `source`. An archived group's roster is
   * closed (409 group_archived, as linking an archived group is): nobody adds to it, and only the
   * integration's sync still changes its members (its own rules: a linked member's details follow
   * the record). A check before a write holds the group's row (`groupFor`'s lock, in the write's
   * transaction), or is made again by the write's own statement, so an archive in between is seen.
   */
  function assertRosterWritable(group: GroupRow, source: ChangeSource) {
    if (group.archivedAt && source !== 'sync') throw groupArchived();
    if (group.type === 'standard') throw conflict('no_roster', 'Standard groups have no members: visitors give their details at each visit');
    if (group.type === 'scim' && source !== 'scim') throw conflict('scim_managed', 'Members of a SCIM group are managed by the identity provider');
  }

  /**
   * The tenant's group (404 otherwise). `lock` (in a transaction): `share` holds its row until the
   * transaction ends, for a write into the group: an archive waits for it, or went first and the
   * group is read archived (`groupsRepo.find`).
   */
  async function groupFor(tx: DbOrTx, tenantId: string, groupId: string, lock?: GroupLock) {
    const g = await groupsRepo.find(tx, tenantId, groupId, lock);
    if (!g) throw notFound('Group');
    return g;
  }

  async function memberWithGroup(tx: DbOrTx, tenantId: string, memberId: string, lock?: GroupLock) {
    const m = await membersRepo.find(tx, tenantId, memberId);
    if (!m || m.deletedAt) throw notFound('Member');
    return { member: m, group: await groupFor(tx, tenantId, m.groupId, lock) };
  }

  async function write(tx: DbOrTx, tenantId: string, memberId: string, set: PgUpdateSetSource<typeof members>, expectedVersion?: number) {
    const conds = [eq(members.tenantId, tenantId), eq(members.id, memberId)];
    if (expectedVersion !== undefined) conds.push(eq(members.version, expectedVersion));
    const [row] = await tx
      .update(members)
      .set({ ...set, version: sql`${members.version} + 1`, updatedAt: now() })
      .where(and(...conds))
      .returning(memberColumns);
    if (!row) throw conflict('version_conflict', 'Someone else changed this member; reload and try again');
    return row;
  }

  /**
   * Archive, restore or remove: one prepared statement checks the member and its group, writes it
   * and its audit row (the SCIM hot path, decision 029). No row: the member is gone or its group
   * refuses, and the slow path reads both to throw the error that says which.
   */
  async function changeOne(tx: DbOrTx, action: 'archive' | 'restore' | 'remove', tenantId: string, memberId: string, actor: Actor, source: ChangeSource, changed: (groupId: string) => void) {
    const row = await writes.change(tx, action, tenantId, memberId, actor, source, now());
    if (row) {
      changed(row.groupId);
      return row;
    }
    const { group } = await memberWithGroup(tx, tenantId, memberId);
    assertRosterWritable(group, source);
    throw notFound('Member');
  }

  const auditEntry = (action: string, m: MemberRow, source: ChangeSource, data: Record<string, unknown> = {}): AuditEntry => ({
    action,
    targetType: 'member',
    targetId: m.id,
    summary: `${action.replace('member.', 'Member ')}: ${m.fullName}`,
    data: { source, groupId: m.groupId, ...data },
  });
  const audit = (tx: DbOrTx, tenantId: string, actor: Actor, action: string, m: MemberRow, source: ChangeSource, data: Record<string, unknown> = {}) => recordAudit(tx, tenantId, actor, auditEntry(action, m, source, data));

  function assertDates(start: string | null | undefined, end: string | null | undefined) {
    if (start && end && start > end) throw badRequest('invalid_dates', 'The end date is before the start date', 'endDate');
  }

  async function update(tx: DbOrTx, tenantId: string, memberId: string, patch: Partial<MemberInput>, actor: Actor, source: ChangeSource, expectedVersion?: number) {
    return writeCounted(tx, tenantId, async (t, changed) => {
      const { member, group } = await memberWithGroup(t, tenantId, memberId, 'share');
      assertRosterWritable(group, source);
      assertDates(patch.startDate !== undefined ? patch.startDate : member.startDate, patch.endDate !== undefined ? patch.endDate : member.endDate);
      changed(member.groupId);
      const row = await write(t, tenantId, memberId, normaliseInput(patch), expectedVersion);
      await audit(t, tenantId, actor, 'member.updated', row, source, { fields: Object.keys(patch) });
      await deps.events.changed(t, { tenantId, memberIds: [row.id], groupIds: [row.groupId], change: 'updated', source });
      return row;
    }, joinTransaction, 'details');
  }

  /** A new member's columns from its input (after the date check). */
  function newMember(input: MemberInput): NewMember {
    assertDates(input.startDate, input.endDate);
    return { role: '', email: null, phone: null, startDate: null, endDate: null, customFields: {}, ...normaliseInput(input), fullName: input.fullName.trim(), qrToken: newQrToken() };
  }

  /**
   * Runs a composed statement (`ComposedMemberWrites`): alone, without a transaction, when `db` is
   * not one and no listener hears a change of this kind in the group; else in a transaction (the
   * caller's or its own), telling the listeners of the member written.
   */
  async function runComposed<R extends { m: MemberWritten | null }>(db: DbOrTx, statement: PreparedStatement<R[]>, values: Record<string, unknown>, kind: MemberChangeKind & { groupIds: [string] }): Promise<R | undefined> {
    return (await runComposedRows(db, statement, values, kind))[0];
  }

  /** `runComposed`, every row: the listeners are told of each member written. */
  async function runComposedRows<R extends { m: MemberWritten | null }>(db: DbOrTx, statement: PreparedStatement<R[]>, values: Record<string, unknown>, kind: MemberChangeKind & { groupIds: [string] }): Promise<R[]> {
    const alone = !isTransaction(db) && !(await deps.events.heard(db, kind));
    // The group's kept totals are dropped as for every member write (`writeCounted`); alone, the
    // statement is its own transaction.
    const run: typeof joinTransaction = alone ? (d, f) => f(d as Tx) : joinTransaction;
    return writeCounted(
      db,
      kind.tenantId,
      async (t, changed) => {
        changed(kind.groupIds[0]);
        const rows = await statement.execute(t, values);
        const written = rows.flatMap((r) => (r.m ? [r.m.id] : []));
        if (!alone && written.length > 0) await deps.events.changed(t, { ...kind, memberIds: written });
        return rows;
      },
      run,
    );
  }

  const composed: ComposedMemberWrites = {
    createWith(name, build) {
      const statement = preparedStatement(db, name, (d) => build(writes.parts.created, d));
      return async (tx, tenantId, groupId, input, actor, source, values, at) => {
        const row = await runComposed(tx, statement, writes.setValues(values, tenantId, groupId, actor, source, at ?? now(), newMember(input)), { tenantId, groupIds: [groupId], change: 'created', source });
        if (row?.m) return row;
        assertRosterWritable(await groupFor(tx, tenantId, groupId), source);
        throw notFound('Group');
      };
    },
    createManyWith(name, build) {
      const statement = preparedStatement(db, name, (d) => build(writes.parts.createdMany, d));
      return async (tx, tenantId, groupId, items, actor, source, values) => {
        if (items.length === 0) return [];
        const at = now();
        // An id that is not a UUID fails the statement (its `uuid[]` cast): nothing written.
        const rows = items.map((item) => ({ id: item.id, row: newMember(item.input), requestId: item.requestId !== undefined ? item.requestId : (actor.requestId ?? null), at: (item.at ?? at).toISOString() }));
        writes.manyValues(writes.setValues(values, tenantId, groupId, actor, source, at), rows);
        return runComposedRows(tx, statement, values, { tenantId, groupIds: [groupId], change: 'created', source });
      };
    },
    changeWith(action, name, build) {
      const statement = preparedStatement(db, name, (d) => build((memberId) => writes.parts.changed(action, memberId), d));
      const change = action === 'archive' ? 'archived' : 'restored';
      return (tx, tenantId, groupId, actor, source, values) => runComposed(tx, statement, writes.setValues(values, tenantId, groupId, actor, source, now()), { tenantId, groupIds: [groupId], change, source });
    },
  };

  const port: MembersPort = {
    composed,
    async create(tx, tenantId, groupId, input, actor, source) {
      const values = newMember(input);
      // One statement writes the member and its audit row; a transaction only for what listeners add.
      return writeCounted(tx, tenantId, async (t, changed) => {
        changed(groupId);
        const row = await writes.create(t, tenantId, groupId, values, actor, source, now());
        if (!row) {
          assertRosterWritable(await groupFor(t, tenantId, groupId), source);
          throw notFound('Group');
        }
        await deps.events.changed(t, { tenantId, memberIds: [row.id], groupIds: [groupId], change: 'created', source });
        return row;
      });
    },
    update: (tx, tenantId, memberId, patch, actor, source) => update(tx, tenantId, memberId, patch, actor, source),
    async createMany(tx, tenantId, groupId, inputs, actor, source) {
      if (inputs.length === 0) return [];
      return writeCounted(tx, tenantId, async (t, changed) => {
        const group = await groupFor(t, tenantId, groupId, 'share');
        assertRosterWritable(group, source);
        for (const input of inputs) assertDates(input.startDate, input.endDate);
        const at = now();
        const values = inputs.map((input) => ({ tenantId, groupId, qrToken: newQrToken(), fullName: input.fullName.trim(), role: '', customFields: {}, ...normaliseInput(input), createdAt: at, updatedAt: at }));
        const byToken = new Map((await t.insert(members).select(insertRows(members, values)).returning(memberColumns)).map((r) => [r.qrToken, r]));
        const rows = values.map((v) => byToken.get(v.qrToken)!);
        changed(groupId);
        await recordAudits(t, tenantId, actor, rows.map((r) => auditEntry('member.created', r, source)));
        await deps.events.changed(t, { tenantId, memberIds: rows.map((r) => r.id), groupIds: [groupId], change: 'created', source });
        return rows;
      }, inTransaction);
    },
    async updateMany(tx, tenantId, changes, actor, source) {
      if (changes.length === 0) return [];
      return writeCounted(tx, tenantId, async (t, changed) => {
        const found = new Map((await membersRepo.findMany(t, tenantId, [...new Set(changes.map((c) => c.memberId))], true)).map((m) => [m.id, m]));
        const groupOf = new Map<string, GroupRow>();
        // A member named twice gets both patches, in order (one write).
        const next = new Map<string, MemberRow>();
        const fieldsOf = new Map<string, Set<string>>();
        for (const { memberId, patch } of changes) {
          const member = next.get(memberId) ?? found.get(memberId);
          if (!member || member.deletedAt) throw notFound('Member');
          let group = groupOf.get(member.groupId);
          if (!group) groupOf.set(member.groupId, (group = await groupFor(t, tenantId, member.groupId, 'share')));
          assertRosterWritable(group, source);
          assertDates(patch.startDate !== undefined ? patch.startDate : member.startDate, patch.endDate !== undefined ? patch.endDate : member.endDate);
          next.set(memberId, { ...member, ...normaliseInput(patch) });
          fieldsOf.set(memberId, new Set([...(fieldsOf.get(memberId) ?? []), ...Object.keys(patch)]));
        }
        for (const groupId of groupOf.keys()) changed(groupId);
        const byId = new Map((await membersRepo.writeMany(t, tenantId, [...next.values()], now())).map((r) => [r.id, r]));
        const rows = [...next.keys()].map((id) => {
          const row = byId.get(id);
          if (!row) throw conflict('version_conflict', 'Someone else changed this member; reload and try again');
          return row;
        });
        await recordAudits(t, tenantId, actor, rows.map((r) => auditEntry('member.updated', r, source, { fields: [...fieldsOf.get(r.id)!] })));
        await deps.events.changed(t, { tenantId, memberIds: rows.map((r) => r.id), groupIds: [...new Set(rows.map((r) => r.groupId))], change: 'updated', source });
        return changes.map((c) => byId.get(c.memberId)!);
      }, inTransaction, 'details');
    },
    async archive(tx, tenantId, memberId, actor, source) {
      return writeCounted(tx, tenantId, async (t, changed) => {
        const row = await changeOne(t, 'archive', tenantId, memberId, actor, source, changed);
        await deps.events.changed(t, { tenantId, memberIds: [row.id], groupIds: [row.groupId], change: 'archived', source });
        return row;
      });
    },
    async restore(tx, tenantId, memberId, actor, source) {
      return writeCounted(tx, tenantId, async (t, changed) => {
        const row = await changeOne(t, 'restore', tenantId, memberId, actor, source, changed);
        await deps.events.changed(t, { tenantId, memberIds: [row.id], groupIds: [row.groupId], change: 'restored', source });
        return row;
      });
    },
    async remove(tx, tenantId, memberId, actor, source) {
      await writeCounted(tx, tenantId, async (t, changed) => {
        const row = await changeOne(t, 'remove', tenantId, memberId, actor, source, changed);
        await deps.events.changed(t, { tenantId, memberIds: [row.id], groupIds: [row.groupId], change: 'removed', source });
      });
    },
    async get(tx, tenantId, memberId) {
      const m = await membersRepo.find(tx, tenantId, memberId);
      return m && !m.deletedAt ? m : undefined;
    },
    find: (tx, tenantId, memberId) => membersRepo.find(tx, tenantId, memberId),
    findMany: (tx, tenantId, memberIds) => membersRepo.findMany(tx, tenantId, memberIds),
    listWithGroups: (tx, tenantId, groupIds, memberIds) => membersRepo.listWithGroups(tx, tenantId, groupIds, memberIds),
    customFieldKeys: (tx, tenantId) => membersRepo.customFieldKeys(tx, tenantId),
    versions: (tx, tenantId, memberIds) => membersRepo.versions(tx, tenantId, memberIds),
  };

  /** A member the caller may see (its group appears on one of the caller's sites). */
  async function visible(tenantId: string, scope: SiteScope, memberId: string, tx: DbOrTx = db) {
    const m = await membersRepo.find(tx, tenantId, memberId);
    if (!m || m.deletedAt || !(await groupsRepo.visibleIn(tx, tenantId, m.groupId, scope))) throw notFound('Member');
    return m;
  }

  async function visibleGroup(tenantId: string, scope: SiteScope, groupId: string, tx: DbOrTx = db) {
    const g = await groupsRepo.find(tx, tenantId, groupId);
    if (!g || !(await groupsRepo.visibleIn(tx, tenantId, groupId, scope))) throw notFound('Group');
    return g;
  }

  /** Adds a member to a group the caller may see (the portal and the API; the port's create does the rest). */
  async function add(tenantId: string, scope: SiteScope, groupId: string, input: MemberInput, actor: Actor, source: ChangeSource) {
    assertRosterWritable(await visibleGroup(tenantId, scope, groupId), source);
    return port.create(db, tenantId, groupId, input, actor, source);
  }

  /** Changes a member the caller may see; `version` must be the one they read (409 otherwise). */
  async function edit(tenantId: string, scope: SiteScope, memberId: string, patch: Partial<MemberInput>, actor: Actor, source: ChangeSource, version?: number) {
    await visible(tenantId, scope, memberId);
    return update(db, tenantId, memberId, patch, actor, source, version);
  }

  /** Archives or restores a member the caller may see. */
  async function setArchived(tenantId: string, scope: SiteScope, memberId: string, action: 'archive' | 'restore', actor: Actor, source: ChangeSource) {
    const m = await visible(tenantId, scope, memberId);
    // Answered before writing; the port's statement checks it again as it writes.
    assertRosterWritable(await groupFor(db, tenantId, m.groupId), source);
    return port[action](db, tenantId, memberId, actor, source);
  }

  /**
   * A page of a group the caller may see: the whole answer, `{"items":[…],"total":n}` with each
   * item in `presentMember`'s shape, as JSON text presented by PostgreSQL in one prepared
   * statement (the site check of a scoped caller included). A page without a search, for a caller
   * who sees every site, is kept in memory (members.counts.ts, decision 047) and served from there
   * until a write into the group drops it: the answer then costs no statement.
   */
  async function listPresented(tenantId: string, scope: SiteScope, groupId: string, q: MemberListQuery): Promise<string> {
    // Only whole-tenant callers' pages are kept: a site-scoped caller's page also depends on the
    // group's sites, which a member write does not announce.
    const pageKey = scope === null && !q.q ? `${q.archived}:${q.limit}:${q.offset}` : undefined;
    if (pageKey !== undefined) {
      const page = counts.page(tenantId, groupId, pageKey);
      if (page !== undefined) return page;
    }
    // The total of a page without a search is kept per group (members.counts.ts). A page with
    // some rows but fewer than `limit` ends the list: it tells its own total. Otherwise (a full
    // page with no kept total, a search's full page, an empty page) the group is counted, which
    // also tells whether it is there at all (an empty page is the only one that cannot).
    // Stamped first: a write that drops the group after this (its total read next, its page
    // after) keeps neither.
    const since = counts.stamp();
    const filter = q.q ? undefined : q.archived;
    const kept = filter === undefined ? undefined : counts.get(tenantId, groupId, filter);
    const docs = await memberPage.docs(tenantId, scope, groupId, q);
    let total: number;
    if (docs.length > 0 && (docs.length < q.limit || kept !== undefined)) {
      total = docs.length < q.limit ? q.offset + docs.length : kept!;
    } else {
      const counted = await memberPage.count(tenantId, scope, groupId, q);
      if (counted === undefined) throw notFound('Group');
      total = counted;
    }
    if (filter !== undefined && kept === undefined) counts.set(tenantId, groupId, filter, total, since);
    const body = `{"items":[${docs.join(',')}],"total":${total}}`;
    if (pageKey !== undefined) counts.keepPage(tenantId, groupId, pageKey, body, since);
    return body;
  }

  /** A NOTIFY of MEMBERS_CHANGED_CHANNEL arrived: a write into a group committed (here or on another instance). */
  function countsChanged(payload: string) {
    counts.changed(payload);
  }

  async function setPhoto(tenantId: string, scope: SiteScope, memberId: string, data: Buffer, declaredType: string, actor: Actor) {
    const m = await visible(tenantId, scope, memberId);
    if (data.length === 0) throw badRequest('empty_photo', 'The photo is empty');
    if (data.length > PHOTO_MAX_BYTES) throw new AppError(413, 'payload_too_large', 'The photo is larger than 2 MB');
    const type = sniffImage(data);
    if (!type || type !== declaredType) throw new AppError(415, 'unsupported_media_type', 'The photo must be a JPEG, PNG or WebP image');
    const key = await deps.storage.put('member-photos', data);
    try {
      const row = await writeCounted(db, tenantId, async (t, changed) => {
        const { group } = await memberWithGroup(t, tenantId, memberId, 'share');
        assertRosterWritable(group, 'portal');
        changed(group.id);
        const r = await write(t, tenantId, memberId, { photoKey: key });
        await audit(t, tenantId, actor, 'member.photo_set', r, 'portal');
        return r;
      }, inTransaction, 'details');
      if (m.photoKey) await deps.storage.delete(m.photoKey).catch((err: unknown) => deps.log.warn({ err }, 'old photo not deleted'));
      return row;
    } catch (err) {
      await deps.storage.delete(key).catch(() => undefined);
      throw err;
    }
  }

  async function photo(m: MemberRow) {
    if (!m.photoKey) throw notFound('Photo');
    const data = await deps.storage.get(m.photoKey);
    return data;
  }

  async function regenerateQr(tenantId: string, scope: SiteScope, memberId: string, actor: Actor) {
    await visible(tenantId, scope, memberId);
    return writeCounted(db, tenantId, async (t, changed) => {
      const { group } = await memberWithGroup(t, tenantId, memberId, 'share');
      if (group.archivedAt) throw groupArchived();
      changed(group.id);
      const row = await write(t, tenantId, memberId, { qrToken: newQrToken() });
      await audit(t, tenantId, actor, 'member.qr_regenerated', row, 'portal');
      return row;
    }, inTransaction, 'details');
  }

  async function qrSvg(m: MemberRow): Promise<string> {
    const { default: QRCode } = await import('qrcode'); // loaded when first used, not at start
    return QRCode.toString(m.qrToken, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  }

  /** A member's photo for a kiosk: a live member of a group its site shows, the group not archived (an archived group names nobody at the kiosk: its search, QR codes and sign-in). */
  async function kioskPhoto(tenantId: string, siteId: string, memberId: string) {
    const m = await visible(tenantId, [siteId], memberId);
    const g = await groupsRepo.find(db, tenantId, m.groupId);
    if (!g || g.archivedAt) throw notFound('Member');
    return photo(m);
  }

  return { port, update, add, edit, setArchived, visible, visibleGroup, listPresented, countsChanged, writeCounted, setPhoto, photo, kioskPhoto, regenerateQr, qrSvg, assertRosterWritable, groupFor };
}

export type MembersService = ReturnType<typeof createMembersService>;
