import type { Platform } from '../../../platform/platform.js';
import { notFound } from '../../../platform/errors.js';
import type { MembersPort } from '../../signin/index.js';
import type { RecordReadinessOf } from '../safety/record-check.js';

/** Whether the Central Record lets a member sign in now, and why not (what the safety check would say of the record). */
export function createMemberReadiness(deps: Pick<Platform, 'db' | 'now'> & { members: MembersPort; recordReadiness: RecordReadinessOf }) {
  const { db, now, members, recordReadiness } = deps;

  async function readiness(tenantId: string, memberId: string) {
    const m = await members.get(db, tenantId, memberId);
    if (!m || m.deletedAt) throw notFound('Member');
    const r = await recordReadiness(db, tenantId, m.groupId, m.id, now());
    return r.applies ? { applies: true, ready: r.ready, reasons: r.reasons, profileId: r.profileId } : { applies: false, ready: null, reasons: [], profileId: null };
  }

  return { readiness };
}
