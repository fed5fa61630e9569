import type { Platform } from '../../../platform/platform.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { isUniqueViolation } from '../../../platform/db/sqlstate.js';
import { badRequest, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { notifyRole } from '../../accounts/index.js';
import type { RatingMode } from '../integration.tables.js';
import { integrationRepo } from '../integration.repo.js';
import { linksRepo } from './links.repo.js';
import { presentLink } from './links.presenters.js';
import type { RecordPort } from '../../record/index.js';
import { groupArchived, type GroupsPort } from '../../signin/index.js';
import type { GroupsInUseCache } from './groups-in-use.js';
import type { CallerReach } from '../access.js';

export type LinkInput = { organisationId: string; ratingMode?: RatingMode; ratingSystemIds?: string[] };

/** Group ↔ organisation links, the per-group rating system choice, and the tenant setting. */
export function createLinksService(deps: Pick<Platform, 'db' | 'now' | 'jobs'> & { record: RecordPort; groups: GroupsPort; groupsInUse: GroupsInUseCache }) {
  const { db, now, record } = deps;

  /**
   * The tenant's links; `reach`: a scoped caller's sites and organisations (null for all of a kind).
   * A link is its group's (what the group checks at sign-in): it is listed with a group the caller
   * reaches (shown at one of their sites) and left out otherwise, so a caller scoped to organisations
   * alone, who reaches no site, lists none. The linked organisation is named only to a caller who
   * reaches it: to one scoped to a site alone it is an id (decision 046, reach).
   */
  async function list(tenantId: string, reach: CallerReach = { sites: null, organisations: null }) {
    const all = await integrationRepo.groupLinks(db, tenantId);
    const reached = await deps.groups.shownWithin(db, tenantId, all.map((l) => l.groupId), reach.sites);
    const links = all.filter((l) => reached.has(l.groupId));
    const groupRows = await deps.groups.byIds(db, tenantId, links.map((l) => l.groupId));
    const orgs = new Map<string, string | undefined>();
    for (const l of links) {
      if (!orgs.has(l.organisationId)) orgs.set(l.organisationId, await organisationNameFor(tenantId, l.organisationId, reach.organisations));
    }
    return links.map((l) => {
      const g = groupRows.find((x) => x.id === l.groupId);
      return presentLink(l, { groupName: g?.name, groupType: g?.type, organisationName: orgs.get(l.organisationId) });
    });
  }

  /** An organisation's name, for a caller who reaches it (`organisations`: theirs, null for all). */
  async function organisationNameFor(tenantId: string, organisationId: string, organisations: readonly string[] | null) {
    if (organisations !== null && !organisations.includes(organisationId)) return undefined;
    return (await record.organisation(db, tenantId, organisationId))?.name ?? '';
  }

  /** A group's Integrations tab; out of `reach` (as `list`) the group is not found, as in sign-in, and its organisation unnamed. */
  async function get(tenantId: string, groupId: string, reach: CallerReach = { sites: null, organisations: null }) {
    const group = await deps.groups.get(db, tenantId, groupId);
    if (!group) throw notFound('Group');
    if (!(await deps.groups.shownWithin(db, tenantId, [group.id], reach.sites)).has(group.id)) throw notFound('Group');
    const link = await integrationRepo.groupLink(db, tenantId, groupId);
    const organisationName = link ? await organisationNameFor(tenantId, link.organisationId, reach.organisations) : undefined;
    return { group, link, organisationName };
  }

  /**
   * Links the group (or changes its link). The tenant's owners are told of a new organisation,
   * unless `opts.notify` is false: a set-up's own link (the demo's seeding), which is nobody's news.
   */
  async function link(tenantId: string, groupId: string, input: LinkInput, actor: Actor, opts: { notify?: boolean } = {}) {
    try {
      return await linkOnce(tenantId, groupId, input, actor, opts);
    } catch (err) {
      // Another request linked the group at the same moment (both found no link): change its link.
      if (isUniqueViolation(err)) return linkOnce(tenantId, groupId, input, actor, opts);
      throw err;
    }
  }

  async function linkOnce(tenantId: string, groupId: string, input: LinkInput, actor: Actor, opts: { notify?: boolean }) {
    return inTransaction(db, async (tx) => {
      // Held until the link commits: an archive of the group waits for it, or went first and is read here.
      const [group] = await deps.groups.holdForWrite(tx, tenantId, [groupId]);
      if (!group) throw notFound('Group');
      if (group.type === 'standard') {
        throw conflict('standard_group', 'Standard groups cannot be linked: visitors in them have no lasting profile. Link a repeat or SCIM group instead');
      }
      if (group.archivedAt) throw groupArchived();
      const org = await record.organisation(tx, tenantId, input.organisationId);
      if (!org) throw notFound('Organisation');
      const ratingMode = input.ratingMode ?? 'all';
      const ratingSystemIds = ratingMode === 'selected' ? [...new Set(input.ratingSystemIds ?? [])] : [];
      if (ratingMode === 'selected') {
        if (ratingSystemIds.length === 0) throw badRequest('rating_systems_required', 'Choose at least one rating system to check', 'ratingSystemIds');
        const known = new Set((await record.ratingSystems(tx, tenantId)).map((s) => s.id));
        const unknown = ratingSystemIds.find((id) => !known.has(id));
        if (unknown) throw badRequest('unknown_rating_system', `Unknown rating system ${unknown}`, 'ratingSystemIds');
      }
      const existing = await integrationRepo.groupLink(tx, tenantId, groupId);
      const at = now();
      const row = existing
        ? await linksRepo.update(tx, tenantId, groupId, { organisationId: org.id, ratingMode, ratingSystemIds, updatedAt: at })
        : await linksRepo.insert(tx, { tenantId, groupId, organisationId: org.id, ratingMode, ratingSystemIds, createdBy: actor.label, createdAt: at, updatedAt: at });
      // The member listeners of every instance learn the group is linked (groups-in-use.ts).
      if (!existing) await deps.groupsInUse.changed(tx, tenantId);
      const changedOrg = !existing || existing.organisationId !== org.id;
      await recordAudit(tx, tenantId, actor, {
        action: existing ? 'integration.link_updated' : 'integration.group_linked',
        targetType: 'group',
        targetId: groupId,
        summary: `Group ${group.name} linked to ${org.name}`,
        data: { organisationId: org.id, ratingMode, ratingSystemIds },
      });
      if (changedOrg && opts.notify !== false) {
        await notifyRole(tx, deps, tenantId, ['owner'], {
          title: 'Group linked to the Central Record',
          body: `${actor.label} linked the group "${group.name}" to ${org.name}.`,
          link: `/signin/groups/${groupId}/integrations`,
        });
      }
      return presentLink(row, { groupName: group.name, groupType: group.type, organisationName: org.name });
    });
  }

  async function unlink(tenantId: string, groupId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const group = await deps.groups.get(tx, tenantId, groupId);
      if (!group) throw notFound('Group');
      const existing = await integrationRepo.groupLink(tx, tenantId, groupId);
      if (!existing) throw notFound('Link');
      await linksRepo.remove(tx, tenantId, groupId);
      await deps.groupsInUse.changed(tx, tenantId);
      await recordAudit(tx, tenantId, actor, { action: 'integration.group_unlinked', targetType: 'group', targetId: groupId, summary: `Group ${group.name} unlinked`, data: { organisationId: existing.organisationId } });
      await notifyRole(tx, deps, tenantId, ['owner'], {
        title: 'Group unlinked from the Central Record',
        body: `${actor.label} unlinked the group "${group.name}".`,
        link: `/signin/groups/${groupId}/integrations`,
      });
    });
  }

  async function settings(tenantId: string) {
    const s = await integrationRepo.settings(db, tenantId);
    return { includeRecordInSafetyCheck: s.includeRecordInSafetyCheck };
  }

  async function saveSettings(tenantId: string, input: { includeRecordInSafetyCheck: boolean }, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const s = await integrationRepo.saveSettings(tx, tenantId, input.includeRecordInSafetyCheck, now());
      await recordAudit(tx, tenantId, actor, {
        action: 'integration.settings_updated',
        targetType: 'tenant',
        targetId: tenantId,
        summary: `Central Record criteria ${s.includeRecordInSafetyCheck ? 'included in' : 'left out of'} the safety check`,
        data: { ...input },
      });
      return { includeRecordInSafetyCheck: s.includeRecordInSafetyCheck };
    });
  }

  return { list, get, link, unlink, settings, saveSettings };
}

export type LinksService = ReturnType<typeof createLinksService>;
