import type { Platform } from '../../../platform/platform.js';
import { notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { assertCan } from '../../../platform/http/permissions.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { accountsRepo } from '../accounts.repo.js';
import { tenantRepo } from './tenant.repo.js';

export function createTenantService(deps: Pick<Platform, 'db'>) {
  const { db } = deps;

  async function get(tenantId: string) {
    const tenant = await accountsRepo.findTenant(db, tenantId);
    if (!tenant) throw notFound('Tenant');
    return tenant;
  }

  async function update(principal: Principal, actor: Actor, patch: { name?: string; require2fa?: boolean }) {
    assertCan(principal, 'settings.manage');
    if (patch.require2fa !== undefined) assertCan(principal, 'tenant.manage');
    return inTransaction(db, async (tx) => {
      const tenant = await tenantRepo.findForUpdate(tx, principal.tenantId);
      if (!tenant) throw notFound('Tenant');
      const set: { name?: string; require2fa?: boolean } = {};
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (patch.name !== undefined && patch.name !== tenant.name) {
        set.name = patch.name;
        changes.name = { from: tenant.name, to: patch.name };
      }
      if (patch.require2fa !== undefined && patch.require2fa !== tenant.require2fa) {
        set.require2fa = patch.require2fa;
        changes.require2fa = { from: tenant.require2fa, to: patch.require2fa };
      }
      if (Object.keys(set).length === 0) return tenant;
      const updated = await tenantRepo.update(tx, principal.tenantId, set);
      await recordAudit(tx, principal.tenantId, actor, {
        action: 'tenant.updated',
        targetType: 'tenant',
        targetId: principal.tenantId,
        summary: `Tenant settings changed (${Object.keys(changes).join(', ')})`,
        data: changes,
      });
      return updated;
    });
  }

  return { get, update };
}

export type TenantService = ReturnType<typeof createTenantService>;
