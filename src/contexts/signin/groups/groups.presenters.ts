import type { SiteContactCandidate } from '../../accounts/index.js';
import type { GroupRow } from './groups.repo.js';
import { readOptions } from './groups.schemas.js';

/** A group's public shape: its options read back, whether it has a kiosk PIN (never the PIN), its contacts and sites. */
export function presentGroup(g: GroupRow, extra: { hasPin: boolean; contactIds: string[]; siteIds: string[] }) {
  return {
    id: g.id,
    name: g.name,
    type: g.type,
    colour: g.colour,
    isStaffGroup: g.isStaffGroup,
    options: readOptions(g.options),
    hasPin: extra.hasPin,
    contactIds: extra.contactIds,
    siteIds: extra.siteIds,
    archived: Boolean(g.archivedAt),
    createdAt: g.createdAt.toISOString(),
  };
}
export type GroupView = ReturnType<typeof presentGroup>;

/** A user the contact picker offers: who they are, whether they reach the group's sites, whether they are a contact now. */
export const presentContactCandidate = (u: SiteContactCandidate, contactIds: ReadonlySet<string>) => ({
  id: u.id,
  name: u.name,
  email: u.email,
  reaches: u.reaches,
  disabled: u.disabled,
  contact: contactIds.has(u.id),
});
