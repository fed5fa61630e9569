import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { GroupRow, GroupsPort, MembersPort, MemberInput, MemberRow } from '../../signin/index.js';
import { todayIn, type RecordPort } from '../../record/index.js';
import type { integrationSyncLog } from '../integration.tables.js';
import { syncRepo } from './sync.repo.js';
import type { GroupsInUseCache } from '../links/groups-in-use.js';
import { integrationRepo, type PersonLinkRow } from '../integration.repo.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';
import { splitName } from '../people/names.js';
import type { RunHandler, Runs } from '../runs/runs.js';
import { createSyncHooks } from './sync.hooks.js';

/**
 * Two-way sync of linked people. Each link remembers the member's and the profile's version when
 * they were last made equal; a side whose version moved has changed. The sync writes the other
 * side (members with source 'sync') and records both new versions, so its own writes never look
 * like changes: nothing echoes. For SCIM groups the identity provider is the source: member →
 * profile only, and a record edit of a field the IdP owns is refused (the guard) — or, if it got
 * in some other way, undone with the reason in the log. Changes on either side queue a per-person
 * sync job in their own transaction; a scheduled sweep catches anything missed.
 */
export { SYNC_PERSON_JOB } from './sync.hooks.js';
export const SYNC_SWEEP_JOB = 'integration.sync-sweep';
/** Links per batch of a sync run (one transaction, a few statements). */
export const SYNC_BATCH = 1000;

export { IDP_OWNED_FIELDS } from './sync.hooks.js';
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

export function createSyncService(deps: Pick<Platform, 'db' | 'now' | 'jobs' | 'log'> & { members: MembersPort; groups: GroupsPort; runs: Runs; record: RecordPort; groupsInUse: GroupsInUseCache }) {
  const { db, now, members, groups, runs, record } = deps;
  const actor: Actor = { kind: 'system', id: null, label: 'two-way sync' };

  /**
   * Brings linked pairs into line, set-wise: one read of their members, one of their profiles,
   * then the profile changes through the record's writer, the member changes through sign-in's
   * port, the log lines and the links' versions, each in a statement or a few for all of them.
   * Links of one profile (linked in two groups) are taken in turns, so each sees the other's
   * change as the one-by-one sync did. Returns what happened to each link, in the order given.
   */
  async function syncLinks(tx: DbOrTx, tenantId: string, links: readonly PersonLinkRow[], groupOf: (groupId: string) => GroupRow | undefined, runId: string | null): Promise<Array<'updated' | 'skipped'>> {
    const outcome = new Map<string, 'updated' | 'skipped'>();
    let todo = [...links];
    while (todo.length) {
      const seen = new Set<string>();
      const round = todo.filter((l) => !seen.has(l.profileId) && seen.add(l.profileId));
      todo = todo.filter((l) => !round.includes(l));
      for (const [id, o] of await syncRound(tx, tenantId, round, groupOf, runId)) outcome.set(id, o);
    }
    return links.map((l) => outcome.get(l.id) ?? 'skipped');
  }

  async function syncRound(tx: DbOrTx, tenantId: string, links: readonly PersonLinkRow[], groupOf: (groupId: string) => GroupRow | undefined, runId: string | null): Promise<Map<string, 'updated' | 'skipped'>> {
    const outcome = new Map<string, 'updated' | 'skipped'>();
    const memberOf = new Map((await members.findMany(tx, tenantId, links.map((l) => l.memberId))).map((m) => [m.id, m]));
    const profileOf = new Map((await record.profiles(tx, tenantId, links.map((l) => l.profileId))).map((p) => [p.id, p]));
    const who = { id: null, label: actor.label };
    const at = now();
    // "Today" is the organisation's (its time zone), as everywhere else in the record.
    const zones = new Map<string, string>();
    const todayOf = async (organisationId: string) => {
      if (!zones.has(organisationId)) zones.set(organisationId, (await record.organisation(tx, tenantId, organisationId))?.timeZone ?? 'Europe/London');
      return todayIn(at, zones.get(organisationId));
    };

    type ProfileChange = { link: PersonLinkRow; member: MemberRow; profile: ProfileRow; set: Partial<Shared>; log: Omit<typeof integrationSyncLog.$inferInsert, 'tenantId' | 'runId' | 'memberId' | 'profileId' | 'at'> };
    const profileChanges: ProfileChange[] = [];
    const memberChanges: Array<{ link: PersonLinkRow; member: MemberRow; profile: ProfileRow; patch: Partial<MemberInput>; fields: string[] }> = [];
    const versions: Array<{ link: PersonLinkRow; memberVersion: number; profileVersion: number }> = [];

    for (const link of links) {
      const member = memberOf.get(link.memberId);
      const profile = profileOf.get(link.profileId);
      const group = groupOf(link.groupId);
      outcome.set(link.id, 'skipped');
      if (!member || !profile || !group) continue;
      const idp = group.type === 'scim';
      if (idp && (member.deletedAt || member.archivedAt)) {
        if (!profile.leavingDate) {
          const message = `${member.deletedAt ? 'Deleted' : 'Deactivated'} by the identity provider: marked as leaving (the profile is kept)`;
          profileChanges.push({ link, member, profile, set: { leavingDate: await todayOf(profile.organisationId) }, log: { direction: 'member_to_profile', status: 'applied', fields: ['leavingDate'], message } });
        } else versions.push({ link, memberVersion: member.version, profileVersion: profile.version });
        continue;
      }
      const memberChanged = member.version !== link.memberVersion;
      const profileChanged = profile.version !== link.profileVersion;
      if (!memberChanged && !profileChanged) continue;
      const m = fromMember(member, profile);
      const p = fromProfile(profile);
      const fields = diff(m, p);
      if (fields.length === 0) {
        versions.push({ link, memberVersion: member.version, profileVersion: profile.version });
        continue;
      }
      const memberWins = idp || (memberChanged && (!profileChanged || member.updatedAt.getTime() >= profile.updatedAt.getTime()));
      if (memberWins) {
        const refused = idp && profileChanged;
        const message = refused ? `The identity provider owns ${fields.join(', ')} for members of ${group.name}: the Central Record edit was undone` : '';
        profileChanges.push({ link, member, profile, set: m, log: { direction: 'member_to_profile', status: refused ? 'refused' : 'applied', fields, message } });
      } else memberChanges.push({ link, member, profile, patch: toMemberPatch(p, fields), fields });
    }

    const logRows: Array<typeof integrationSyncLog.$inferInsert> = [];
    const base = (link: PersonLinkRow) => ({ tenantId, runId, memberId: link.memberId, profileId: link.profileId, at });
    const patched = await record.applyPatches(tx, tenantId, profileChanges.map((c) => ({ profile: c.profile, patch: { set: c.set, at } })), who);
    profileChanges.forEach((c, i) => {
      logRows.push({ ...base(c.link), ...c.log });
      versions.push({ link: c.link, memberVersion: c.member.version, profileVersion: patched[i]!.version });
      outcome.set(c.link.id, 'updated');
    });
    const updated = await members.updateMany(tx, tenantId, memberChanges.map((c) => ({ memberId: c.member.id, patch: c.patch })), actor, 'sync');
    memberChanges.forEach((c, i) => {
      logRows.push({ ...base(c.link), direction: 'profile_to_member', status: 'applied', fields: c.fields, message: '' });
      versions.push({ link: c.link, memberVersion: updated[i]!.version, profileVersion: c.profile.version });
      outcome.set(c.link.id, 'updated');
    });
    await syncRepo.logMany(tx, logRows);
    await integrationRepo.setLinkVersionsMany(tx, tenantId, versions.map((v) => ({ linkId: v.link.id, memberVersion: v.memberVersion, profileVersion: v.profileVersion })), at);
    return outcome;
  }

  async function startSync(tenantId: string, by: Actor) {
    return inTransaction(db, async (tx) => {
      const run = await runs.create(tx, tenantId, 'sync', {}, by);
      await recordAudit(tx, tenantId, by, { action: 'integration.sync_started', targetType: 'integration_run', targetId: run.id, summary: 'Two-way sync started' });
      return run;
    });
  }

  const { enqueueLinks, enqueueForMembers, enqueueForProfiles, idpOwnedReason } = createSyncHooks(deps);

  /** The job: brings one linked person into line now (the row is locked against a concurrent sync). */
  async function syncPerson(tenantId: string, linkId: string): Promise<'updated' | 'skipped'> {
    return inTransaction(db, async (tx) => {
      const link = await syncRepo.lockLink(tx, tenantId, linkId);
      if (!link) return 'skipped';
      const group = await groups.get(tx, tenantId, link.groupId);
      if (!group) return 'skipped';
      const [outcome] = await syncLinks(tx, tenantId, [link], () => group, null);
      return outcome!;
    });
  }

  /**
   * The jobs of many people at once (what the worker fetched: a merge-all or a sweep queues
   * thousands): per tenant, their links locked in one statement, their groups read once, and one
   * `syncLinks` for all of them, in one transaction. Should that fail, the tenant's people are
   * synced again one by one, so only the failing person's job fails (and is retried), as when each
   * was its own job. Returns the jobs that failed.
   */
  async function syncPeople(jobs: ReadonlyArray<{ id: string; data: { tenantId: string; linkId: string } }>): Promise<Array<{ id: string; error: unknown }>> {
    const failed: Array<{ id: string; error: unknown }> = [];
    for (const tenantId of new Set(jobs.map((j) => j.data.tenantId))) {
      const mine = jobs.filter((j) => j.data.tenantId === tenantId);
      try {
        await inTransaction(db, async (tx) => {
          const links = await syncRepo.lockLinks(tx, tenantId, [...new Set(mine.map((j) => j.data.linkId))]);
          const groupById = new Map((await groups.byIds(tx, tenantId, [...new Set(links.map((l) => l.groupId))])).map((g) => [g.id, g]));
          await syncLinks(tx, tenantId, links, (id) => groupById.get(id), null);
        });
      } catch (error) {
        // One person's refusal fails the batch's transaction: each is synced again on its own, so
        // only that person's job fails. Said once, since a batch of 200 becomes 200 transactions.
        deps.log.warn({ err: error, tenantId, people: mine.length }, 'sync: a batch of per-person syncs failed; syncing them one by one');
        for (const j of mine) {
          try {
            await syncPerson(tenantId, j.data.linkId);
          } catch (error) {
            failed.push({ id: j.id, error });
          }
        }
      }
    }
    return failed;
  }

  /**
   * The safety net: queues a sync of every linked person whose side moved since the last sync (up
   * to `limit`). The links are read page by page, and each side answers for its own versions
   * through its port (a link whose member or profile is gone is left alone, as before).
   */
  async function sweep(limit = 5000, page = 1000): Promise<number> {
    return inTransaction(db, async (tx) => {
      const stale: Array<{ id: string; tenantId: string }> = [];
      let afterId: string | null = null;
      while (stale.length < limit) {
        const links = await integrationRepo.personLinksPage(tx, afterId, page);
        if (links.length === 0) break;
        afterId = links.at(-1)!.id;
        for (const tenantId of new Set(links.map((l) => l.tenantId))) {
          const mine = links.filter((l) => l.tenantId === tenantId);
          const memberVersions = await members.versions(tx, tenantId, mine.map((l) => l.memberId));
          const profileVersions = await record.versions(tx, tenantId, mine.map((l) => l.profileId));
          for (const l of mine) {
            const m = memberVersions.get(l.memberId);
            const p = profileVersions.get(l.profileId);
            if (m !== undefined && p !== undefined && (m !== l.memberVersion || p !== l.profileVersion)) stale.push({ id: l.id, tenantId });
          }
        }
      }
      stale.splice(limit);
      await enqueueLinks(tx, stale);
      return stale.length;
    });
  }

  const runSync: RunHandler = async (ctx) => {
    const tenantId = ctx.run.tenantId;
    const links = await syncRepo.links(db, tenantId);
    await ctx.setTotal(links.length);
    const groupById = new Map((await groups.byIds(db, tenantId, [...new Set(links.map((l) => l.groupId))])).map((g) => [g.id, g]));
    await ctx.batches(links, (l) => `${l.id}`, SYNC_BATCH, async (tx, batch) => {
      const fresh = await syncRepo.linksByIds(tx, tenantId, batch.map((l) => l.id));
      const freshIds = new Set(fresh.map((f) => f.id));
      const items: Array<{ itemKey: string; outcome: 'updated' | 'skipped' }> = batch.filter((l) => !freshIds.has(l.id)).map((l) => ({ itemKey: l.id, outcome: 'skipped' }));
      const outcomes = await syncLinks(tx, tenantId, fresh, (id) => groupById.get(id), ctx.run.id);
      fresh.forEach((link, i) => items.push({ itemKey: link.id, outcome: outcomes[i]! }));
      return { items };
    });
  };

  async function logOf(tenantId: string, q: { memberId?: string; profileId?: string; runId?: string }) {
    const rows = await syncRepo.latestLog(db, tenantId, q, 500);
    // Who each entry is about, by name: the profile's, else the member's (a run's own entry has neither).
    const names = new Map<string, string>();
    for (const p of await record.profiles(db, tenantId, [...new Set(rows.flatMap((r) => (r.profileId ? [r.profileId] : [])))])) names.set(p.id, `${p.firstName} ${p.lastName}`.trim());
    const unnamed = [...new Set(rows.flatMap((r) => (r.memberId && !(r.profileId && names.has(r.profileId)) ? [r.memberId] : [])))];
    for (const m of await members.findMany(db, tenantId, unnamed)) names.set(m.id, m.fullName);
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

  return { startSync, syncLinks, idpOwnedReason, logOf, syncPerson, syncPeople, sweep, enqueueForMembers, enqueueForProfiles, runHandlers: { sync: runSync } };
}

export type SyncService = ReturnType<typeof createSyncService>;
