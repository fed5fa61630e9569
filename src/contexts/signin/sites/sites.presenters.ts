import type { SiteRow, SiteGroupRow } from './sites.repo.js';

/** A site's public shape, with the live groups shown on it in their order. */
export function presentSite(s: SiteRow, siteGroupRows: readonly SiteGroupRow[]) {
  return {
    id: s.id,
    name: s.name,
    address: s.address,
    timezone: s.timezone,
    archived: Boolean(s.archivedAt),
    groups: siteGroupRows
      .filter((g) => g.siteId === s.id && !g.archivedAt)
      .map((g) => ({ id: g.id, name: g.name, type: g.type, colour: g.colour, position: g.position })),
    createdAt: s.createdAt.toISOString(),
  };
}
