import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { badRequest, conflict, notFound } from '../../../platform/errors.js';
import type { Actor } from '../../../platform/audit/audit.js';
import { integrationRepo, type MergeRow } from '../integration.repo.js';
import type { RecordPort } from '../../record/index.js';
import type { Runs } from '../runs/runs.js';
import type { Choices } from './choices.js';
import { plan, relatedOf } from './plan.js';
import { createMergeWriter } from './write.js';

export type MergeDeps = Pick<Platform, 'db' | 'now' | 'jobs'> & {
  runs: Runs;
  record: RecordPort;
  /** Queues the two-way sync of the people linked to these profiles (in the merge's transaction). */
  onProfilesChanged?: (tx: DbOrTx, tenantId: string, profileIds: string[]) => Promise<void>;
};

/** Merging one pair: `mergeIn` in the caller's transaction (merge-all's chains use it too), `merge` in its own. */
export function createMergeOne(deps: MergeDeps) {
  const { db, now, record } = deps;
  const writeMerges = createMergeWriter(deps);

  /** Merges `mergedId` into `keptId` in the caller's transaction. */
  async function mergeIn(tx: DbOrTx, tenantId: string, keptId: string, mergedId: string, choices: Choices, actor: Actor, opts: { queueId?: string | null; runId?: string | null } = {}): Promise<MergeRow> {
    if (keptId === mergedId) throw badRequest('merge_same_profile', 'A profile cannot be merged with itself', 'mergedProfileId');
    const kept = await record.profile(tx, tenantId, keptId);
    const merged = await record.profile(tx, tenantId, mergedId);
    if (!kept || !merged) throw notFound('Profile');
    if (kept.status !== 'live' || merged.status !== 'live') throw conflict('profile_archived', 'Both profiles must be live to be merged');
    const at = now();
    const p = plan(kept, merged, await relatedOf(record, tx, tenantId, [kept.id, merged.id]), choices);
    const queue = opts.queueId ? await integrationRepo.queueItem(tx, tenantId, opts.queueId) : await integrationRepo.queueForPair(tx, tenantId, keptId, mergedId);
    // The same set-wise writes as merge-all's, for a batch of one.
    const [row] = await writeMerges(tx, tenantId, [{ kept, merged, p, queueId: queue?.id ?? null }], actor, opts.runId ?? null, at);
    return row!;
  }

  async function merge(tenantId: string, input: { keptProfileId: string; mergedProfileId: string; choices?: Choices; queueId?: string }, actor: Actor) {
    return inTransaction(db, (tx) => mergeIn(tx, tenantId, input.keptProfileId, input.mergedProfileId, input.choices ?? {}, actor, { queueId: input.queueId }));
  }

  return { mergeIn, merge };
}
export type MergeOne = ReturnType<typeof createMergeOne>;
