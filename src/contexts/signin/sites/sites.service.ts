import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { AppError, badRequest, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { inScope, type SiteScope } from '../access.js';
import { sitesRepo } from './sites.repo.js';
import { presentSite } from './sites.presenters.js';
import { canonicalTimezone } from './sites.schemas.js';

export type SiteInput = { name: string; address?: string; timezone?: string };


export function createSitesService(deps: Pick<Platform, 'db'>) {
  const { db } = deps;

  async function get(tenantId: string, scope: SiteScope, id: string, tx: DbOrTx = db) {
    const site = await sitesRepo.find(tx, tenantId, id);
    if (!site || !inScope(scope, site.id)) throw notFound('Site');
    return site;
  }

  async function view(tenantId: string, scope: SiteScope, id: string) {
    const site = await get(tenantId, scope, id);
    return presentSite(site, await sitesRepo.groupsOf(db, tenantId, [site.id]));
  }

  async function list(tenantId: string, scope: SiteScope, includeArchived = false) {
    const rows = await sitesRepo.list(db, tenantId, scope, includeArchived);
    const gs = await sitesRepo.groupsOf(db, tenantId, rows.map((r) => r.id));
    return rows.map((s) => presentSite(s, gs));
  }

  /** A zone the schema let through (Node's Intl knows it) that the database's tzdata lacks is a 400, not a history page that fails later. */
  async function checkTimezone(t: DbOrTx, given: string | undefined): Promise<string | undefined> {
    if (given === undefined) return undefined;
    let tz: string;
    try {
      tz = canonicalTimezone(given);
    } catch {
      throw badRequest('unknown_timezone', `Not an IANA time zone: ${given}`, 'timezone');
    }
    if (!(await sitesRepo.knowsTimezone(t, tz))) throw badRequest('unknown_timezone', `The database does not know the time zone ${tz}; update its time zone data or choose another zone`, 'timezone');
    return tz;
  }

  async function create(tenantId: string, input: SiteInput, actor: Actor, tx: DbOrTx = db) {
    return inTransaction(tx, async (t) => {
      const timezone = (await checkTimezone(t, input.timezone)) ?? 'Europe/London';
      const site = await sitesRepo.insert(t, { tenantId, name: input.name, address: input.address ?? '', timezone });
      await recordAudit(t, tenantId, actor, { action: 'site.created', targetType: 'site', targetId: site.id, summary: `Site ${input.name} created` });
      return presentSite(site, []);
    });
  }

  async function update(tenantId: string, scope: SiteScope, id: string, patch: Partial<SiteInput>, actor: Actor) {
    return inTransaction(db, async (t) => {
      await get(tenantId, scope, id, t);
      const timezone = await checkTimezone(t, patch.timezone);
      const site = await sitesRepo.update(t, tenantId, id, timezone === undefined ? patch : { ...patch, timezone });
      await recordAudit(t, tenantId, actor, { action: 'site.updated', targetType: 'site', targetId: id, summary: `Site ${site!.name} updated`, data: { fields: Object.keys(patch) } });
      return presentSite(site!, await sitesRepo.groupsOf(t, tenantId, [id]));
    });
  }

  async function archive(tenantId: string, scope: SiteScope, id: string, actor: Actor, now: Date) {
    return inTransaction(db, async (t) => {
      const current = await get(tenantId, scope, id, t);
      const site = await sitesRepo.update(t, tenantId, id, { archivedAt: current.archivedAt ?? now });
      await recordAudit(t, tenantId, actor, { action: 'site.archived', targetType: 'site', targetId: id, summary: `Site ${site!.name} archived` });
      return presentSite(site!, await sitesRepo.groupsOf(t, tenantId, [id]));
    });
  }

  /** Undoes an archive (a site archived by mistake); a live site is answered as it is, with no audit row. */
  async function restore(tenantId: string, scope: SiteScope, id: string, actor: Actor) {
    return inTransaction(db, async (t) => {
      const current = await get(tenantId, scope, id, t);
      if (!current.archivedAt) return presentSite(current, await sitesRepo.groupsOf(t, tenantId, [id]));
      const site = await sitesRepo.update(t, tenantId, id, { archivedAt: null });
      await recordAudit(t, tenantId, actor, { action: 'site.restored', targetType: 'site', targetId: id, summary: `Site ${site!.name} restored` });
      return presentSite(site!, await sitesRepo.groupsOf(t, tenantId, [id]));
    });
  }

  /** Replaces the groups shown on the site, in the order given. */
  async function setGroups(tenantId: string, scope: SiteScope, id: string, groupIds: string[], actor: Actor) {
    // A uuid in any case is the same group: two spellings of one are a duplicate (they read as a missing group).
    const ids = groupIds.map((g) => g.toLowerCase());
    if (new Set(ids).size !== ids.length) throw badRequest('duplicate_group', 'A group appears twice', 'groupIds');
    return inTransaction(db, async (t) => {
      const site = await get(tenantId, scope, id, t);
      // A site-scoped caller puts on their site only groups they already see: another school's group (and so its members) is not theirs to take in.
      const seen = scope === null ? null : await sitesRepo.groupsShownAt(t, tenantId, ids, scope);
      // Held until the site's groups commit: a group archived meanwhile is read archived, or waits.
      const found = (await sitesRepo.groupsAmong(t, tenantId, ids, true)).filter((g) => seen === null || seen.has(g.id));
      if (found.length !== ids.length) {
        const missing = ids.findIndex((g) => !found.some((f) => f.id === g));
        throw badRequest('unknown_group', 'One of the groups does not exist', `groupIds.${missing}`);
      }
      // An archived group shows nowhere: answering 200 with it left out of the site's groups lost it
      // without a word. 409, as every write into an archived group answers.
      const archived = found.find((g) => g.archivedAt);
      if (archived) throw new AppError(409, 'group_archived', `The group ${archived.name} is archived`, { field: `groupIds.${ids.indexOf(archived.id)}` });
      await sitesRepo.replaceGroups(t, tenantId, id, ids);
      await recordAudit(t, tenantId, actor, { action: 'site.groups_set', targetType: 'site', targetId: id, summary: `Groups of site ${site.name} set`, data: { groupIds: ids } });
      return presentSite(site, await sitesRepo.groupsOf(t, tenantId, [id]));
    });
  }

  return { get, view, list, create, update, archive, restore, setGroups };
}

export type SitesService = ReturnType<typeof createSitesService>;
