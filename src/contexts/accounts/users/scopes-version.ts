import { createHash } from 'node:crypto';

/**
 * The version of a user's scopes as one editor read them: a digest of the list (its order does not
 * matter), returned with the user and sent back with `PUT /api/users/:id/scopes` so that a save made
 * from a stale read is refused (409 `version_conflict`) instead of silently replacing a change
 * another administrator saved meanwhile. A digest, not a counter, so it needs no column: a list
 * changed and changed back has its old version again, and a save from that read loses nothing.
 */
export function scopesVersionOf(scopes: ReadonlyArray<{ kind: string; refId: string; level: string }>): string {
  const lines = scopes.map((s) => `${s.kind}:${s.refId.toLowerCase()}:${s.level}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('base64url').slice(0, 22);
}
