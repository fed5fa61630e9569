import type { Platform } from '../../../platform/platform.js';
import { notFound } from '../../../platform/errors.js';
import type { GroupsPort, MembersPort } from '../../signin/index.js';
import type { RecordReadinessOf } from '../safety/record-check.js';

/** Whether the Central Record lets a member sign in now, and why not (what the safety check would say of the record). */
export function createMemberReadiness(deps: Pick<Platform, 'db' | 'now'> & { members: MembersPort; groups: Pick<GroupsPort, 'shownWithin'>; recordReadiness: RecordReadinessOf }) {
  const { db, now, members, groups, recordReadiness } = deps;

  /** `sites`: a site-scoped caller's sites (null for all), outside which the member is not found, as in sign-in. */
  async function readiness(tenantId: string, memberId: string, sites: readonly string[] | null = null) {
    const m = await members.get(db, tenantId, memberId);
    if (!m || m.deletedAt) throw notFound('Member');
    if (!(await groups.shownWithin(db, tenantId, [m.groupId], sites)).has(m.groupId)) throw notFound('Member');
    const r = await recordReadiness(db, tenantId, m.groupId, m.id, now());
    return r.applies ? { applies: true, ready: r.ready, reasons: r.reasons, profileId: r.profileId } : { applies: false, ready: null, reasons: [], profileId: null };
  }

  return { readiness };
}
