import type { Platform } from '../../../platform/platform.js';
import { createResolvedCache } from '../../../platform/cache.js';
import { hashToken } from '../../../platform/crypto.js';
import type { GroupsPort } from '../../signin/index.js';
import { UUID_RE } from '../users/users.repo.js';
import { accessRepo } from './access.repo.js';
import type { createBucketGate } from './bucket.js';
import { SCIM_TOKEN_PREFIX } from './tokens.js';

export type ScimCredential = { tenantId: string; groupId: string; tokenId: string; groupName: string };
/** A request's credential and its place in the group's token bucket: `retryAfter` 0 lets it through, else the seconds to wait. */
export type ScimAuth = { cred: ScimCredential; retryAfter: number };

/** NOTIFY channel of SCIM credential changes (payload: the group id): every instance drops what it cached of the group. */
export const SCIM_CHANGED_CHANNEL = 'threshold_scim_changed';

/**
 * The SCIM request's credential (its token, for the group of the URL) and its place in the group's token bucket.
 *
 * Credentials that resolved are kept in process memory for `cacheMs` (AUTH_CACHE_SECONDS, as
 * sessions and API keys; platform/cache.ts: at most 10,000, oldest out, a lookup overtaken by a
 * `forget` not kept), so a SCIM request costs no round trip for its
 * token and group. `forget(groupId)` drops a group's entries: a new token (which revokes the old
 * one) or a new rate limit does it on this instance and, through `SCIM_CHANGED_CHANNEL` (sent in
 * the same transaction), on every other; so does a group archived in sign-in, through sign-in's
 * `GROUPS_CHANGED_CHANNEL` (scim.routes.ts). A change by SQL is seen once the entry expires.
 */
export function createScimAuthentication(deps: Pick<Platform, 'db'> & { groups: GroupsPort }, buckets: Pick<ReturnType<typeof createBucketGate>, 'take'>, cacheMs = 0) {
  const { db } = deps;
  const groupTenants = new Map<string, { tenantId: string | undefined; until: number }>();
  const creds = createResolvedCache<ScimCredential>({ ttlMs: cacheMs, groupOf: (c) => c.groupId });
  /** The cache key of a well-formed token for a group (its hash and the group's id in lower case), else undefined. */
  const keyOf = (token: string | undefined, groupId: string) =>
    token?.startsWith(SCIM_TOKEN_PREFIX) && token.length <= 200 && UUID_RE.test(groupId) ? `${hashToken(token)}:${groupId.toLowerCase()}` : undefined;
  // A cached credential's bucket is the one this instance keeps (refreshed by each write behind).
  const fromMemory = (key: string): ScimAuth | undefined => {
    const known = creds.get(key);
    return known && { cred: known, retryAfter: buckets.take(known.groupId, known.tenantId, undefined) };
  };
  return {
    /**
     * The credential of a live token (only if it belongs to the group of the URL), read in one
     * statement with the group's bucket (or from memory, see above), and one request taken from
     * the group's token bucket in memory (see `createBucketGate`). `retryAfter` is 0 when the
     * request may go ahead, else the seconds until the bucket holds one again. Writes nothing on
     * the request's path.
     */
    async authenticate(token: string | undefined, groupId: string): Promise<ScimAuth | undefined> {
      const key = keyOf(token, groupId);
      if (!key) return undefined;
      const known = fromMemory(key);
      if (known) return known;
      const since = creds.stamp();
      const group = key.slice(key.indexOf(':') + 1);
      // The token with its bucket, and the group through sign-in's port, read at once (the group id is the URL's).
      const [row, g] = await Promise.all([accessRepo.tokenWithBucket(db, key.slice(0, key.indexOf(':')), group), deps.groups.scimGroup(db, group)]);
      if (!row || !g || g.archivedAt || g.tenantId !== row.tenantId) return undefined;
      const cred = { tenantId: row.tenantId, groupId: row.groupId, tokenId: row.tokenId, groupName: g.name };
      creds.set(key, cred, since);
      return { cred, retryAfter: buckets.take(cred.groupId, cred.tenantId, row.bucket) };
    },

    /**
     * `authenticate` without a promise when this instance holds the credential in memory (the
     * usual case), one request taken from the bucket likewise; undefined otherwise (not known
     * here, or no credential at all): then `authenticate` decides.
     */
    authenticateFromMemory(token: string | undefined, groupId: string): ScimAuth | undefined {
      const key = keyOf(token, groupId);
      return key ? fromMemory(key) : undefined;
    },

    /** Drops the cached credentials of a group (lower-case id), or all of them. */
    forget(groupId: string | undefined) {
      creds.drop(groupId);
    },

    /** The group of a SCIM URL, when it is one (to log rejected requests where the admin sees them). */
    async groupTenant(groupId: string): Promise<string | undefined> {
      if (!UUID_RE.test(groupId)) return undefined;
      const key = groupId.toLowerCase();
      const known = groupTenants.get(key);
      if (known && known.until > Date.now()) return known.tenantId;
      const tenantId = (await deps.groups.scimGroup(db, key))?.tenantId;
      // Remembered a minute, so a flood of rejected requests costs no read each (bounded, oldest out).
      if (groupTenants.size >= 10_000) groupTenants.delete(groupTenants.keys().next().value!);
      groupTenants.set(key, { tenantId, until: Date.now() + 60_000 });
      return tenantId;
    },
  };
}
