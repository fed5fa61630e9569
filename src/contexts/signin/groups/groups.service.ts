import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../../platform/errors.js';
import { safeEqual } from '../../../platform/crypto.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { UsersPort } from '../../accounts/index.js';
import type { groups } from '../signin.tables.js';
import { assertHoldsSites, type SiteScope } from '../access.js';
import { groupsRepo, type GroupLock, type GroupRow } from './groups.repo.js';
import { presentContactCandidate, presentGroup } from './groups.presenters.js';
import { sitesRepo } from '../sites/sites.repo.js';
import { toStoredOptions, signInOptionsInput, type groupCreate, type groupPatch } from './groups.schemas.js';

/** A write to an archived group (its settings, or its members by people): the code linking one answers too. */
export const groupArchived = () => conflict('group_archived', 'This group is archived: its settings and members can no longer be changed');

export type GroupCreate = z.input<typeof groupCreate>;
export type GroupPatch = z.infer<typeof groupPatch>;


/** `users`: accounts' port, to check that group contacts are users of the tenant who reach the group's sites, and to offer them. */
export function createGroupsService(deps: Pick<Platform, 'db' | 'config'> & { users: UsersPort }) {
  const { db } = deps;
  const pinHashOf = (groupId: string, pin: string) => createHmac('sha256', deps.config.secretKey).update(`kiosk-pin:${groupId}:${pin}`).digest('hex');

  /** The group the caller may see; `lock` holds its row until `tx`'s transaction ends (`groupsRepo.find`). */
  async function get(tenantId: string, scope: SiteScope, id: string, tx: DbOrTx = db, lock?: GroupLock): Promise<GroupRow> {
    const g = await groupsRepo.find(tx, tenantId, id, lock);
    if (!g || !(await groupsRepo.visibleIn(tx, tenantId, id, scope))) throw notFound('Group');
    return g;
  }

  /** A change to a group: seen in the caller's scope (else 404) and shown only at sites they hold (else 403). */
  async function getToChange(tenantId: string, scope: SiteScope, id: string, tx: DbOrTx, lock?: GroupLock): Promise<GroupRow> {
    const g = await get(tenantId, scope, id, tx, lock);
    if (scope !== null) assertHoldsSites(scope, (await groupsRepo.siteIdsOf(tx, tenantId, [id])).map((s) => s.siteId), 'This group');
    return g;
  }

  async function present(tx: DbOrTx, tenantId: string, rows: GroupRow[]) {
    const ids = rows.map((r) => r.id);
    const [sitesOf, contacts, pinned] = [await groupsRepo.siteIdsOf(tx, tenantId, ids), await groupsRepo.contactsOf(tx, tenantId, ids), await groupsRepo.pinnedGroupIds(tx, tenantId, ids)];
    return rows.map((g) =>
      presentGroup(g, {
        hasPin: pinned.has(g.id),
        contactIds: contacts.filter((c) => c.groupId === g.id).map((c) => c.userId),
        siteIds: sitesOf.filter((s) => s.groupId === g.id).map((s) => s.siteId),
      }),
    );
  }

  async function view(tenantId: string, scope: SiteScope, id: string) {
    const g = await get(tenantId, scope, id);
    return (await present(db, tenantId, [g]))[0]!;
  }

  async function list(tenantId: string, scope: SiteScope, includeArchived = false) {
    const rows = await groupsRepo.list(db, tenantId, includeArchived);
    const views = await present(db, tenantId, rows);
    return scope === null ? views : views.filter((v) => v.siteIds.some((s) => scope.includes(s)));
  }

  /**
   * Whom the group's contacts may be: every active user who reaches one of its sites (`setContacts`
   * refuses the others), and its contacts as they are, each saying whether they still reach one
   * (a contact moved to another school stays listed, to be taken off). Asked by one who may change
   * the group (404 out of sight, 403 when it is shown beyond their sites).
   */
  async function contactCandidates(tenantId: string, scope: SiteScope, id: string) {
    const g = await getToChange(tenantId, scope, id, db);
    const siteIds = (await groupsRepo.siteIdsOf(db, tenantId, [g.id])).map((s) => s.siteId);
    const current = (await groupsRepo.contactsOf(db, tenantId, [g.id])).map((c) => c.userId);
    const contacts = new Set(current);
    return (await deps.users.contactCandidates(db, tenantId, siteIds, current)).map((u) => presentContactCandidate(u, contacts));
  }

  async function setContacts(tx: DbOrTx, tenantId: string, groupId: string, userIds: string[]) {
    const unique = [...new Set(userIds)];
    if (unique.length > 0) {
      const siteIds = (await groupsRepo.siteIdsOf(tx, tenantId, [groupId])).map((s) => s.siteId);
      const status = new Map((await deps.users.contactStatus(tx, tenantId, unique, siteIds)).map((u) => [u.id, u]));
      if (status.size !== unique.length) throw badRequest('unknown_contact', 'A contact is not a user of this tenant', 'contactIds');
      const field = (i: number) => `contactIds.${userIds.indexOf(unique[i]!)}`;
      // A disabled user is told nothing (notifyUsers skips them): as a contact, they would never be told.
      const off = unique.findIndex((u) => status.get(u)!.disabled);
      if (off >= 0) throw badRequest('contact_disabled', "A contact's account is disabled: they would never be told", field(off));
      // A contact is told of refusals at the group's sites: their reach must take in one of them.
      const out = unique.findIndex((u) => !status.get(u)!.reaches);
      if (out >= 0) throw badRequest('contact_out_of_reach', "A contact's account does not reach any site this group is shown at: they would never be told", field(out));
    }
    await groupsRepo.replaceContacts(tx, tenantId, groupId, unique);
  }

  async function setPin(tx: DbOrTx, tenantId: string, groupId: string, pin: string | null) {
    await groupsRepo.setPinHash(tx, tenantId, groupId, pin ? pinHashOf(groupId, pin) : null);
  }

  /**
   * A new group, shown at `input.siteIds` (after each site's groups). `scope`: a site-scoped
   * caller's sites, who must name one or more of theirs (else the group would be shown nowhere they
   * reach) and none beyond them (403).
   */
  async function create(tenantId: string, input: GroupCreate, actor: Actor, tx: DbOrTx = db, scope: SiteScope = null) {
    if (input.isStaffGroup && input.type === 'standard') throw badRequest('staff_flag_not_allowed', 'Only repeat and SCIM groups can be staff groups', 'isStaffGroup');
    const siteIds = [...new Set((input.siteIds ?? []).map((id) => id.toLowerCase()))];
    if (scope !== null && siteIds.length === 0) throw forbidden('A new group must be shown at one or more of your sites: name them in siteIds');
    assertHoldsSites(scope, siteIds, 'The new group');
    const options = toStoredOptions(signInOptionsInput.parse(input.options ?? {}));
    return inTransaction(tx, async (t) => {
      for (const [i, id] of siteIds.entries()) {
        const site = await sitesRepo.find(t, tenantId, id);
        if (!site) throw badRequest('unknown_site', 'One of the sites does not exist', `siteIds.${i}`);
        if (site.archivedAt) throw new AppError(409, 'site_archived', `The site ${site.name} is archived`, { field: `siteIds.${i}` });
      }
      const g = await groupsRepo.insert(t, { tenantId, name: input.name, type: input.type, colour: input.colour ?? '#1c7ed6', isStaffGroup: input.isStaffGroup ?? false, options });
      await sitesRepo.appendGroup(t, tenantId, siteIds, g.id);
      if (input.contactIds?.length) await setContacts(t, tenantId, g.id, input.contactIds);
      if (input.pin) await setPin(t, tenantId, g.id, input.pin);
      await recordAudit(t, tenantId, actor, { action: 'group.created', targetType: 'group', targetId: g.id, summary: `Group ${input.name} (${input.type}) created` });
      return (await present(t, tenantId, [g]))[0]!;
    });
  }

  async function update(tenantId: string, scope: SiteScope, id: string, patch: GroupPatch, actor: Actor) {
    return inTransaction(db, async (t) => {
      // Held until the change commits: an archive in between waits, or went first and is read here.
      const current = await getToChange(tenantId, scope, id, t, 'update');
      if (current.archivedAt) throw groupArchived();
      if (patch.isStaffGroup && current.type === 'standard') throw badRequest('staff_flag_not_allowed', 'Only repeat and SCIM groups can be staff groups', 'isStaffGroup');
      const set: Partial<typeof groups.$inferInsert> = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.colour !== undefined) set.colour = patch.colour;
      if (patch.isStaffGroup !== undefined) set.isStaffGroup = patch.isStaffGroup;
      if (patch.options !== undefined) set.options = toStoredOptions(patch.options);
      let row = current;
      if (Object.keys(set).length > 0) row = (await groupsRepo.update(t, tenantId, id, set)) ?? row;
      if (patch.contactIds !== undefined) await setContacts(t, tenantId, id, patch.contactIds);
      if (patch.pin !== undefined) await setPin(t, tenantId, id, patch.pin);
      const fields = Object.keys(patch);
      await recordAudit(t, tenantId, actor, { action: 'group.updated', targetType: 'group', targetId: id, summary: `Group ${row.name} updated`, data: { fields } });
      return (await present(t, tenantId, [row]))[0]!;
    });
  }

  /** `tx`: a caller's transaction to archive in (a savepoint of it), else its own. */
  async function archive(tenantId: string, scope: SiteScope, id: string, actor: Actor, now: Date, tx: DbOrTx = db) {
    return inTransaction(tx, async (t) => {
      // The row held (FOR UPDATE) from this read: a write into the group holds it too (FOR SHARE,
      // `groupsRepo.find`), so the archive waits for writes under way, and writes after it read the
      // group archived (409 group_archived); two archives at once stamp and announce it once.
      const current = await getToChange(tenantId, scope, id, t, 'update');
      const row = (await groupsRepo.update(t, tenantId, id, { archivedAt: current.archivedAt ?? now }))!;
      await recordAudit(t, tenantId, actor, { action: 'group.archived', targetType: 'group', targetId: row.id, summary: `Group ${current.name} archived` });
      // SCIM's cached credentials of the group are dropped on every instance (a SCIM group's token
      // stops working): named by the stored id, as SCIM keys them (the URL's may be in upper case).
      if (!current.archivedAt) await groupsRepo.announceArchived(t, row.id);
      return (await present(t, tenantId, [row]))[0]!;
    });
  }

  /** True when the group has no PIN or `pin` is right. */
  async function pinMatches(tx: DbOrTx, tenantId: string, groupId: string, pin: string | undefined): Promise<boolean> {
    const stored = await groupsRepo.pinHash(tx, tenantId, groupId);
    if (!stored) return true;
    if (!pin) return false;
    return safeEqual(stored, pinHashOf(groupId, pin));
  }

  async function hasPin(tx: DbOrTx, tenantId: string, groupId: string) {
    return Boolean(await groupsRepo.pinHash(tx, tenantId, groupId));
  }

  return { get, view, list, create, update, archive, pinMatches, hasPin, present, contactCandidates };
}

export type GroupsService = ReturnType<typeof createGroupsService>;
