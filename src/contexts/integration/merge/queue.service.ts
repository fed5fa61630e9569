import { inTransaction } from '../../../platform/db/tx.js';
import { notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { integrationRepo, type QueueRow } from '../integration.repo.js';
import { originsOf, pickKept, resolveChoices } from './choices.js';
import { mergeRepo } from './merge.repo.js';
import { presentMerge, presentPairSide, presentQueueItem } from './merge.presenters.js';
import type { MergeDeps } from './merge.js';

/** The queue of suggested duplicate pairs (list, a pair side by side, dismiss) and the list of merges. */
export function createMergeQueue(deps: Pick<MergeDeps, 'db' | 'now' | 'record'>) {
  const { db, now, record } = deps;

  async function queue(tenantId: string, status: QueueRow['status'] = 'suggested') {
    const rows = await mergeRepo.queueOfStatus(db, tenantId, status);
    const profiles = new Map((await record.profiles(db, tenantId, [...new Set(rows.flatMap((r) => [r.profileAId, r.profileBId]))])).map((p) => [p.id, p]));
    return rows.map((r) => presentQueueItem(r, profiles));
  }

  /** The two profiles side by side, with the default choice per field. */
  async function pair(tenantId: string, queueId: string) {
    const q = await integrationRepo.queueItem(db, tenantId, queueId);
    if (!q) throw notFound('Suggested pair');
    const [a, b] = [await record.profile(db, tenantId, q.profileAId), await record.profile(db, tenantId, q.profileBId)];
    if (!a || !b) throw notFound('Profile');
    const values = await record.checkValuesOf(db, tenantId, [a.id, b.id]);
    const checksOf = (id: string) => values.filter((v) => v.profileId === id).length;
    const [kept, merged] = pickKept(a, b, checksOf);
    const defaults = resolveChoices(kept, merged);
    const linked = new Set((await integrationRepo.linksOfProfiles(db, tenantId, [a.id, b.id])).map((l) => l.profileId));
    const origins = originsOf(kept, merged, (id) => linked.has(id));
    return {
      id: q.id,
      reason: q.reason,
      detail: q.detail,
      status: q.status,
      kept: presentPairSide(kept, origins.kept, checksOf(kept.id)),
      merged: presentPairSide(merged, origins.merged, checksOf(merged.id)),
      defaults,
    };
  }

  async function dismiss(tenantId: string, queueId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const q = await integrationRepo.queueItem(tx, tenantId, queueId);
      if (!q) throw notFound('Suggested pair');
      await mergeRepo.setQueueStatus(tx, tenantId, [q.id], 'dismissed', now());
      await recordAudit(tx, tenantId, actor, { action: 'integration.pair_dismissed', targetType: 'merge_queue', targetId: q.id, summary: 'Suggested duplicate dismissed: not the same person' });
    });
  }

  async function merges(tenantId: string) {
    const rows = await mergeRepo.merges(db, tenantId);
    const names = new Map((await record.profiles(db, tenantId, [...new Set(rows.flatMap((r) => [r.keptProfileId, r.mergedProfileId]))])).map((p) => [p.id, `${p.firstName} ${p.lastName}`.trim()]));
    return rows.map((m) => presentMerge(m, { kept: names.get(m.keptProfileId) ?? '', merged: names.get(m.mergedProfileId) ?? '' }));
  }

  return { queue, pair, dismiss, merges };
}
