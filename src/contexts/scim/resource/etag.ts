import { preconditionFailed } from '../scim.errors.js';

/**
 * Versions as weak ETags (RFC 7644 §3.14): `meta.version` and the `ETag` header are `W/"n"`, n
 * the row's version, bumped by every change (a group's also when its membership or a member's
 * display name changes). Comparison is weak: `W/"3"` and `"3"` match.
 */
export const etagOf = (version: number) => `W/"${version}"`;

function matches(header: string, version: number): boolean {
  const want = `"${version}"`;
  return header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//i, '') === want);
}

/** If-Match on PUT/PATCH/DELETE: a 412 when the resource has moved on. */
export function assertIfMatch(header: string | undefined, version: number): void {
  if (header === undefined || header.trim() === '') return;
  if (!matches(header, version)) throw preconditionFailed(`The resource is at version ${etagOf(version)}, not ${header.slice(0, 100)}`);
}

/** If-None-Match on GET: true when the client's copy is current (answer 304). */
export function notModified(header: string | undefined, version: number): boolean {
  return header !== undefined && header.trim() !== '' && matches(header, version);
}
