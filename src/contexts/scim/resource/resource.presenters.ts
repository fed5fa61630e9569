import { URN } from '../scim.schema.js';

/** What every SCIM resource's public shape shares: the JSON type, the group's base URL, the ListResponse. */
export type ScimJson = Record<string, unknown>;

export const scimBaseUrl = (publicUrl: string, groupId: string) => `${publicUrl}/scim/v2/groups/${groupId}`;

/** A ListResponse: index paging says `startIndex`; cursor paging (RFC 9865) `nextCursor` when there is more. */
export function listResponse(resources: ScimJson[], total: number, page: number | { startIndex: number } | { nextCursor: string | undefined }): ScimJson {
  const where = typeof page === 'number' ? { startIndex: page } : 'startIndex' in page ? { startIndex: page.startIndex } : page.nextCursor ? { nextCursor: page.nextCursor } : {};
  return { schemas: [URN.listResponse], totalResults: total, ...where, itemsPerPage: resources.length, Resources: resources };
}

/** `listResponse` of an index page around resources already written as JSON text (comma-separated), `items` of them. */
export function listResponseText(resourcesJson: string, items: number, total: number, startIndex: number): string {
  return `{"schemas":${JSON.stringify([URN.listResponse])},"totalResults":${total},"startIndex":${startIndex},"itemsPerPage":${items},"Resources":[${resourcesJson}]}`;
}
