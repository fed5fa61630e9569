import type { Platform } from '../../../platform/platform.js';
import { hashToken } from '../../../platform/crypto.js';
import type { GroupsPort } from '../../signin/index.js';
import { UUID_RE } from '../users/users.repo.js';
import { accessRepo } from './access.repo.js';
import type { createBucketGate } from './bucket.js';
import { SCIM_TOKEN_PREFIX } from './tokens.js';

export type ScimCredential = { tenantId: string; groupId: string; tokenId: string; groupName: string };

/** The SCIM request's credential (its token, for the group of the URL) and its place in the group's token bucket. */
export function createScimAuthentication(deps: Pick<Platform, 'db'> & { groups: GroupsPort }, buckets: Pick<ReturnType<typeof createBucketGate>, 'take'>) {
  const { db } = deps;
  const groupTenants = new Map<string, { tenantId: string | undefined; until: number }>();
  return {
    /**
     * The credential of a live token (only if it belongs to the group of the URL), read in one
     * statement with the group's bucket, and one request taken from the group's token bucket in
     * memory (see `createBucketGate`). `retryAfter` is 0 when the request may go ahead, else the
     * seconds until the bucket holds one again. Writes nothing on the request's path.
     */
    async authenticate(token: string | undefined, groupId: string): Promise<{ cred: ScimCredential; retryAfter: number } | undefined> {
      if (!token?.startsWith(SCIM_TOKEN_PREFIX) || token.length > 200 || !UUID_RE.test(groupId)) return undefined;
      // The token with its bucket, and the group through sign-in's port, read at once (the group id is the URL's).
      const [row, group] = await Promise.all([accessRepo.tokenWithBucket(db, hashToken(token), groupId.toLowerCase()), deps.groups.scimGroup(db, groupId.toLowerCase())]);
      if (!row || !group || group.archivedAt || group.tenantId !== row.tenantId) return undefined;
      const cred = { tenantId: row.tenantId, groupId: row.groupId, tokenId: row.tokenId, groupName: group.name };
      return { cred, retryAfter: buckets.take(cred.groupId, cred.tenantId, row.bucket) };
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
