import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { integrationRepo, type QueueRow } from '../integration.repo.js';
import { PROFILE_FIELDS } from '../integration.schemas.js';
import { stringify } from './merge.values.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';
import type { RunHandler } from '../runs/runs.js';
import { choicesForPair, originsOf, pickKept, resolveChoices, type BatchPreserve, type Choices, type MergeAllOptions } from './choices.js';
import { archiveIntoPatch, changesOf, mergedAudit, mergedWith, plan, relatedOf, serialiseValue, type Plan } from './plan.js';
import { mergeRepo } from './merge.repo.js';
import type { MergeDeps, MergeOne } from './merge.js';

/** Merge-all: every suggested pair with one "preserve these values" rule, previewed, then merged by a run in batches. */
export function createMergeAll(deps: MergeDeps, one: Pick<MergeOne, 'mergeIn'>) {
  const { db, now, runs, record } = deps;

  /**
   * Merges a batch of suggested pairs with set-wise reads and writes (merge-all): a few statements
   * per batch plus one profile update and one audit row per pair, instead of some twenty per pair.
   * Pairs that share a profile with an earlier pair of the batch are merged one by one afterwards.
   * Each merge is recorded exactly as a single merge is, so each can be undone on its own.
   */
  async function mergeBatch(tx: DbOrTx, tenantId: string, queueIds: string[], options: MergeAllOptions, actor: Actor, runId: string | null): Promise<Map<string, 'updated' | 'skipped'>> {
    const outcome = new Map<string, 'updated' | 'skipped'>(queueIds.map((id) => [id, 'skipped']));
    const queue = await mergeRepo.queueItems(tx, tenantId, queueIds);
    const profiles = new Map((await record.profiles(tx, tenantId, [...new Set(queue.flatMap((q) => [q.profileAId, q.profileBId]))])).map((p) => [p.id, p]));
    const r = await relatedOf(record, tx, tenantId, [...profiles.keys()]);
    const checksOf = (id: string) => r.values.filter((v) => v.profileId === id).length;
    const linkedIds = new Set(r.links.map((l) => l.profileId));
    const choicesOf = (q: QueueRow, kept: ProfileRow, merged: ProfileRow) =>
      choicesForPair(originsOf(kept, merged, (id) => linkedIds.has(id)), options.preserve, options.exceptions?.[q.id]);
    const used = new Set<string>();
    const planned: Array<{ q: QueueRow; kept: ProfileRow; merged: ProfileRow; p: Plan }> = [];
    const later: QueueRow[] = [];
    for (const id of queueIds) {
      const q = queue.find((x) => x.id === id);
      const [a, b] = q ? [profiles.get(q.profileAId), profiles.get(q.profileBId)] : [];
      if (!q || !a || !b || q.status !== 'suggested' || a.status !== 'live' || b.status !== 'live') continue;
      if (used.has(a.id) || used.has(b.id)) {
        later.push(q);
        continue;
      }
      used.add(a.id).add(b.id);
      const [kept, merged] = pickKept(a, b, checksOf);
      planned.push({ q, kept, merged, p: plan(kept, merged, r, choicesOf(q, kept, merged)) });
    }
    const at = now();
    const who = { id: actor.id, label: actor.label };
    const updated = await record.applyPatches(tx, tenantId, planned.map((x) => ({ profile: x.kept, patch: { set: x.p.patch, notes: [mergedWith(x.merged)], at } })), who);
    const updatedOf = new Map(updated.map((p) => [p.id, p]));
    await record.deleteCheckValues(tx, tenantId, planned.flatMap((x) => x.p.parked.map((v) => v.id)));
    await record.moveCheckValues(tx, tenantId, planned.flatMap((x) => x.p.moved.map((v) => ({ id: v.id, to: x.kept.id }))));
    await record.restoreCheckValues(tx, tenantId, planned.flatMap((x) => x.p.parked.map((v) => ({ ...serialiseValue(v), profileId: x.merged.id }))));
    await record.moveDocuments(tx, tenantId, planned.flatMap((x) => x.p.movedDocs.map((id) => ({ id, from: x.merged.id, to: x.kept.id }))));
    await mergeRepo.moveLinksEach(tx, tenantId, planned.flatMap((x) => x.p.movedLinks.map((memberId) => ({ memberId, to: x.kept.id }))));
    for (const x of planned) await mergeRepo.moveExternalIds(tx, tenantId, x.p.movedExt, x.kept.id);
    if (planned.length) await deps.onProfilesChanged?.(tx, tenantId, planned.map((x) => x.kept.id));
    // The merged profiles are archived as a single merge archives one (same columns, same history), in one statement.
    await record.applyPatches(tx, tenantId, planned.map((x) => ({ profile: x.merged, patch: archiveIntoPatch(updatedOf.get(x.kept.id)!, at) })), who);
    if (planned.length) {
      await mergeRepo.setQueueStatus(tx, tenantId, planned.map((x) => x.q.id), 'merged', at);
      const rows = await mergeRepo.insertMerges(
        tx,
        planned.map((x) => ({ tenantId, keptProfileId: x.kept.id, mergedProfileId: x.merged.id, queueId: x.q.id, runId, choices: x.p.resolved, before: x.p.before, changes: changesOf(x.p, updatedOf.get(x.kept.id)!), mergedBy: actor.label, mergedAt: at })),
      );
      for (const x of planned) {
        const row = rows.find((m) => m.queueId === x.q.id)!;
        await recordAudit(tx, tenantId, actor, mergedAudit(x.merged, updatedOf.get(x.kept.id)!, row.id, x.p.resolved));
        outcome.set(x.q.id, 'updated');
      }
    }
    // Chains (A–B, B–C): one by one, on what the batch left; a side merged away meanwhile is
    // followed to the profile it was merged into.
    const follow = async (id: string) => {
      for (let i = 0; i < 10; i++) {
        const kept = await mergeRepo.keptOf(tx, tenantId, id);
        if (!kept) break;
        id = kept;
      }
      return record.profile(tx, tenantId, id);
    };
    for (const q of later) {
      const [a, b] = [await follow(q.profileAId), await follow(q.profileBId)];
      if (a && b && a.id === b.id) {
        await mergeRepo.setQueueStatus(tx, tenantId, [q.id], 'merged', at);
        outcome.set(q.id, 'updated');
        continue;
      }
      const current = await integrationRepo.queueItem(tx, tenantId, q.id);
      if (!a || !b || a.status !== 'live' || b.status !== 'live' || current?.status !== 'suggested') continue;
      const values = await record.checkValuesOf(tx, tenantId, [a.id, b.id]);
      const [kept, merged] = pickKept(a, b, (id) => values.filter((v) => v.profileId === id).length);
      const links = new Set((await integrationRepo.linksOfProfiles(tx, tenantId, [a.id, b.id])).map((l) => l.profileId));
      const choices = choicesForPair(originsOf(kept, merged, (id) => links.has(id)), options.preserve, options.exceptions?.[q.id]);
      await one.mergeIn(tx, tenantId, kept.id, merged.id, choices, actor, { queueId: q.id, runId });
      outcome.set(q.id, 'updated');
    }
    return outcome;
  }

  /**
   * What merge-all would make of every suggested pair with these options, without writing: per pair
   * the profile kept and, per field, the value it ends with and where that value comes from.
   * Pairs are previewed one by one (a chain A–B, B–C is merged onto what the first merge left).
   */
  async function previewMergeAll(tenantId: string, options: MergeAllOptions, limit = 200) {
    const pending = await mergeRepo.queueOfStatus(db, tenantId, 'suggested');
    const shown = pending.slice(0, limit);
    const profiles = new Map((await record.profiles(db, tenantId, [...new Set(shown.flatMap((q) => [q.profileAId, q.profileBId]))])).map((p) => [p.id, p]));
    const values = await record.checkValuesOf(db, tenantId, [...profiles.keys()]);
    const linked = new Set((await integrationRepo.linksOfProfiles(db, tenantId, [...profiles.keys()])).map((l) => l.profileId));
    const name = (p: ProfileRow) => `${p.firstName} ${p.lastName}`.trim();
    const items = [];
    for (const q of shown) {
      const [a, b] = [profiles.get(q.profileAId), profiles.get(q.profileBId)];
      if (!a || !b) continue;
      const [kept, merged] = pickKept(a, b, (id) => values.filter((v) => v.profileId === id).length);
      const origins = originsOf(kept, merged, (id) => linked.has(id));
      const exception = options.exceptions?.[q.id];
      const resolved = resolveChoices(kept, merged, choicesForPair(origins, options.preserve, exception));
      items.push({
        queueId: q.id,
        exception: Boolean(exception),
        kept: { id: kept.id, name: name(kept), origin: origins.kept },
        merged: { id: merged.id, name: name(merged), origin: origins.merged },
        fields: PROFILE_FIELDS.map((f) => ({ field: f, value: stringify((resolved[f] === 'kept' ? kept : merged)[f]), from: resolved[f], origin: resolved[f] === 'kept' ? origins.kept : origins.merged })),
      });
    }
    return { total: pending.length, items };
  }

  async function startMergeAll(tenantId: string, input: MergeAllOptions, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const run = await runs.create(tx, tenantId, 'merge_all', { preserve: input.preserve ?? {}, exceptions: input.exceptions ?? {} }, actor);
      await recordAudit(tx, tenantId, actor, { action: 'integration.merge_all_started', targetType: 'integration_run', targetId: run.id, summary: 'Merge of all suggested pairs started' });
      return run;
    });
  }

  const runMergeAll: RunHandler = async (ctx) => {
    const tenantId = ctx.run.tenantId;
    const options: MergeAllOptions = { preserve: (ctx.run.params.preserve ?? {}) as BatchPreserve, exceptions: (ctx.run.params.exceptions ?? {}) as Record<string, Choices> };
    const pending = await mergeRepo.queueOfStatus(db, tenantId, 'suggested');
    await ctx.setTotal(pending.length);
    const actor: Actor = { kind: 'system', id: null, label: `merge all (run ${ctx.run.id.slice(0, 8)})` };
    await ctx.batches(pending, (q) => q.id, 500, async (tx, batch) => {
      const outcome = await mergeBatch(tx, tenantId, batch.map((q) => q.id), options, actor, ctx.run.id);
      return { items: batch.map((q) => ({ itemKey: q.id, outcome: outcome.get(q.id) ?? 'skipped' })) };
    });
  };

  return { mergeBatch, previewMergeAll, startMergeAll, runHandlers: { merge_all: runMergeAll } };
}
