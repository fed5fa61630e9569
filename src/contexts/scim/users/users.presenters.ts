import { URN } from '../scim.schema.js';
import { isObject } from '../resource/canonical.js';
import { etagOf } from '../resource/etag.js';
import type { ScimJson } from '../resource/resource.presenters.js';
import { docFromRow, type ScimUserRow } from './users.repo.js';

/** A SCIM User as clients see it: its stored document, the manager as a reference, `meta` with the ETag. */
export function presentUser(row: ScimUserRow, base: string): ScimJson {
  const doc = docFromRow(row);
  const ent = doc[URN.enterprise];
  if (isObject(ent) && isObject(ent.manager) && typeof ent.manager.value === 'string') {
    ent.manager = { value: ent.manager.value, $ref: `${base}/Users/${ent.manager.value}` };
  }
  return {
    schemas: isObject(ent) ? [URN.user, URN.enterprise] : [URN.user],
    id: row.memberId,
    ...doc,
    meta: {
      resourceType: 'User',
      created: row.createdAt.toISOString(),
      lastModified: row.updatedAt.toISOString(),
      location: `${base}/Users/${row.memberId}`,
      version: etagOf(row.version),
    },
  };
}
