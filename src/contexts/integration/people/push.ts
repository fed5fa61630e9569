import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { AppError, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { GroupsPort, MembersPort } from '../../signin/index.js';
import type { ScimAttributesPort } from '../../scim/index.js';
import type { RecordPort } from '../../record/index.js';
import { integrationRepo } from '../integration.repo.js';
import type { RunHandler, Runs } from '../runs/runs.js';
import { membersWithAttributes } from './member-attributes.js';
import { memberInputOfProfile } from './person.js';
import { peopleRepo } from './people.repo.js';

export type PushDeps = Pick<Platform, 'db' | 'now' | 'jobs'> & { members: MembersPort; groups: GroupsPort; scimAttributes: ScimAttributesPort; runs: Runs; record: RecordPort };

/** Push (record → sign-in): an organisation's profiles become (or update) members of a linked repeat group. */
export function createPush(deps: PushDeps) {
  const { db, now, members, runs, record } = deps;

  async function assertPushTarget(tx: DbOrTx, tenantId: string, groupId: string) {
    const group = await deps.groups.get(tx, tenantId, groupId);
    if (!group) throw notFound('Group');
    if (group.type === 'standard') throw conflict('standard_group', 'Standard groups have no members, so profiles cannot be pushed into them. Choose a linked repeat group');
    if (group.type === 'scim') throw conflict('scim_group', 'Members of a SCIM group belong to the identity provider, so profiles cannot be pushed into it. Choose a linked repeat group');
    const link = await integrationRepo.groupLink(tx, tenantId, groupId);
    if (!link) throw conflict('group_not_linked', 'Link the group to an organisation before pushing profiles into it');
    return { group, link };
  }

  async function startPush(tenantId: string, input: { groupId: string; profileTypeIds?: string[]; profileIds?: string[] }, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const { group, link } = await assertPushTarget(tx, tenantId, input.groupId);
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

    await ctx.batches(profiles, (x) => x.id, 200, async (tx, batch) => {
      const links = (await integrationRepo.linksOfProfiles(tx, tenantId, batch.map((x) => x.id))).filter((l) => l.groupId === p.groupId);
      const items: Array<{ itemKey: string; outcome: 'created' | 'updated' }> = [];
      for (const profile of batch) {
        const input = memberInputOfProfile(profile);
        const existing = links.find((l) => l.profileId === profile.id);
        if (existing) {
          const m = await members.update(tx, tenantId, existing.memberId, input, actor, 'sync');
          await peopleRepo.setLinkVersions(tx, tenantId, existing.id, m.version, profile.version, now());
          items.push({ itemKey: profile.id, outcome: 'updated' });
          continue;
        }
        const sameEmail = profile.email ? unlinkedByEmail.get(profile.email.toLowerCase()) : undefined;
        let member;
        if (sameEmail) {
          unlinkedByEmail.delete(profile.email.toLowerCase());
          member = await members.update(tx, tenantId, sameEmail, input, actor, 'sync');
          items.push({ itemKey: profile.id, outcome: 'updated' });
        } else {
          member = await members.create(tx, tenantId, p.groupId, input, actor, 'import');
          items.push({ itemKey: profile.id, outcome: 'created' });
        }
        await peopleRepo.insertLinks(tx, [{ tenantId, memberId: member.id, profileId: profile.id, groupId: p.groupId, source: 'push', memberVersion: member.version, profileVersion: profile.version, syncedAt: now(), createdAt: now() }]);
      }
      return { items };
    });
  };

  return { startPush, runHandlers: { push: runPush } };
}
