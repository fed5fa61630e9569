import type { DbOrTx } from '../../../platform/db/database.js';
import { recordAudits, type Actor } from '../../../platform/audit/audit.js';
import type { MergeRow } from '../integration.repo.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';
import { archiveIntoPatch, changesOf, mergedAudit, mergedWith, serialiseValue, type Plan } from './plan.js';
import { mergeRepo } from './merge.repo.js';
import type { MergeDeps } from './merge.js';

/** A merge decided and planned (see plan.ts), to be written: `merged` goes into `kept`. */
export type PlannedMerge = { kept: ProfileRow; merged: ProfileRow; p: Plan; queueId: string | null };

/**
 * Writes planned merges, set-wise: the same statements for one pair (a single merge) as for a
 * batch of hundreds (merge-all), each a statement or two for all of them. Record tables through
 * the record's port (profiles with their history and versions, check values, documents), the
 * integration's own (links, external ids, queue, merges) through its repo, the audit rows in one
 * INSERT. The pairs must not share a profile. Each merge is recorded as its own row (undone on its
 * own); returns them in the order given.
 */
export function createMergeWriter(deps: Pick<MergeDeps, 'record' | 'onProfilesChanged'>) {
  const { record } = deps;

  return async function writeMerges(tx: DbOrTx, tenantId: string, planned: readonly PlannedMerge[], actor: Actor, runId: string | null, at: Date): Promise<MergeRow[]> {
    if (planned.length === 0) return [];
    const who = { id: actor.id, label: actor.label };
    const updated = await record.applyPatches(tx, tenantId, planned.map((x) => ({ profile: x.kept, patch: { set: x.p.patch, notes: [mergedWith(x.merged)], at } })), who);

    // Swap in three steps to respect (profile, check) uniqueness: kept's → merged first needs the slot free.
    await record.deleteCheckValues(tx, tenantId, planned.flatMap((x) => x.p.parked.map((v) => v.id)));
    await record.moveCheckValues(tx, tenantId, planned.flatMap((x) => x.p.moved.map((v) => ({ id: v.id, to: x.kept.id }))));
    await record.restoreCheckValues(tx, tenantId, planned.flatMap((x) => x.p.parked.map((v) => ({ ...serialiseValue(v), profileId: x.merged.id }))));
    await record.moveDocuments(tx, tenantId, planned.flatMap((x) => x.p.movedDocs.map((id) => ({ id, from: x.merged.id, to: x.kept.id }))));

    // Links to members and external ids follow the person.
    await mergeRepo.moveLinksEach(tx, tenantId, planned.flatMap((x) => x.p.movedLinks.map((memberId) => ({ memberId, to: x.kept.id }))));
    await mergeRepo.moveExternalIdsEach(tx, tenantId, planned.flatMap((x) => x.p.movedExt.map((e) => ({ ...e, to: x.kept.id }))));
    await deps.onProfilesChanged?.(tx, tenantId, planned.map((x) => x.kept.id));
    // The merged profiles are archived, each with the line saying into whom.
    await record.applyPatches(tx, tenantId, planned.map((x, i) => ({ profile: x.merged, patch: archiveIntoPatch(updated[i]!, at) })), who);

    await mergeRepo.setQueueStatus(tx, tenantId, planned.flatMap((x) => (x.queueId ? [x.queueId] : [])), 'merged', at);
    const rows = await mergeRepo.insertMerges(
      tx,
      planned.map((x, i) => ({ tenantId, keptProfileId: x.kept.id, mergedProfileId: x.merged.id, queueId: x.queueId, runId, choices: x.p.resolved, before: x.p.before, changes: changesOf(x.p, updated[i]!), mergedBy: actor.label, mergedAt: at })),
    );
    // RETURNING's order is not promised: each row is found by its merged profile (one merge each here).
    const rowOf = new Map(rows.map((m) => [m.mergedProfileId, m]));
    const ordered = planned.map((x) => rowOf.get(x.merged.id)!);
    await recordAudits(tx, tenantId, actor, planned.map((x, i) => mergedAudit(x.merged, updated[i]!, ordered[i]!.id, x.p.resolved)));
    return ordered;
  };
}
export type WriteMerges = ReturnType<typeof createMergeWriter>;
