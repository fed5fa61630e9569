import type { Platform } from '../../../platform/platform.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { visitsRepo } from './visits.repo.js';

/** The tenant's sign-in settings: how long visits are kept. */
export function createVisitSettings(deps: Pick<Platform, 'db' | 'now'>) {
  const { db, now } = deps;

  async function getSettings(tenantId: string) {
    return { retentionDays: (await visitsRepo.settings(db, tenantId))?.retentionDays ?? null };
  }

  async function setSettings(tenantId: string, input: { retentionDays: number | null }, actor: Actor) {
    return inTransaction(db, async (t) => {
      await visitsRepo.saveSettings(t, tenantId, input.retentionDays, now());
      await recordAudit(t, tenantId, actor, { action: 'signin.settings_updated', targetType: 'tenant', targetId: tenantId, summary: `Visit retention set to ${input.retentionDays ?? 'forever'}`, data: input });
      return { retentionDays: input.retentionDays };
    });
  }

  return { getSettings, setSettings };
}
