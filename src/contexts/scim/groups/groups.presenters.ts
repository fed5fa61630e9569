import { URN } from '../scim.schema.js';
import { etagOf } from '../resource/etag.js';
import type { ScimJson } from '../resource/resource.presenters.js';

export type GroupView = {
  id: string;
  displayName: string;
  externalId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  members?: Array<{ id: string; display: string }>;
};

/** A SCIM Group as clients see it: members (when loaded) as references to Users, `meta` with the ETag. */
export function presentGroup(g: GroupView, base: string): ScimJson {
  return {
    schemas: [URN.group],
    id: g.id,
    displayName: g.displayName,
    ...(g.externalId ? { externalId: g.externalId } : {}),
    ...(g.members ? { members: g.members.map((m) => ({ value: m.id, display: m.display, $ref: `${base}/Users/${m.id}`, type: 'User' })) } : {}),
    meta: {
      resourceType: 'Group',
      created: g.createdAt.toISOString(),
      lastModified: g.updatedAt.toISOString(),
      location: `${base}/Groups/${g.id}`,
      version: etagOf(g.version),
    },
  };
}
