import type { Platform } from '../../../platform/platform.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { inScope, type SiteScope } from '../access.js';
import { presentVisit } from './visits.presenter.js';
import { visitsRepo } from './visits.repo.js';

/** Which visits are protected from retention, and the daily job deleting the rest (the setting is settings.ts). */
export function createVisitRetention(deps: Pick<Platform, 'db' | 'now'>) {
  const { db, now } = deps;

  async function setProtected(tenantId: string, scope: SiteScope, visitId: string, value: boolean, actor: Actor) {
    return inTransaction(db, async (t) => {
      const v = await visitsRepo.find(t, tenantId, visitId);
      if (!v || !inScope(scope, v.siteId)) throw notFound('Visit');
      const row = await visitsRepo.setProtected(t, tenantId, visitId, value);
      await recordAudit(t, tenantId, actor, { action: value ? 'visit.protected' : 'visit.unprotected', targetType: 'visit', targetId: visitId, summary: `Visit of ${v.personName} ${value ? 'protected from' : 'released to'} retention` });
      return presentVisit(row!);
    });
  }

  /**
   * Deletes closed (or rejected) visits older than each tenant's retention period, except
   * protected ones. Open visits stay: the person is on site as far as anyone knows.
   */
  async function applyRetention(): Promise<number> {
    const at = now();
    const tenants = await visitsRepo.settingsWithRetention(db);
    let deleted = 0;
    for (const s of tenants) {
      const cutoff = new Date(at.getTime() - s.retentionDays! * 86_400_000);
      const rows = await visitsRepo.deleteExpired(db, s.tenantId, cutoff);
      deleted += rows.length;
      if (rows.length > 0) {
        await recordAudit(db, s.tenantId, { kind: 'system', id: null, label: 'retention' }, { action: 'visits.retention_deleted', summary: `${rows.length} visits older than ${s.retentionDays} days deleted`, data: { count: rows.length } });
      }
    }
    return deleted;
  }

  return { setProtected, applyRetention };
}
