import type { Platform } from '../../../platform/platform.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { AppError, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, systemActor, type Actor } from '../../../platform/audit/audit.js';
import type { GroupsPort, MembersPort } from '../../signin/index.js';
import type { ScimAttributesPort } from '../../scim/index.js';
import type { RecordPort } from '../../record/index.js';
import type { DuplicateReason, integrationExternalIds, integrationPersonLinks, SkipReason } from '../integration.tables.js';
import { integrationRepo } from '../integration.repo.js';
import type { RunHandler, Runs } from '../runs/runs.js';
import type { TypeMapService } from '../typemap/typemap.service.js';
import { membersWithAttributes, type MemberAttributes } from './member-attributes.js';
import { DuplicateIndex, externalIdsOfMember, profileFieldsOfMember } from './person.js';
import { peopleRepo } from './people.repo.js';

export type ImportDeps = Pick<Platform, 'db' | 'now' | 'jobs'> & { members: MembersPort; groups: GroupsPort; scimAttributes: ScimAttributesPort; runs: Runs; typeMap: TypeMapService; record: RecordPort };

/** Import (sign-in → record): members of linked groups become profiles, probable duplicates are queued for a merge. */
export function createImport(deps: ImportDeps) {
  const { db, now, runs, typeMap, record } = deps;

  async function startImport(tenantId: string, input: { groupIds?: string[] }, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const links = await integrationRepo.groupLinks(tx, tenantId);
      const named = input.groupIds ?? links.map((l) => l.groupId);
      for (const g of named) {
        if (!links.some((l) => l.groupId === g)) {
          if (!(await deps.groups.get(tx, tenantId, g))) throw notFound('Group');
          throw conflict('group_not_linked', 'Link the group to an organisation before importing its members');
        }
      }
      // Held until the run is queued: an archive of one waits, or went first and is read here. A
      // group named and archived is refused; "every linked group" leaves the archived ones out.
      const archived = new Set((await deps.groups.holdForWrite(tx, tenantId, named)).filter((g) => g.archivedAt).map((g) => g.id));
      const refused = input.groupIds?.findIndex((g) => archived.has(g)) ?? -1;
      if (refused >= 0) throw new AppError(409, 'group_archived', 'This group is archived: its members are not imported', { field: `groupIds.${refused}` });
      const groupIds = named.filter((g) => !archived.has(g));
      const run = await runs.create(tx, tenantId, 'import', { groupIds }, actor);
      await recordAudit(tx, tenantId, actor, { action: 'integration.import_started', targetType: 'integration_run', targetId: run.id, summary: `Import of ${groupIds.length} group(s) started` });
      return run;
    });
  }

  /**
   * The job: members of linked groups not yet linked to a profile (nor excluded) get an import run
   * of just them, at once; null when there is nothing to import (e.g. the push created and linked them).
   */
  async function importNewMembers(tenantId: string, memberIds: string[]) {
    return inTransaction(db, async (tx) => {
      const links = await integrationRepo.groupLinks(tx, tenantId);
      const found = (await membersWithAttributes(deps, tx, tenantId, links.map((l) => l.groupId), memberIds)).filter((m) => !m.archivedAt);
      const linked = new Set((await integrationRepo.linksOfMembers(tx, tenantId, found.map((m) => m.id))).map((l) => l.memberId));
      const excluded = await integrationRepo.excludedMemberIds(tx, tenantId);
      const todo = found.filter((m) => !linked.has(m.id) && !excluded.has(m.id));
      if (todo.length === 0) return null;
      return runs.create(tx, tenantId, 'import', { groupIds: [...new Set(todo.map((m) => m.groupId))], memberIds: todo.map((m) => m.id) }, { ...systemActor, label: 'new member of a linked group' });
    });
  }

  const runImport: RunHandler = async (ctx) => {
    const tenantId = ctx.run.tenantId;
    const groupIds = (ctx.run.params.groupIds as string[] | undefined) ?? [];
    const memberIds = ctx.run.params.memberIds as string[] | undefined;
    const links = (await integrationRepo.groupLinks(db, tenantId)).filter((l) => groupIds.includes(l.groupId));
    const map = await typeMap.mapper(db, tenantId);
    const all = await membersWithAttributes(deps, db, tenantId, links.map((l) => l.groupId), memberIds);
    const candidates = all.filter((m) => !m.archivedAt);
    await ctx.setTotal(candidates.length);

    const orgOf = new Map(links.map((l) => [l.groupId, l.organisationId]));
    const indexes = new Map<string, DuplicateIndex>();
    const externals = await integrationRepo.allExternalIds(db, tenantId);
    const extByProfile = new Map<string, Array<{ system: string; externalId: string }>>();
    for (const x of externals) extByProfile.set(x.profileId, [...(extByProfile.get(x.profileId) ?? []), x]);
    for (const orgId of new Set(orgOf.values())) {
      const idx = new DuplicateIndex();
      for (const p of await record.profilesOfOrganisation(db, tenantId, orgId)) idx.add(p, extByProfile.get(p.id));
      indexes.set(orgId, idx);
    }
    const actor = { id: null, label: `import (run ${ctx.run.id.slice(0, 8)})` };

    await ctx.batches(candidates, (m) => m.id, 500, async (tx, batch) => {
      // The batch's groups held until it commits: a group archived since the run started is read
      // archived (its members are skipped), and an archive now waits for the batch.
      const archived = new Set((await deps.groups.holdForWrite(tx, tenantId, batch.map((m) => m.groupId))).filter((g) => g.archivedAt).map((g) => g.id));
      const linked = new Set((await integrationRepo.linksOfMembers(tx, tenantId, batch.map((m) => m.id))).map((l) => l.memberId));
      const excluded = await integrationRepo.excludedMemberIds(tx, tenantId);
      const items: Array<{ itemKey: string; outcome: 'created' | 'skipped' | 'queued'; skipReason?: SkipReason }> = [];
      const toCreate: Array<{ m: MemberAttributes; typeId: string; orgId: string }> = [];
      for (const m of batch) {
        const skipReason: SkipReason | null = archived.has(m.groupId) ? 'group_archived' : linked.has(m.id) ? 'already_linked' : excluded.has(m.id) ? 'excluded' : null;
        if (skipReason) {
          items.push({ itemKey: m.id, outcome: 'skipped', skipReason });
          continue;
        }
        const mapped = map(m);
        if (!mapped.profileTypeId) {
          items.push({ itemKey: m.id, outcome: 'skipped', skipReason: 'no_profile_type' });
          continue;
        }
        toCreate.push({ m, typeId: mapped.profileTypeId, orgId: orgOf.get(m.groupId)! });
      }
      const at = now();
      const created = await record.createProfiles(
        tx,
        tenantId,
        toCreate.map(({ m, typeId, orgId }) => ({ organisationId: orgId, profileTypeId: typeId, ...profileFieldsOfMember(m), createdAt: at, updatedAt: at })),
      );
      const linkRows: Array<typeof integrationPersonLinks.$inferInsert> = [];
      const extRows: Array<typeof integrationExternalIds.$inferInsert> = [];
      const pairs: Array<{ a: string; b: string; reason: DuplicateReason; detail: string }> = [];
      for (let i = 0; i < created.length; i++) {
        const p = created[i]!;
        const { m, orgId } = toCreate[i]!;
        linkRows.push({ tenantId, memberId: m.id, profileId: p.id, groupId: m.groupId, source: 'import', memberVersion: m.version, profileVersion: p.version, syncedAt: at, createdAt: at });
        const ext = externalIdsOfMember(m);
        const idx = indexes.get(orgId)!;
        const dup = idx.find(p, ext);
        if (dup) {
          pairs.push({ a: dup.profileId, b: p.id, reason: dup.reason, detail: dup.detail });
          items.push({ itemKey: m.id, outcome: 'queued' });
          // The external id stays with the existing profile; the merge brings the two together.
          for (const x of ext) if (dup.reason !== 'same_external_id') extRows.push({ tenantId, profileId: p.id, system: x.system, externalId: x.externalId, createdAt: at });
        } else {
          items.push({ itemKey: m.id, outcome: 'created' });
          for (const x of ext) extRows.push({ tenantId, profileId: p.id, system: x.system, externalId: x.externalId, createdAt: at });
        }
        idx.add(p, ext);
      }
      await peopleRepo.insertLinks(tx, linkRows);
      await peopleRepo.addExternalIds(tx, extRows);
      await integrationRepo.queuePairs(tx, tenantId, pairs, ctx.run.id);
      if (created.length) {
        await recordAudit(tx, tenantId, { kind: 'system', id: null, label: actor.label }, {
          action: 'integration.profiles_imported',
          targetType: 'integration_run',
          targetId: ctx.run.id,
          summary: `${created.length} profile(s) created from sign-in members`,
          data: { profileIds: created.map((p) => p.id) },
        });
      }
      return { items };
    });
  };

  return { startImport, importNewMembers, runHandlers: { import: runImport } };
}
