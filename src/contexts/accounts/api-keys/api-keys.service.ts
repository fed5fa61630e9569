import type { Platform } from '../../../platform/platform.js';
import { notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { apiKeysRepo } from './api-keys.repo.js';

/** Listing and revoking keys; creating one is `AccountsService.createApiKey` (the CLI uses it too). */
export function createApiKeysService(deps: Pick<Platform, 'db' | 'now'>) {
  const { db, now } = deps;

  async function revoke(tenantId: string, actor: Actor, id: string) {
    await inTransaction(db, async (tx) => {
      const key = await apiKeysRepo.find(tx, tenantId, id);
      if (!key) throw notFound('API key');
      if (key.revokedAt) return; // already revoked: nothing changes
      await apiKeysRepo.revoke(tx, tenantId, id, now());
      await recordAudit(tx, tenantId, actor, {
        action: 'apikey.revoked',
        targetType: 'api_key',
        targetId: id,
        summary: `API key ${key.name} revoked`,
      });
    });
  }

  return { list: (tenantId: string) => apiKeysRepo.list(db, tenantId), revoke };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
