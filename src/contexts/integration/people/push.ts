import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { AppError, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { groupArchived, type GroupsPort, type MembersPort } from '../../signin/index.js';
import type { ScimAttributesPort } from '../../scim/index.js';
import type { ProfileView, RecordPort } from '../../record/index.js';
import { integrationRepo, type PersonLinkRow } from '../integration.repo.js';
import type { RunHandler, Runs } from '../runs/runs.js';
import { membersWithAttributes } from './member-attributes.js';
import { memberInputOfProfile } from './person.js';
import { peopleRepo } from './people.repo.js';

/** Profiles per batch (one transaction, a few statements). */
export const PUSH_BATCH = 1000;

export type PushDeps = Pick<Platform, 'db' | 'now' | 'jobs'> & { members: MembersPort; groups: GroupsPort; scimAttributes: ScimAttributesPort; runs: Runs; record: RecordPort };

/** Push (record → sign-in): an organisation's profiles become (or update) members of a linked repeat group. */
export function createPush(deps: PushDeps) {
  const { db, now, members, runs, record } = deps;

  /**
   * The group profiles are pushed into, and its link. `hold` (in a transaction): the group's row is
   * held until it ends and an archived group refused (409 group_archived), so an archive in between
   * waits for the transaction, or went first and is read here.
   */
  async function assertPushTarget(tx: DbOrTx, tenantId: string, groupId: string, hold = false) {
    const [group] = hold ? await deps.groups.holdForWrite(tx, tenantId, [groupId]) : [await deps.groups.get(tx, tenantId, groupId)];
    if (!group) throw notFound('Group');
    if (hold && group.archivedAt) throw groupArchived();
    if (group.type === 'standard') throw conflict('standard_group', 'Standard groups have no members, so profiles cannot be pushed into them. Choose a linked repeat group');
    if (group.type === 'scim') throw conflict('scim_group', 'Members of a SCIM group belong to the identity provider, so profiles cannot be pushed into it. Choose a linked repeat group');
    const link = await integrationRepo.groupLink(tx, tenantId, groupId);
    if (!link) throw conflict('group_not_linked', 'Link the group to an organisation before pushing profiles into it');
    return { group, link };
  }

  async function startPush(tenantId: string, input: { groupId: string; profileTypeIds?: string[]; profileIds?: string[] }, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const { group, link } = await assertPushTarget(tx, tenantId, input.groupId, true);
      // Ids of another tenant (or another organisation) are named, not silently skipped.
      if (input.profileTypeIds?.length) {
        const types = new Set((await record.profileTypes(tx, tenantId)).map((t) => t.id));
        const bad = input.profileTypeIds.findIndex((id) => !types.has(id));
        if (bad >= 0) throw new AppError(404, 'not_found', 'Profile type not found', { field: `profileTypeIds.${bad}` });
      }
      if (input.profileIds?.length) {
        const mine = new Set((await record.profilesOfOrganisation(tx, tenantId, link.organisationId)).map((x) => x.id));
        const bad = input.profileIds.findIndex((id) => !mine.has(id));
        if (bad >= 0) throw new AppError(404, 'not_found', 'Profile not found in the organisation linked to this group', { field: `profileIds.${bad}` });
      }
      const run = await runs.create(tx, tenantId, 'push', { ...input }, actor);
      await recordAudit(tx, tenantId, actor, { action: 'integration.push_started', targetType: 'integration_run', targetId: run.id, summary: `Push of profiles into ${group.name} started` });
      return run;
    });
  }

  const runPush: RunHandler = async (ctx) => {
    const tenantId = ctx.run.tenantId;
    const p = ctx.run.params as { groupId: string; profileTypeIds?: string[]; profileIds?: string[] };
    const { link } = await assertPushTarget(db, tenantId, p.groupId);
    let profiles = await record.profilesOfOrganisation(db, tenantId, link.organisationId, p.profileTypeIds);
    if (p.profileIds) {
      const wanted = new Set(p.profileIds);
      profiles = profiles.filter((x) => wanted.has(x.id));
    }
    await ctx.setTotal(profiles.length);
    const actor: Actor = { kind: 'system', id: null, label: `push (run ${ctx.run.id.slice(0, 8)})` };
    const existingMembers = await membersWithAttributes(deps, db, tenantId, [p.groupId]);
    const unlinkedByEmail = new Map<string, string>();
    const linkedMembers = new Set((await integrationRepo.linksOfMembers(db, tenantId, existingMembers.map((m) => m.id))).map((l) => l.memberId));
    for (const m of existingMembers) if (m.email && !linkedMembers.has(m.id) && !unlinkedByEmail.has(m.email)) unlinkedByEmail.set(m.email, m.id);

    // Set-wise per batch: one read of the links, one UPDATE of the linked members (each its own
    // values), one INSERT of the new ones, one UPDATE of the links' versions, one INSERT of links.
    await ctx.batches(profiles, (x) => x.id, PUSH_BATCH, async (tx, batch) => {
      // The group held until the batch commits: archived since the run started, nothing more is
      // pushed into it (the rest skipped); an archive now waits for the batch.
      const [group] = await deps.groups.holdForWrite(tx, tenantId, [p.groupId]);
      if (!group || group.archivedAt) return { items: batch.map((x) => ({ itemKey: x.id, outcome: 'skipped' as const })) };
      const linkOf = new Map((await integrationRepo.linksOfProfiles(tx, tenantId, batch.map((x) => x.id))).filter((l) => l.groupId === p.groupId).map((l) => [l.profileId, l]));
      const updates: Array<{ profile: ProfileView; memberId: string; link?: PersonLinkRow }> = [];
      const creates: ProfileView[] = [];
      for (const profile of batch) {
        const link = linkOf.get(profile.id);
        if (link) {
          updates.push({ profile, memberId: link.memberId, link });
          continue;
        }
        const sameEmail = profile.email ? unlinkedByEmail.get(profile.email.toLowerCase()) : undefined;
        if (sameEmail) {
          unlinkedByEmail.delete(profile.email.toLowerCase());
          updates.push({ profile, memberId: sameEmail });
        } else creates.push(profile);
      }
      const updated = await members.updateMany(tx, tenantId, updates.map((u) => ({ memberId: u.memberId, patch: memberInputOfProfile(u.profile) })), actor, 'sync');
      const created = await members.createMany(tx, tenantId, p.groupId, creates.map(memberInputOfProfile), actor, 'import');
      const at = now();
      await integrationRepo.setLinkVersionsMany(tx, tenantId, updates.flatMap((u, i) => (u.link ? [{ linkId: u.link.id, memberVersion: updated[i]!.version, profileVersion: u.profile.version }] : [])), at);
      const newLinks = [...updates.flatMap((u, i) => (u.link ? [] : [{ profile: u.profile, member: updated[i]! }])), ...creates.map((profile, i) => ({ profile, member: created[i]! }))];
      await peopleRepo.insertLinks(
        tx,
        newLinks.map(({ profile, member }) => ({ tenantId, memberId: member.id, profileId: profile.id, groupId: p.groupId, source: 'push', memberVersion: member.version, profileVersion: profile.version, syncedAt: at, createdAt: at })),
      );
      const outcome = new Map<string, 'created' | 'updated'>([...updates.map((u) => [u.profile.id, 'updated'] as const), ...creates.map((c) => [c.id, 'created'] as const)]);
      return { items: batch.map((x) => ({ itemKey: x.id, outcome: outcome.get(x.id)! })) };
    });
  };

  return { startPush, runHandlers: { push: runPush } };
}
