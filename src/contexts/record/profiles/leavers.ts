import type { Platform } from '../../../platform/platform.js';
import { recordAudit, systemActor } from '../../../platform/audit/audit.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { applyPatch } from './profile-writer.js';
import { profilesRepo } from './profiles.repo.js';
import { addPeriod, todayIn, ukDate } from '../rules/dates.js';
import type { ProfileHooks } from './profile-hooks.js';

export const ARCHIVE_LEAVERS_JOB = 'record.archive-leavers';
/** Hourly, so each organisation's leavers go early on the morning after their leaving date in its own time zone. */
export const ARCHIVE_LEAVERS_CRON = '7 * * * *';

/**
 * Archives every live profile whose leaving date has passed in its organisation's time zone
 * (kept for retention, still findable and exportable as a leaver). One transaction per person,
 * with a history row, an audit row and the profile-changed hook. Returns how many were archived.
 */
export async function archiveLeavers(deps: Pick<Platform, 'db' | 'now'> & { hooks: ProfileHooks }): Promise<number> {
  const at = deps.now();
  // Candidates: left before tomorrow anywhere on Earth; each is then checked against its own zone's today.
  const horizon = addPeriod(at.toISOString().slice(0, 10), 1, 'days');
  const candidates = await profilesRepo.leavingBy(deps.db, horizon);
  let archived = 0;
  for (const c of candidates) {
    if (!c.leavingDate || c.leavingDate >= todayIn(at, c.timeZone)) continue;
    const done = await inTransaction(deps.db, async (t) => {
      const current = await profilesRepo.findForUpdate(t, c.tenantId, c.id);
      if (!current || current.status !== 'live') return false;
      const row = await applyPatch(t, c.tenantId, current, { set: { status: 'archived', archivedAt: at }, lines: [{ field: 'Status', before: 'live', after: 'archived' }], at }, { id: null, label: 'Leavers (automatic)' });
      if (!row) return false;
      await recordAudit(t, c.tenantId, systemActor, { action: 'record.profile.archived', targetType: 'record_profile', targetId: c.id, summary: `Profile ${row.firstName} ${row.lastName} archived automatically: left on ${ukDate(c.leavingDate!)}` });
      await deps.hooks.changed(t, { tenantId: c.tenantId, profileIds: [c.id], change: 'archived', fields: ['status'] });
      return true;
    });
    if (done) archived++;
  }
  return archived;
}
