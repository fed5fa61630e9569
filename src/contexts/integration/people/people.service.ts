import { and, eq } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { AppError, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, systemActor, type Actor } from '../../../platform/audit/audit.js';
import type { GroupsPort, MembersPort, MemberInput } from '../../signin/index.js';
import type { ScimAttributesPort } from '../../scim/index.js';
import type { RecordPort } from '../../record/index.js';
import { integrationExclusions, integrationExternalIds, integrationPersonLinks, type DuplicateReason } from '../integration.tables.js';
import { integrationRepo } from '../integration.repo.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';
import { splitName } from './names.js';
import { membersWithAttributes, type MemberAttributes } from './member-attributes.js';
import type { RunHandler, Runs } from '../runs/runs.js';
import type { TypeMapService } from '../typemap/typemap.service.js';

const norm = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();
const nameKey = (first: string, last: string, dob: string | null) => (dob ? `${norm(first)}|${norm(last)}|${dob}` : null);

/** Identifiers a member carries that name the same person elsewhere (a Wonde UPI, the IdP's id). */
export function externalIdsOfMember(m: Pick<MemberAttributes, 'customFields' | 'scimExternalId'>): Array<{ system: string; externalId: string }> {
  const out: Array<{ system: string; externalId: string }> = [];
  const cf = m.customFields ?? {};
  for (const key of ['upi', 'wonde_upi', 'wondeUpi']) {
    const v = cf[key];
    if (typeof v === 'string' && v.trim()) out.push({ system: 'wonde', externalId: v.trim() });
  }
  if (m.scimExternalId) out.push({ system: 'scim', externalId: m.scimExternalId });
  return out;
}

export function dateOfBirthOf(m: Pick<MemberAttributes, 'customFields'>): string | null {
  const v = m.customFields?.dateOfBirth ?? m.customFields?.date_of_birth;
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
}

/** The profile a member becomes (fields of the record shared with sign-in). */
export function profileFieldsOfMember(m: MemberAttributes) {
  const { firstName, lastName } = splitName(m.fullName);
  return {
    firstName,
    lastName,
    email: m.email ?? '',
    phone: m.phone ?? '',
    role: m.role,
    startDate: m.startDate,
    leavingDate: m.endDate,
    dateOfBirth: dateOfBirthOf(m),
  };
}

/** The member a profile becomes. */
export function memberInputOfProfile(p: ProfileRow): MemberInput {
  return {
    fullName: [p.firstName, p.lastName].filter(Boolean).join(' '),
    email: p.email || null,
    phone: p.phone || null,
    role: p.role,
    startDate: p.startDate,
    endDate: p.leavingDate,
  };
}

/** An index of an organisation's profiles for duplicate detection. */
export class DuplicateIndex {
  private byEmail = new Map<string, string>();
  private byNameDob = new Map<string, string>();
  private byExternal = new Map<string, string>();

  add(p: { id: string; email: string; firstName: string; lastName: string; dateOfBirth: string | null }, external: Array<{ system: string; externalId: string }> = []) {
    const e = norm(p.email);
    if (e && !this.byEmail.has(e)) this.byEmail.set(e, p.id);
    const k = nameKey(p.firstName, p.lastName, p.dateOfBirth);
    if (k && !this.byNameDob.has(k)) this.byNameDob.set(k, p.id);
    for (const x of external) this.addExternal(x.system, x.externalId, p.id);
  }
  addExternal(system: string, externalId: string, profileId: string) {
    const key = `${system}|${externalId}`;
    if (!this.byExternal.has(key)) this.byExternal.set(key, profileId);
  }
  /** The first probable duplicate (external id, then email, then name + date of birth). */
  find(p: { email: string; firstName: string; lastName: string; dateOfBirth: string | null }, external: Array<{ system: string; externalId: string }>): { profileId: string; reason: DuplicateReason; detail: string } | undefined {
    for (const x of external) {
      const id = this.byExternal.get(`${x.system}|${x.externalId}`);
      if (id) return { profileId: id, reason: 'same_external_id', detail: `Same ${x.system === 'wonde' ? 'Wonde UPI' : 'identity provider id'} ${x.externalId}` };
    }
    const e = norm(p.email);
    const byEmail = e ? this.byEmail.get(e) : undefined;
    if (byEmail) return { profileId: byEmail, reason: 'same_email', detail: `Same email ${e}` };
    const k = nameKey(p.firstName, p.lastName, p.dateOfBirth);
    const byName = k ? this.byNameDob.get(k) : undefined;
    if (byName) return { profileId: byName, reason: 'same_name_dob', detail: `Same name and date of birth (${p.firstName} ${p.lastName}, ${p.dateOfBirth})` };
    return undefined;
  }
}

export { IMPORT_NEW_MEMBERS_JOB } from './people.hooks.js';

export function createPeopleService(deps: Pick<Platform, 'db' | 'now' | 'jobs'> & { members: MembersPort; groups: GroupsPort; scimAttributes: ScimAttributesPort; runs: Runs; typeMap: TypeMapService; record: RecordPort }) {
  const { db, now, members, runs, typeMap, record } = deps;

  // ---------- import (sign-in → record) ----------

  async function startImport(tenantId: string, input: { groupIds?: string[] }, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const links = await integrationRepo.groupLinks(tx, tenantId);
      const groupIds = input.groupIds ?? links.map((l) => l.groupId);
      for (const g of groupIds) {
        if (!links.some((l) => l.groupId === g)) {
          if (!(await deps.groups.get(tx, tenantId, g))) throw notFound('Group');
          throw conflict('group_not_linked', 'Link the group to an organisation before importing its members');
        }
      }
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
      const linked = new Set((await integrationRepo.linksOfMembers(tx, tenantId, batch.map((m) => m.id))).map((l) => l.memberId));
      const excluded = await integrationRepo.excludedMemberIds(tx, tenantId);
      const items: Array<{ itemKey: string; outcome: 'created' | 'skipped' | 'queued' }> = [];
      const toCreate: Array<{ m: MemberAttributes; typeId: string; orgId: string }> = [];
      for (const m of batch) {
        if (linked.has(m.id) || excluded.has(m.id)) {
          items.push({ itemKey: m.id, outcome: 'skipped' });
          continue;
        }
        const mapped = map(m);
        if (!mapped.profileTypeId) {
          items.push({ itemKey: m.id, outcome: 'skipped' });
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
      for (let i = 0; i < created.length; i++) {
        const p = created[i]!;
        const { m, orgId } = toCreate[i]!;
        linkRows.push({ tenantId, memberId: m.id, profileId: p.id, groupId: m.groupId, source: 'import', memberVersion: m.version, profileVersion: p.version, syncedAt: at, createdAt: at });
        const ext = externalIdsOfMember(m);
        const idx = indexes.get(orgId)!;
        const dup = idx.find(p, ext);
        if (dup) {
          await integrationRepo.queuePair(tx, tenantId, dup.profileId, p.id, dup.reason, dup.detail, ctx.run.id);
          items.push({ itemKey: m.id, outcome: 'queued' });
          // The external id stays with the existing profile; the merge brings the two together.
          for (const x of ext) if (dup.reason !== 'same_external_id') extRows.push({ tenantId, profileId: p.id, system: x.system, externalId: x.externalId, createdAt: at });
        } else {
          items.push({ itemKey: m.id, outcome: 'created' });
          for (const x of ext) extRows.push({ tenantId, profileId: p.id, system: x.system, externalId: x.externalId, createdAt: at });
        }
        idx.add(p, ext);
      }
      if (linkRows.length) await tx.insert(integrationPersonLinks).values(linkRows);
      if (extRows.length) await tx.insert(integrationExternalIds).values(extRows).onConflictDoNothing();
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

  // ---------- push (record → sign-in) ----------

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
          await tx
            .update(integrationPersonLinks)
            .set({ memberVersion: m.version, profileVersion: profile.version, syncedAt: now() })
            .where(and(eq(integrationPersonLinks.tenantId, tenantId), eq(integrationPersonLinks.id, existing.id)));
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
        await tx
          .insert(integrationPersonLinks)
          .values({ tenantId, memberId: member.id, profileId: profile.id, groupId: p.groupId, source: 'push', memberVersion: member.version, profileVersion: profile.version, syncedAt: now(), createdAt: now() });
      }
      return { items };
    });
  };

  // ---------- exclusions, decouple, delete ----------

  async function decouple(tenantId: string, memberId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const link = await integrationRepo.linkOfMember(tx, tenantId, memberId);
      if (!link) throw notFound('Link');
      await tx.delete(integrationPersonLinks).where(and(eq(integrationPersonLinks.tenantId, tenantId), eq(integrationPersonLinks.id, link.id)));
      await recordAudit(tx, tenantId, actor, { action: 'integration.person_decoupled', targetType: 'member', targetId: memberId, summary: 'Member and profile decoupled', data: { profileId: link.profileId } });
    });
  }

  /** Deletes a linked profile and puts its members on the exclusion list (undoable). */
  async function deleteLinkedProfile(tenantId: string, profileId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const profile = await record.profile(tx, tenantId, profileId);
      if (!profile) throw notFound('Profile');
      const links = await integrationRepo.linksOfProfiles(tx, tenantId, [profileId]);
      const snapshot = { firstName: profile.firstName, lastName: profile.lastName, email: profile.email, role: profile.role, profileId: profile.id };
      for (const l of links) {
        await tx
          .insert(integrationExclusions)
          .values({ tenantId, memberId: l.memberId, reason: 'Linked profile deleted', profileSnapshot: snapshot, createdBy: actor.label, createdAt: now() })
          .onConflictDoNothing();
      }
      await record.deleteProfile(tx, tenantId, profileId);
      await recordAudit(tx, tenantId, actor, {
        action: 'integration.linked_profile_deleted',
        targetType: 'profile',
        targetId: profileId,
        summary: `Profile ${profile.firstName} ${profile.lastName} deleted; ${links.length} member(s) excluded from import`,
        data: { memberIds: links.map((l) => l.memberId) },
      });
      return { excludedMemberIds: links.map((l) => l.memberId) };
    });
  }

  async function exclusions(tenantId: string) {
    const rows = await db.select().from(integrationExclusions).where(eq(integrationExclusions.tenantId, tenantId)).orderBy(integrationExclusions.createdAt);
    return rows.map((r) => ({ id: r.id, memberId: r.memberId, reason: r.reason, profile: r.profileSnapshot, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() }));
  }

  async function undoExclusion(tenantId: string, id: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const [row] = await tx.delete(integrationExclusions).where(and(eq(integrationExclusions.tenantId, tenantId), eq(integrationExclusions.id, id))).returning();
      if (!row) throw notFound('Exclusion');
      await recordAudit(tx, tenantId, actor, { action: 'integration.exclusion_removed', targetType: 'member', targetId: row.memberId, summary: 'Member removed from the exclusion list: the next import may create a profile again' });
    });
  }

  return { startImport, importNewMembers, startPush, decouple, deleteLinkedProfile, exclusions, undoExclusion, systemActor, runHandlers: { import: runImport, push: runPush } };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
