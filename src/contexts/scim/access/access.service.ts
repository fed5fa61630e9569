import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { notFound } from '../../../platform/errors.js';
import type { GroupsPort } from '../../signin/index.js';
import { scimBaseUrl } from '../resource/resource.presenters.js';
import { UUID_RE } from '../users/users.repo.js';
import { accessRepo } from './access.repo.js';
import { createBucketGate } from './bucket.js';
import { createScimAuthentication, SCIM_CHANGED_CHANNEL } from './authenticate.js';
import { createScimRequestLog } from './request-log.js';
import { createScimTokens } from './tokens.js';

export { SCIM_CHANGED_CHANNEL, type ScimAuth, type ScimCredential } from './authenticate.js';
export type { LogEntry } from './request-log.js';

/**
 * SCIM's access, by use case: tokens (`tokens.ts`), the per-group token bucket in memory, written
 * behind to the database so instances share it (`bucket.ts`), authentication of a request
 * (`authenticate.ts`), and the request log the SCIM tab shows (`request-log.ts`); their queries in
 * `access.repo.ts`. `groups`: sign-in's groups port (SCIM serves groups of type scim; it reads them
 * through the port).
 */
export function createScimAccessService(deps: Pick<Platform, 'db' | 'now' | 'config' | 'log'> & { groups: GroupsPort }) {
  const { db, now, config } = deps;
  const buckets = createBucketGate(db, now, (err) => deps.log.warn({ err }, 'could not write the SCIM rate buckets'));

  async function scimGroup(tx: DbOrTx, tenantId: string, groupId: string) {
    if (!UUID_RE.test(groupId)) return undefined;
    const g = await deps.groups.get(tx, tenantId, groupId);
    return g && g.type === 'scim' ? g : undefined;
  }
  const auth = createScimAuthentication(deps, buckets, config.authCacheSeconds * 1000);
  const tokens = createScimTokens(deps, scimGroup, { channel: SCIM_CHANGED_CHANNEL, forget: auth.forget });
  const requestLog = createScimRequestLog(deps);

  return {
    baseUrl: (groupId: string) => scimBaseUrl(config.publicUrl, groupId),
    generateToken: tokens.generateToken,
    status: tokens.status,
    authenticate: auth.authenticate,
    authenticateFromMemory: auth.authenticateFromMemory,
    groupTenant: auth.groupTenant,
    /** Drops this instance's cached credentials of a group (a `SCIM_CHANGED_CHANNEL` notification), or all. */
    forgetCredentials: auth.forget,
    log: requestLog.log,

    /**
     * How far a caller scoped to sites (`sites`, null for all) reaches a SCIM group: `none` unless
     * it is shown at one of them (a 404, as a group of another tenant), `all` when every site it
     * is shown at is theirs (what changing its token or limit needs: the token writes members
     * every one of those sites sees), else `some`.
     */
    async reachOf(tenantId: string, sites: readonly string[] | null, groupId: string): Promise<'all' | 'some' | 'none'> {
      if (sites === null) return 'all';
      const shownAt = (await scimGroup(db, tenantId, groupId)) ? await deps.groups.siteIdsOf(db, tenantId, groupId) : [];
      if (!shownAt.some((s) => sites.includes(s))) return 'none';
      return shownAt.every((s) => sites.includes(s)) ? 'all' : 'some';
    },

    /** A page of the group's request log (404 unless a SCIM group of the tenant). */
    async activity(tenantId: string, groupId: string, page: { limit: number; before?: Date }) {
      if (!(await scimGroup(db, tenantId, groupId))) throw notFound('Group');
      return requestLog.page(tenantId, groupId, page);
    },
    cleanup: requestLog.cleanup,

    /** Sets a group's rate limit (defaults: bursts of 1000, then 200 per second); 404 unless a SCIM group of the tenant. */
    async setRateLimit(tenantId: string, groupId: string, limit: { burst: number; perSecond: number }) {
      const g = await scimGroup(db, tenantId, groupId);
      if (!g) throw notFound('Group');
      await accessRepo.setRateLimit(db, tenantId, groupId, limit, now());
      buckets.forget(g.id);
      // The next request of the group reads the new limit with its token (here and on every instance).
      auth.forget(g.id);
      await accessRepo.announceChange(db, SCIM_CHANGED_CHANNEL, g.id);
    },

    /** Schedules the write of the requests taken from the buckets (once a response has been sent). */
    afterResponse: () => buckets.afterResponse(),
    /** Writes the requests taken from the buckets now (on close). */
    flushBuckets: () => buckets.flush(),
  };
}

export type ScimAccessService = ReturnType<typeof createScimAccessService>;
