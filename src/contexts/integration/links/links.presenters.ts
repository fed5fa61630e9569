import type { GroupLinkRow } from '../integration.repo.js';
import type { GroupRow } from '../../signin/index.js';

export function presentLink(l: GroupLinkRow, extra: { groupName?: string; groupType?: string; organisationName?: string } = {}) {
  return {
    groupId: l.groupId,
    groupName: extra.groupName ?? null,
    groupType: extra.groupType ?? null,
    organisationId: l.organisationId,
    organisationName: extra.organisationName ?? null,
    ratingMode: l.ratingMode,
    ratingSystemIds: l.ratingSystemIds,
    createdBy: l.createdBy,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
}

/** A group's Integrations tab: whether it can be linked (and why not), and its link. */
export function presentGroupLinkView(group: Pick<GroupRow, 'id' | 'name' | 'type'>, link: GroupLinkRow | undefined, organisationName: string | undefined) {
  const linkable = group.type !== 'standard';
  return {
    group: { id: group.id, name: group.name, type: group.type, linkable, reason: linkable ? null : 'Standard groups cannot be linked: only repeat and SCIM groups have lasting members' },
    link: link ? presentLink(link, { groupName: group.name, groupType: group.type, organisationName }) : null,
  };
}
