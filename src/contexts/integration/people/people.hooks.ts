import type { Platform } from '../../../platform/platform.js';
import type { MemberChangeKind, MemberChangeListener } from '../../signin/index.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import type { ProfileChangeListener } from '../../record/index.js';
import { integrationRepo } from '../integration.repo.js';
import { peopleRepo } from './people.repo.js';
import type { GroupsInUseCache } from '../links/groups-in-use.js';

/** Imports the members a change created, if their group is linked (see newMemberListener). */
export const IMPORT_NEW_MEMBERS_JOB = 'integration.import-new-members';

/** The people feature's hooks into sign-in and the record (given to them by the composition root). */
export function createPeopleHooks(deps: Pick<Platform, 'jobs' | 'now'> & { groupsInUse: GroupsInUseCache }) {
  /**
   * A member added to a linked group (by hand, CSV, SCIM…) is imported by a job right after the
   * change commits. A change in groups none of which is linked queues nothing and, the tenant's
   * linked groups being known from memory (groups-in-use.ts), reads nothing either.
   */
  const hearsNewMembers = async (db: DbOrTx, change: MemberChangeKind) => {
    if (change.change !== 'created' && change.change !== 'restored') return false;
    const inUse = await deps.groupsInUse.of(db, change.tenantId);
    return change.groupIds.some((g) => inUse.linked.has(g));
  };
  const newMemberListener: MemberChangeListener = {
    hears: hearsNewMembers,
    async changed(tx, change) {
      if (!(await hearsNewMembers(tx, change))) return;
      await deps.jobs.send(tx, IMPORT_NEW_MEMBERS_JOB, { tenantId: change.tenantId, memberIds: change.memberIds }, { retryLimit: 5, retryDelay: 30, retryBackoff: true });
    },
  };

  /**
   * The record is about to erase profiles (on request, or at the end of retention): their linked
   * members go on the exclusion list, so the next import does not recreate them. The exclusion
   * keeps no personal data of the erased profile.
   */
  const profileErasedListener: ProfileChangeListener = async (tx, change) => {
    if (change.change !== 'erased') return;
    const links = await integrationRepo.linksOfProfiles(tx, change.tenantId, change.profileIds);
    await peopleRepo.exclude(
      tx,
      change.tenantId,
      links.map((l) => ({ memberId: l.memberId, reason: 'Linked profile erased in the Central Record', profileSnapshot: { profileId: l.profileId, erased: true }, createdBy: 'Central Record', createdAt: deps.now() })),
    );
  };

  return { newMemberListener, profileErasedListener };
}
