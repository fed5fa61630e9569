import type { Platform } from '../../../platform/platform.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { blockListRepo, type BlockValues } from './blocklist.repo.js';
import { normaliseName } from '../../../common/normalise.js';
import { presentBlock } from './blocklist.presenters.js';

export type BlockInput = { fullName: string; email?: string | null; dateOfBirth?: string | null; reason?: string };


export function createBlockListService(deps: Pick<Platform, 'db'>) {
  const { db } = deps;
  const values = (i: BlockInput): BlockValues => ({ fullName: i.fullName.trim(), normalisedName: normaliseName(i.fullName), email: i.email ? i.email.trim().toLowerCase() : null, dateOfBirth: i.dateOfBirth ?? null, reason: i.reason ?? '' });

  async function list(tenantId: string) {
    return (await blockListRepo.list(db, tenantId)).map(presentBlock);
  }
  async function create(tenantId: string, input: BlockInput, actor: Actor) {
    return inTransaction(db, async (t) => {
      const row = await blockListRepo.insert(t, tenantId, values(input));
      await recordAudit(t, tenantId, actor, { action: 'blocklist.added', targetType: 'block_list', targetId: row.id, summary: `${row.fullName} added to the block list` });
      return presentBlock(row);
    });
  }
  async function update(tenantId: string, id: string, input: BlockInput, actor: Actor) {
    return inTransaction(db, async (t) => {
      const row = await blockListRepo.update(t, tenantId, id, values(input));
      if (!row) throw notFound('Block list entry');
      await recordAudit(t, tenantId, actor, { action: 'blocklist.updated', targetType: 'block_list', targetId: id, summary: `Block list entry ${row.fullName} changed` });
      return presentBlock(row);
    });
  }
  async function remove(tenantId: string, id: string, actor: Actor) {
    await inTransaction(db, async (t) => {
      const row = await blockListRepo.remove(t, tenantId, id);
      if (!row) throw notFound('Block list entry');
      await recordAudit(t, tenantId, actor, { action: 'blocklist.removed', targetType: 'block_list', targetId: id, summary: `${row.fullName} removed from the block list` });
    });
  }
  return { list, create, update, remove };
}
export type BlockListService = ReturnType<typeof createBlockListService>;
