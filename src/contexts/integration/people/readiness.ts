import type { Platform } from '../../../platform/platform.js';
import { notFound } from '../../../platform/errors.js';
import type { RecordPort } from '../../record/index.js';
import type { GroupsPort, MembersPort } from '../../signin/index.js';
import type { CallerReach } from '../access.js';
import type { RecordReadinessOf } from '../safety/record-check.js';

/** Whether the Central Record lets a member sign in now, and why not (what the safety check would say of the record). */
export function createMemberReadiness(deps: Pick<Platform, 'db' | 'now'> & { members: MembersPort; groups: Pick<GroupsPort, 'shownWithin'>; record: Pick<RecordPort, 'profiles'>; recordReadiness: RecordReadinessOf }) {
  const { db, now, members, groups, record, recordReadiness } = deps;

  /**
   * `reach`: the caller's sites, outside which the member is not found, as in sign-in; and their
   * organisations: the linked profile is named (`profileId`) only to a caller who reaches its
   * organisation. The answer itself is sign-in's (what the kiosk would say), so a caller scoped to
   * a site alone still reads it.
   */
  async function readiness(tenantId: string, memberId: string, reach: CallerReach = { sites: null, organisations: null }) {
    const m = await members.get(db, tenantId, memberId);
    if (!m || m.deletedAt) throw notFound('Member');
    if (!(await groups.shownWithin(db, tenantId, [m.groupId], reach.sites)).has(m.groupId)) throw notFound('Member');
    const r = await recordReadiness(db, tenantId, m.groupId, m.id, now());
    if (!r.applies) return { applies: false, ready: null, reasons: [], profileId: null };
    return { applies: true, ready: r.ready, reasons: r.reasons, profileId: r.profileId && (await reachesProfile(tenantId, r.profileId, reach.organisations)) ? r.profileId : null };
  }

  async function reachesProfile(tenantId: string, profileId: string, organisations: readonly string[] | null): Promise<boolean> {
    if (organisations === null) return true;
    const [p] = await record.profiles(db, tenantId, [profileId]);
    return !!p && organisations.includes(p.organisationId);
  }

  return { readiness };
}
