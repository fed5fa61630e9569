import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { integrationRepo, type QueueRow } from '../integration.repo.js';
import { PROFILE_FIELDS } from '../integration.schemas.js';
import { stringify } from './merge.values.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';
import type { RunHandler } from '../runs/runs.js';
import { choicesForPair, originsOf, pickKept, resolveChoices, type BatchPreserve, type Choices, type MergeAllOptions } from './choices.js';
import { plan, relatedOf, type Related } from './plan.js';
import { mergeRepo } from './merge.repo.js';
import type { MergeDeps } from './merge.js';
import { createMergeWriter, type PlannedMerge } from './write.js';

/** How far a chain of merges is followed to the profile a side ended in (as before: ten). */
const FOLLOW_HOPS = 10;

/** Merge-all: every suggested pair with one "preserve these values" rule, previewed, then merged by a run in batches. */
export function createMergeAll(deps: MergeDeps) {
  const { db, now, runs, record } = deps;
  const writeMerges = createMergeWriter(deps);

  /**
   * Merges a batch of suggested pairs set-wise (merge-all): a few statements for the whole batch
   * (its reads, then `writeMerges`), however many pairs. Pairs that share a profile with an
   * earlier pair of the batch (chains: A–B, B–C) are merged afterwards, in rounds, each side
   * followed to the profile it was merged into: a round takes, in order, every pair whose sides no
   * earlier pair of the list touches (one merged in this round, or one still waiting), so each is
   * merged on what the pairs before it left, as one by one; a round is again a few statements. Each merge is recorded exactly as a single
   * merge is, so each can be undone on its own.
   */
  async function mergeBatch(tx: DbOrTx, tenantId: string, queueIds: string[], options: MergeAllOptions, actor: Actor, runId: string | null): Promise<Map<string, 'updated' | 'skipped'>> {
    const outcome = new Map<string, 'updated' | 'skipped'>(queueIds.map((id) => [id, 'skipped']));
    const queue = new Map((await mergeRepo.queueItems(tx, tenantId, queueIds)).map((q) => [q.id, q]));
    const profiles = new Map((await record.profiles(tx, tenantId, [...new Set([...queue.values()].flatMap((q) => [q.profileAId, q.profileBId]))])).map((p) => [p.id, p]));
    const r = await relatedOf(record, tx, tenantId, [...profiles.keys()]);
    const used = new Set<string>();
    const planned: PlannedMerge[] = [];
    let later: QueueRow[] = [];
    for (const id of queueIds) {
      const q = queue.get(id);
      const [a, b] = q ? [profiles.get(q.profileAId), profiles.get(q.profileBId)] : [];
      if (!q || !a || !b || q.status !== 'suggested' || a.status !== 'live' || b.status !== 'live') continue;
      if (used.has(a.id) || used.has(b.id)) {
        // Waiting, it still holds its sides: a later pair touching one waits behind it (A–B, B–C, C–D
        // merge as A–B, AB–C, ABC–D, as one by one), not ahead of it in this first pass.
        used.add(a.id).add(b.id);
        later.push(q);
        continue;
      }
      used.add(a.id).add(b.id);
      planned.push(planPair(q, a, b, r, options));
    }
    await writeMerges(tx, tenantId, planned, actor, runId, now());
    for (const x of planned) outcome.set(x.queueId!, 'updated');

    // Chains, in rounds on what the earlier rounds left. Each side is followed from where the last
    // round found it (a round adds one hop), so a chain longer than FOLLOW_HOPS still ends where it should.
    const known = new Map<string, string>();
    while (later.length) {
      const ids = [...new Set(later.flatMap((q) => [q.profileAId, q.profileBId]))];
      const from = await followMerges(tx, tenantId, [...new Set(ids.map((id) => known.get(id) ?? id))]);
      const endOf = new Map(ids.map((id) => [id, from.get(known.get(id) ?? id)!]));
      for (const [id, end] of endOf) known.set(id, end);
      const current = new Map((await mergeRepo.queueItems(tx, tenantId, later.map((q) => q.id))).map((q) => [q.id, q]));
      const sides = new Map((await record.profiles(tx, tenantId, [...new Set(endOf.values())])).map((p) => [p.id, p]));
      const rr = await relatedOf(record, tx, tenantId, [...sides.keys()]);
      const at = now();
      const busy = new Set<string>();
      const same: string[] = [];
      const round: PlannedMerge[] = [];
      const next: QueueRow[] = [];
      for (const q of later) {
        const [aId, bId] = [endOf.get(q.profileAId)!, endOf.get(q.profileBId)!];
        if (busy.has(aId) || busy.has(bId)) {
          // An earlier pair of the list (merged in this round or waiting) touches a side: wait for it.
          next.push(q);
          busy.add(aId).add(bId);
          continue;
        }
        const [a, b] = [sides.get(aId), sides.get(bId)];
        if (a && b && a.id === b.id) {
          same.push(q.id);
          outcome.set(q.id, 'updated');
          continue;
        }
        if (!a || !b || a.status !== 'live' || b.status !== 'live' || current.get(q.id)?.status !== 'suggested') continue;
        busy.add(a.id).add(b.id);
        round.push(planPair(q, a, b, rr, options));
      }
      await mergeRepo.setQueueStatus(tx, tenantId, same, 'merged', at);
      await writeMerges(tx, tenantId, round, actor, runId, at);
      for (const x of round) outcome.set(x.queueId!, 'updated');
      later = next;
    }
    return outcome;
  }

  /** Which side of a pair is kept, and the pair's plan under the batch's rule or its own exception. */
  function planPair(q: QueueRow, a: ProfileRow, b: ProfileRow, r: Related, options: MergeAllOptions): PlannedMerge {
    const [kept, merged] = pickKept(a, b, (id) => r.of(id).values.length);
    const linked = (id: string) => r.of(id).links.length > 0;
    const choices = choicesForPair(originsOf(kept, merged, linked), options.preserve, options.exceptions?.[q.id]);
    return { kept, merged, p: plan(kept, merged, r, choices), queueId: q.id };
  }

  /** Each profile followed through the merges (not undone) it went into, to where it ended: one statement a hop. */
  async function followMerges(tx: DbOrTx, tenantId: string, ids: string[]): Promise<Map<string, string>> {
    const endOf = new Map(ids.map((id) => [id, id]));
    let moving = [...new Set(ids)];
    for (let i = 0; i < FOLLOW_HOPS && moving.length; i++) {
      const keptOf = await mergeRepo.keptOfMany(tx, tenantId, moving);
      for (const [start, end] of endOf) {
        const kept = keptOf.get(end);
        if (kept) endOf.set(start, kept);
      }
      moving = [...new Set(keptOf.values())];
    }
    return endOf;
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
