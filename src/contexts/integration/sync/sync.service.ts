import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { AppError } from '../../../platform/errors.js';
import type { MembersPort, MemberInput, MemberChangeListener } from '../../signin/index.js';
import type { ProfileChangeListener, ProfileUpdateGuard, RecordPort } from '../../record/index.js';
import { integrationPersonLinks, integrationSyncLog } from '../integration.tables.js';
import { integrationRepo, type PersonLinkRow } from '../integration.repo.js';
import { neighbours, splitName, type GroupRow, type MemberRow, type ProfileRow } from '../neighbours.js';
import type { Runs } from '../runs/runs.js';

/**
 * Two-way sync of linked people. Each link remembers the member's and the profile's version when
 * they were last made equal; a side whose version moved has changed. The sync writes the other
 * side (members with source 'sync') and records both new versions, so its own writes never look
 * like changes: nothing echoes. For SCIM groups the identity provider is the source: member →
 * profile only, and a record edit of a field the IdP owns is refused (the guard) — or, if it got
 * in some other way, undone with the reason in the log. Changes on either side queue a per-person
 * sync job in their own transaction; a scheduled sweep catches anything missed.
 */
export const SYNC_PERSON_JOB = 'integration.sync-person';
export const SYNC_SWEEP_JOB = 'integration.sync-sweep';

export const IDP_OWNED_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'role', 'startDate', 'leavingDate'] as const;
type Shared = { firstName: string; lastName: string; email: string; phone: string; role: string; startDate: string | null; leavingDate: string | null };

function fromMember(m: MemberRow, p: ProfileRow): Shared {
  const sameName = `${p.firstName} ${p.lastName}`.trim() === m.fullName.trim();
  const { firstName, lastName } = sameName ? { firstName: p.firstName, lastName: p.lastName } : splitName(m.fullName);
  return { firstName, lastName, email: m.email ?? '', phone: m.phone ?? '', role: m.role, startDate: m.startDate, leavingDate: m.endDate };
}
function fromProfile(p: ProfileRow): Shared {
  return { firstName: p.firstName, lastName: p.lastName, email: p.email, phone: p.phone, role: p.role, startDate: p.startDate, leavingDate: p.leavingDate };
}
function diff(a: Shared, b: Shared): Array<keyof Shared> {
  return (Object.keys(a) as Array<keyof Shared>).filter((k) => (a[k] ?? '') !== (b[k] ?? ''));
}
const toMemberPatch = (s: Shared, fields: Array<keyof Shared>): Partial<MemberInput> => {
  const patch: Partial<MemberInput> = {};
  if (fields.includes('firstName') || fields.includes('lastName')) patch.fullName = `${s.firstName} ${s.lastName}`.trim();
  if (fields.includes('email')) patch.email = s.email || null;
  if (fields.includes('phone')) patch.phone = s.phone || null;
  if (fields.includes('role')) patch.role = s.role;
  if (fields.includes('startDate')) patch.startDate = s.startDate;
  if (fields.includes('leavingDate')) patch.endDate = s.leavingDate;
  return patch;
};

export function createSyncService(deps: Pick<Platform, 'db' | 'now' | 'jobs'> & { members: MembersPort; runs: Runs; record: RecordPort }) {
  const { db, now, members, runs, record } = deps;
  const actor: Actor = { kind: 'system', id: null, label: 'two-way sync' };

  async function log(tx: DbOrTx, row: typeof integrationSyncLog.$inferInsert) {
    await tx.insert(integrationSyncLog).values({ ...row, at: now() });
  }

  async function setVersions(tx: DbOrTx, link: PersonLinkRow, memberVersion: number, profileVersion: number) {
    await tx.update(integrationPersonLinks).set({ memberVersion, profileVersion, syncedAt: now() }).where(eq(integrationPersonLinks.id, link.id));
  }

  /** Brings one linked pair into line. Returns what happened. */
  async function syncLink(tx: DbOrTx, link: PersonLinkRow, group: GroupRow, runId: string | null): Promise<'updated' | 'skipped'> {
    const tenantId = link.tenantId;
    const member = await neighbours.member(tx, tenantId, link.memberId);
    let profile = await record.profile(tx, tenantId, link.profileId);
    if (!member || !profile) return 'skipped';
    const who = { id: null, label: actor.label };
    const base = { tenantId, runId, memberId: member.id, profileId: profile.id };
    const idp = group.type === 'scim';
    const today = now().toISOString().slice(0, 10);

    if (idp && (member.deletedAt || member.archivedAt)) {
      if (!profile.leavingDate) {
        profile = await record.applyPatch(tx, tenantId, profile, { set: { leavingDate: today }, at: now() }, who);
        await log(tx, { ...base, direction: 'member_to_profile', status: 'applied', fields: ['leavingDate'], message: `${member.deletedAt ? 'Deleted' : 'Deactivated'} by the identity provider: marked as leaving (the profile is kept)` });
        await setVersions(tx, link, member.version, profile.version);
        return 'updated';
      }
      await setVersions(tx, link, member.version, profile.version);
      return 'skipped';
    }
    const memberChanged = member.version !== link.memberVersion;
    const profileChanged = profile.version !== link.profileVersion;
    if (!memberChanged && !profileChanged) return 'skipped';
    const m = fromMember(member, profile);
    const p = fromProfile(profile);
    const fields = diff(m, p);
    if (fields.length === 0) {
      await setVersions(tx, link, member.version, profile.version);
      return 'skipped';
    }
    const memberWins = idp || (memberChanged && (!profileChanged || member.updatedAt.getTime() >= profile.updatedAt.getTime()));
    if (memberWins) {
      profile = await record.applyPatch(tx, tenantId, profile, { set: m, at: now() }, who);
      const refused = idp && profileChanged;
      await log(tx, {
        ...base,
        direction: 'member_to_profile',
        status: refused ? 'refused' : 'applied',
        fields,
        message: refused ? `The identity provider owns ${fields.join(', ')} for members of ${group.name}: the Central Record edit was undone` : '',
      });
      await setVersions(tx, link, member.version, profile.version);
    } else {
      const updated = await members.update(tx, tenantId, member.id, toMemberPatch(p, fields), actor, 'sync');
      await log(tx, { ...base, direction: 'profile_to_member', status: 'applied', fields, message: '' });
      await setVersions(tx, link, updated.version, profile.version);
    }
    return 'updated';
  }

  /** Why a record edit of these fields is refused (members of SCIM groups), or null. */
  async function idpOwnedReason(tx: DbOrTx, tenantId: string, profileId: string, fields: string[]): Promise<string | null> {
    const owned = fields.filter((f) => (IDP_OWNED_FIELDS as readonly string[]).includes(f));
    if (owned.length === 0) return null;
    const links = await integrationRepo.linksOfProfiles(tx, tenantId, [profileId]);
    const groups = await neighbours.groupsByIds(tx, tenantId, links.map((l) => l.groupId));
    const scim = groups.find((g) => g.type === 'scim');
    return scim ? `${owned.join(', ')} come from the identity provider for members of ${scim.name}; change them there` : null;
  }

  async function startSync(tenantId: string, by: Actor) {
    return inTransaction(db, async (tx) => {
      const run = await runs.create(tx, tenantId, 'sync', {}, by);
      await recordAudit(tx, tenantId, by, { action: 'integration.sync_started', targetType: 'integration_run', targetId: run.id, summary: 'Two-way sync started' });
      return run;
    });
  }

  /** Queues a sync of each linked person (in the caller's transaction; a queued one is not queued twice). */
  async function enqueueLinks(tx: DbOrTx, links: Array<Pick<PersonLinkRow, 'id' | 'tenantId'>>) {
    for (const l of links) await deps.jobs.send(tx, SYNC_PERSON_JOB, { tenantId: l.tenantId, linkId: l.id }, { singletonKey: l.id, retryLimit: 5, retryDelay: 30, retryBackoff: true });
  }
  async function enqueueForMembers(tx: DbOrTx, tenantId: string, memberIds: string[]) {
    await enqueueLinks(tx, await integrationRepo.linksOfMembers(tx, tenantId, memberIds));
  }
  async function enqueueForProfiles(tx: DbOrTx, tenantId: string, profileIds: string[]) {
    await enqueueLinks(tx, await integrationRepo.linksOfProfiles(tx, tenantId, profileIds));
  }

  /** Member changes from anywhere but the sync itself queue a sync of the linked person. */
  const memberListener: MemberChangeListener = async (tx, change) => {
    if (change.source === 'sync' || change.change === 'created') return;
    await enqueueForMembers(tx, change.tenantId, change.memberIds);
  };
  /** Record edits of the fields sync shares queue a sync (the sync's own writes bypass the record's service). */
  const profileListener: ProfileChangeListener = async (tx, change) => {
    if (!change.fields.some((f) => (IDP_OWNED_FIELDS as readonly string[]).includes(f))) return;
    await enqueueForProfiles(tx, change.tenantId, change.profileIds);
  };
  /** Refuses a record edit of a field the identity provider owns. */
  const idpGuard: ProfileUpdateGuard = async (tx, attempt) => {
    const owned = attempt.fields.filter((f) => (IDP_OWNED_FIELDS as readonly string[]).includes(f));
    const reason = await idpOwnedReason(tx, attempt.tenantId, attempt.profileId, owned);
    if (reason) throw new AppError(409, 'idp_owned_field', reason, { field: owned[0], extra: { fields: owned } });
  };

  /** The job: brings one linked person into line now (the row is locked against a concurrent sync). */
  async function syncPerson(tenantId: string, linkId: string): Promise<'updated' | 'skipped'> {
    return inTransaction(db, async (tx) => {
      const [link] = await tx
        .select()
        .from(integrationPersonLinks)
        .where(and(eq(integrationPersonLinks.tenantId, tenantId), eq(integrationPersonLinks.id, linkId)))
        .for('update');
      if (!link) return 'skipped';
      const group = await neighbours.group(tx, tenantId, link.groupId);
      if (!group) return 'skipped';
      return syncLink(tx, link, group, null);
    });
  }

  /** The safety net: queues a sync of every linked person whose side moved since the last sync. */
  async function sweep(limit = 5000): Promise<number> {
    return inTransaction(db, async (tx) => {
      const stale = await integrationRepo.staleLinks(tx, limit);
      await enqueueLinks(tx, stale);
      return stale.length;
    });
  }

  runs.register('sync', async (ctx) => {
    const tenantId = ctx.run.tenantId;
    const links = await db.select().from(integrationPersonLinks).where(eq(integrationPersonLinks.tenantId, tenantId)).orderBy(integrationPersonLinks.createdAt, integrationPersonLinks.id);
    await ctx.setTotal(links.length);
    const groups = new Map((await neighbours.groupsByIds(db, tenantId, [...new Set(links.map((l) => l.groupId))])).map((g) => [g.id, g]));
    await ctx.batches(links, (l) => `${l.id}`, 200, async (tx, batch) => {
      const fresh = await tx.select().from(integrationPersonLinks).where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.id, batch.map((l) => l.id))));
      const items: Array<{ itemKey: string; outcome: 'updated' | 'skipped' }> = batch.filter((l) => !fresh.some((f) => f.id === l.id)).map((l) => ({ itemKey: l.id, outcome: 'skipped' }));
      for (const link of fresh) items.push({ itemKey: link.id, outcome: await syncLink(tx, link, groups.get(link.groupId)!, ctx.run.id) });
      return { items };
    });
  });

  async function logOf(tenantId: string, q: { memberId?: string; profileId?: string; runId?: string }) {
    const conds = [eq(integrationSyncLog.tenantId, tenantId)];
    if (q.memberId) conds.push(eq(integrationSyncLog.memberId, q.memberId));
    if (q.profileId) conds.push(eq(integrationSyncLog.profileId, q.profileId));
    if (q.runId) conds.push(eq(integrationSyncLog.runId, q.runId));
    // The latest 500, oldest first.
    const rows = (await db.select().from(integrationSyncLog).where(and(...conds)).orderBy(desc(integrationSyncLog.at), desc(integrationSyncLog.id)).limit(500)).reverse();
    // Who each entry is about, by name: the profile's, else the member's (a run's own entry has neither).
    const names = new Map<string, string>();
    for (const p of await record.profiles(db, tenantId, [...new Set(rows.flatMap((r) => (r.profileId ? [r.profileId] : [])))])) names.set(p.id, `${p.firstName} ${p.lastName}`.trim());
    for (const memberId of new Set(rows.flatMap((r) => (r.memberId && !(r.profileId && names.has(r.profileId)) ? [r.memberId] : [])))) {
      const m = await neighbours.member(db, tenantId, memberId);
      if (m) names.set(m.id, m.fullName);
    }
    const personName = (r: (typeof rows)[number]) => (r.profileId ? names.get(r.profileId) : undefined) ?? (r.memberId ? names.get(r.memberId) : undefined) ?? null;
    return rows.map((r) => ({
      id: r.id,
      runId: r.runId,
      memberId: r.memberId,
      profileId: r.profileId,
      personName: personName(r),
      direction: r.direction,
      status: r.status,
      fields: r.fields,
      message: r.message,
      at: r.at.toISOString(),
    }));
  }

  return { startSync, syncLink, idpOwnedReason, logOf, syncPerson, sweep, enqueueForMembers, enqueueForProfiles, memberListener, profileListener, idpGuard };
}

export type SyncService = ReturnType<typeof createSyncService>;
