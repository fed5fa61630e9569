import type { Platform } from '../../../platform/platform.js';
import { notFound } from '../../../platform/errors.js';
import { readOptions } from '../groups/groups.schemas.js';
import { inScope, type SiteScope } from '../access.js';
import { liveRepo } from './live.repo.js';

/** Who is on a site now, per group. */
export function createOnSiteService(deps: Pick<Platform, 'db'>) {
  const { db } = deps;
  return {
    async onSite(tenantId: string, scope: SiteScope, siteId: string) {
      const site = await liveRepo.site(db, tenantId, siteId);
      if (!site || !inScope(scope, site.id)) throw notFound('Site');
      const rows = await liveRepo.onSite(db, tenantId, siteId);
      const groups = new Map<string, { id: string; name: string; colour: string; showOnFireList: boolean; people: Array<{ visitId: string; memberId: string | null; personName: string; signedInAt: string }> }>();
      for (const r of rows) {
        let g = groups.get(r.groupId);
        if (!g) {
          g = { id: r.groupId, name: r.groupName, colour: r.groupColour, showOnFireList: readOptions(r.groupOptions).showOnFireList, people: [] };
          groups.set(r.groupId, g);
        }
        g.people.push({ visitId: r.visitId, memberId: r.memberId, personName: r.personName, signedInAt: r.signedInAt.toISOString() });
      }
      const open = await liveRepo.openAt(db, tenantId, siteId);
      return {
        site: { id: site.id, name: site.name, timezone: site.timezone },
        total: rows.length,
        groups: [...groups.values()],
        openRollCallId: open?.id ?? null,
      };
    },
  };
}
export type OnSiteService = ReturnType<typeof createOnSiteService>;
