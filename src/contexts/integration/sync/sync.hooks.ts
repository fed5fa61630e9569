import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { AppError } from '../../../platform/errors.js';
import type { GroupsPort, MemberChangeKind, MemberChangeListener } from '../../signin/index.js';
import type { ProfileChangeListener, ProfileUpdateGuard } from '../../record/index.js';
import { integrationRepo, type PersonLinkRow } from '../integration.repo.js';
import type { GroupsInUseCache } from '../links/groups-in-use.js';

/** The per-person sync job (see sync.service.ts). */
export const SYNC_PERSON_JOB = 'integration.sync-person';

export const IDP_OWNED_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'role', 'startDate', 'leavingDate'] as const;

/**
 * The two-way sync's hooks into the other contexts (given to sign-in and the record by the
 * composition root) and the queueing they share with the sync service. Needs only the job queue
 * and sign-in's groups port, so it is built before the contexts it listens to.
 */
export function createSyncHooks(deps: Pick<Platform, 'jobs'> & { groups: GroupsPort; groupsInUse: GroupsInUseCache }) {
  /**
   * Queues a sync of each linked person (in the caller's transaction; a queued one is not queued
   * twice), all of them in a few statements (`sendMany`), however many links.
   */
  async function enqueueLinks(tx: DbOrTx, links: Array<Pick<PersonLinkRow, 'id' | 'tenantId'>>) {
    await deps.jobs.sendMany(tx, SYNC_PERSON_JOB, links.map((l) => ({ data: { tenantId: l.tenantId, linkId: l.id }, singletonKey: l.id })), { retryLimit: 5, retryDelay: 30, retryBackoff: true });
  }
  async function enqueueForMembers(tx: DbOrTx, tenantId: string, memberIds: string[]) {
    await enqueueLinks(tx, await integrationRepo.linkIdsOfMembers(tx, tenantId, memberIds));
  }
  async function enqueueForProfiles(tx: DbOrTx, tenantId: string, profileIds: string[]) {
    await enqueueLinks(tx, await integrationRepo.linksOfProfiles(tx, tenantId, profileIds));
  }

  /** Why a record edit of these fields is refused (members of SCIM groups), or null. */
  async function idpOwnedReason(tx: DbOrTx, tenantId: string, profileId: string, fields: string[]): Promise<string | null> {
    const owned = fields.filter((f) => (IDP_OWNED_FIELDS as readonly string[]).includes(f));
    if (owned.length === 0) return null;
    const links = await integrationRepo.linksOfProfiles(tx, tenantId, [profileId]);
    const groups = await deps.groups.byIds(tx, tenantId, links.map((l) => l.groupId));
    const scim = groups.find((g) => g.type === 'scim');
    return scim ? `${owned.join(', ')} come from the identity provider for members of ${scim.name}; change them there` : null;
  }

  /**
   * Member changes from anywhere but the sync itself queue a sync of the linked person. A change
   * in groups with no linked people (known from memory, see groups-in-use.ts) reads nothing.
   */
  const hearsMembers = async (db: DbOrTx, change: MemberChangeKind) => {
    if (change.source === 'sync' || change.change === 'created') return false;
    const inUse = await deps.groupsInUse.of(db, change.tenantId);
    return change.groupIds.some((g) => inUse.withPeople.has(g) || inUse.linked.has(g));
  };
  const memberListener: MemberChangeListener = {
    hears: hearsMembers,
    async changed(tx, change) {
      if (await hearsMembers(tx, change)) await enqueueForMembers(tx, change.tenantId, change.memberIds);
    },
  };
  /** Record edits of the fields sync shares queue a sync (the sync's own writes bypass the record's service). */
  const profileListener: ProfileChangeListener = async (tx, change) => {
    if (!change.fields.some((f) => (IDP_OWNED_FIELDS as readonly string[]).includes(f))) return;
    await enqueueForProfiles(tx, change.tenantId, change.profileIds);
  };
  /** Refuses a record edit of a field the identity provider owns. */
  const idpGuard: ProfileUpdateGuard = async (tx, attempt) => {
    const owned = attempt.fields.filter((f) => (IDP_OWNED_FIELDS as readonly string[]).includes(f));
    const reason = await idpOwnedReason(tx, attempt.tenantId, attempt.profileId, owned);
    if (reason) throw new AppError(409, 'idp_owned_field', reason, { field: owned[0], extra: { fields: owned } });
  };

  return { enqueueLinks, enqueueForMembers, enqueueForProfiles, idpOwnedReason, memberListener, profileListener, idpGuard };
}
