import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { badRequest, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { integrationRepo, type MergeRow } from '../integration.repo.js';
import type { RecordPort } from '../../record/index.js';
import type { Runs } from '../runs/runs.js';
import type { Choices } from './choices.js';
import { archiveIntoPatch, changesOf, mergedAudit, mergedWith, plan, relatedOf, serialiseValue } from './plan.js';
import { mergeRepo } from './merge.repo.js';

export type MergeDeps = Pick<Platform, 'db' | 'now' | 'jobs'> & {
  runs: Runs;
  record: RecordPort;
  /** Queues the two-way sync of the people linked to these profiles (in the merge's transaction). */
  onProfilesChanged?: (tx: DbOrTx, tenantId: string, profileIds: string[]) => Promise<void>;
};

/** Merging one pair: `mergeIn` in the caller's transaction (merge-all's chains use it too), `merge` in its own. */
export function createMergeOne(deps: MergeDeps) {
  const { db, now, record } = deps;

  /** Merges `mergedId` into `keptId` in the caller's transaction. */
  async function mergeIn(tx: DbOrTx, tenantId: string, keptId: string, mergedId: string, choices: Choices, actor: Actor, opts: { queueId?: string | null; runId?: string | null } = {}): Promise<MergeRow> {
    if (keptId === mergedId) throw badRequest('merge_same_profile', 'A profile cannot be merged with itself', 'mergedProfileId');
    const kept = await record.profile(tx, tenantId, keptId);
    const merged = await record.profile(tx, tenantId, mergedId);
    if (!kept || !merged) throw notFound('Profile');
    if (kept.status !== 'live' || merged.status !== 'live') throw conflict('profile_archived', 'Both profiles must be live to be merged');
    const at = now();
    const p = plan(kept, merged, await relatedOf(record, tx, tenantId, [kept.id, merged.id]), choices);
    const who = { id: actor.id, label: actor.label };
    const updated = await record.applyPatch(tx, tenantId, kept, { set: p.patch, notes: [mergedWith(merged)], at }, who);

    // Swap in three steps to respect (profile, check) uniqueness: kept's → merged first needs the slot free.
    await record.deleteCheckValues(tx, tenantId, p.parked.map((v) => v.id));
    await record.moveCheckValues(tx, tenantId, p.moved.map((v) => ({ id: v.id, to: kept.id })));
    await record.restoreCheckValues(tx, tenantId, p.parked.map((v) => ({ ...serialiseValue(v), profileId: merged.id })));
    await record.moveDocuments(tx, tenantId, p.movedDocs.map((id) => ({ id, from: merged.id, to: kept.id })));

    // Links to members and external ids follow the person.
    await mergeRepo.moveLinks(tx, tenantId, p.movedLinks, kept.id);
    await mergeRepo.moveExternalIds(tx, tenantId, p.movedExt, kept.id);
    await deps.onProfilesChanged?.(tx, tenantId, [kept.id]);
    await record.applyPatch(tx, tenantId, merged, archiveIntoPatch(updated, at), who);

    const queue = opts.queueId ? await integrationRepo.queueItem(tx, tenantId, opts.queueId) : await integrationRepo.queueForPair(tx, tenantId, keptId, mergedId);
    if (queue) await mergeRepo.setQueueStatus(tx, tenantId, [queue.id], 'merged', at);
    const [row] = await mergeRepo.insertMerges(tx, [
      { tenantId, keptProfileId: kept.id, mergedProfileId: merged.id, queueId: queue?.id ?? null, runId: opts.runId ?? null, choices: p.resolved, before: p.before, changes: changesOf(p, updated), mergedBy: actor.label, mergedAt: at },
    ]);
    await recordAudit(tx, tenantId, actor, mergedAudit(merged, updated, row!.id, p.resolved));
    return row!;
  }

  async function merge(tenantId: string, input: { keptProfileId: string; mergedProfileId: string; choices?: Choices; queueId?: string }, actor: Actor) {
    return inTransaction(db, (tx) => mergeIn(tx, tenantId, input.keptProfileId, input.mergedProfileId, input.choices ?? {}, actor, { queueId: input.queueId }));
  }

  return { mergeIn, merge };
}
export type MergeOne = ReturnType<typeof createMergeOne>;
