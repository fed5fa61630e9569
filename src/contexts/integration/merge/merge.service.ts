import { and, eq, inArray } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { badRequest, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import {
  integrationExternalIds,
  integrationMergeQueue,
  integrationMerges,
  integrationPersonLinks,
  type MergeChanges,
  type ProfileSnapshot,
} from '../integration.tables.js';
import { integrationRepo, type MergeRow, type QueueRow } from '../integration.repo.js';
import { neighbours, PROFILE_FIELDS, stringify, type CheckValueRow, type ProfileField, type ProfileRow } from '../neighbours.js';
import type { Runs } from '../runs/runs.js';

export type Side = 'kept' | 'merged';
export type Choices = Partial<Record<ProfileField, Side>>;

const empty = (v: unknown) => v === null || v === undefined || v === '';

/** Fields filled in a profile (how "complete" it is). */
const filled = (p: ProfileRow) => PROFILE_FIELDS.filter((f) => !empty(p[f])).length;

/**
 * The default rule ("preserve these values"): per field, the value that is there; when both are,
 * the more recently updated profile's. Explicit choices win.
 */
export function resolveChoices(kept: ProfileRow, merged: ProfileRow, choices: Choices = {}): Record<ProfileField, Side> {
  const newer: Side = merged.updatedAt.getTime() > kept.updatedAt.getTime() ? 'merged' : 'kept';
  const out = {} as Record<ProfileField, Side>;
  for (const f of PROFILE_FIELDS) {
    const c = choices[f];
    if (c) out[f] = c;
    else if (empty(kept[f]) && !empty(merged[f])) out[f] = 'merged';
    else if (!empty(kept[f]) && empty(merged[f])) out[f] = 'kept';
    else out[f] = newer;
  }
  return out;
}

/** Which of a pair to keep by default: the one with more checks recorded, then more complete, then older. */
export function pickKept(a: ProfileRow, b: ProfileRow, checksOf: (id: string) => number): [ProfileRow, ProfileRow] {
  const score = (p: ProfileRow) => [checksOf(p.id), filled(p), -p.createdAt.getTime()] as const;
  const sa = score(a);
  const sb = score(b);
  for (let i = 0; i < 3; i++) if (sa[i] !== sb[i]) return sa[i]! > sb[i]! ? [a, b] : [b, a];
  return a.id < b.id ? [a, b] : [b, a];
}

function serialiseProfile(p: ProfileRow): Record<string, unknown> {
  return { ...p, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString(), archivedAt: p.archivedAt?.toISOString() ?? null };
}
function serialiseValue(v: CheckValueRow): Record<string, unknown> {
  return { ...v, recordedAt: v.recordedAt.toISOString() };
}

export function createMergeService(deps: Pick<Platform, 'db' | 'now' | 'jobs'> & { runs: Runs }) {
  const { db, now, runs } = deps;

  async function snapshot(tx: DbOrTx, tenantId: string, p: ProfileRow): Promise<ProfileSnapshot> {
    const [values, ext, links] = [
      await neighbours.checkValuesOf(tx, tenantId, [p.id]),
      await integrationRepo.externalIdsOf(tx, tenantId, [p.id]),
      await integrationRepo.linksOfProfiles(tx, tenantId, [p.id]),
    ];
    return {
      profile: serialiseProfile(p),
      checkValues: values.map(serialiseValue),
      externalIds: ext.map((x) => ({ system: x.system, externalId: x.externalId })),
      links: links.map((l) => ({ memberId: l.memberId, groupId: l.groupId, source: l.source })),
    };
  }

  /** Merges `mergedId` into `keptId` in the caller's transaction. */
  async function mergeIn(tx: DbOrTx, tenantId: string, keptId: string, mergedId: string, choices: Choices, actor: Actor, opts: { queueId?: string | null; runId?: string | null } = {}): Promise<MergeRow> {
    if (keptId === mergedId) throw badRequest('merge_same_profile', 'A profile cannot be merged with itself', 'mergedProfileId');
    const kept = await neighbours.profile(tx, tenantId, keptId);
    const merged = await neighbours.profile(tx, tenantId, mergedId);
    if (!kept || !merged) throw notFound('Profile');
    if (kept.status !== 'live' || merged.status !== 'live') throw conflict('profile_archived', 'Both profiles must be live to be merged');
    const at = now();
    const before = { kept: await snapshot(tx, tenantId, kept), merged: await snapshot(tx, tenantId, merged) };
    const resolved = resolveChoices(kept, merged, choices);
    const patch: Partial<ProfileRow> = {};
    for (const f of PROFILE_FIELDS) if (resolved[f] === 'merged') (patch as Record<string, unknown>)[f] = merged[f];
    const who = { id: actor.id, label: actor.label };
    const updated = await neighbours.updateProfile(tx, tenantId, kept, patch, who, at);
    await neighbours.addHistory(tx, tenantId, updated, 'merge', null, `Merged with ${merged.firstName} ${merged.lastName} (${merged.id})`, who, at);

    // Check values: the merged profile's go over where the kept one has none, or where its value is
    // more recent (the kept one's older value then goes to the archived profile: nothing is lost).
    const keptValues = new Map(before.kept.checkValues.map((v) => [String(v.checkId), v]));
    const moved: string[] = [];
    const swapped: string[] = [];
    for (const v of before.merged.checkValues) {
      const mine = keptValues.get(String(v.checkId));
      if (!mine) moved.push(String(v.id));
      else if (Date.parse(String(v.recordedAt)) > Date.parse(String(mine.recordedAt))) {
        moved.push(String(v.id));
        swapped.push(String(mine.id));
      }
    }
    // Swap in three steps to respect (profile, check) uniqueness: kept's → merged first needs the slot free.
    const parked = swapped.length ? await neighbours.checkValuesOf(tx, tenantId, [kept.id]) : [];
    const parkedRows = parked.filter((v) => swapped.includes(v.id));
    await neighbours.deleteCheckValues(tx, tenantId, swapped);
    await neighbours.moveCheckValues(tx, tenantId, moved, kept.id);
    await neighbours.restoreCheckValues(tx, parkedRows.map((v) => ({ ...serialiseValue(v), profileId: merged.id })));

    // Links to members and external ids follow the person.
    const keptGroups = new Set(before.kept.links.map((l) => l.groupId));
    const movedLinks = before.merged.links.filter((l) => !keptGroups.has(l.groupId)).map((l) => l.memberId);
    if (movedLinks.length) {
      await tx
        .update(integrationPersonLinks)
        .set({ profileId: kept.id })
        .where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.memberId, movedLinks)));
    }
    const keptExt = new Set(before.kept.externalIds.map((x) => `${x.system}|${x.externalId}`));
    const movedExt = before.merged.externalIds.filter((x) => !keptExt.has(`${x.system}|${x.externalId}`));
    for (const x of movedExt) {
      await tx
        .update(integrationExternalIds)
        .set({ profileId: kept.id })
        .where(and(eq(integrationExternalIds.tenantId, tenantId), eq(integrationExternalIds.system, x.system), eq(integrationExternalIds.externalId, x.externalId)));
    }
    const archived = await neighbours.updateProfile(tx, tenantId, merged, { status: 'archived', archivedAt: at }, who, at);
    await neighbours.addHistory(tx, tenantId, archived, 'merge', null, `Merged into ${updated.firstName} ${updated.lastName} (${kept.id})`, who, at);

    const changes: MergeChanges = {
      fields: Object.fromEntries(Object.keys(patch).map((f) => [f, stringify((updated as Record<string, unknown>)[f])])),
      movedCheckValueIds: moved,
      replacedCheckValueIds: swapped,
      movedLinkMemberIds: movedLinks,
      movedExternalIds: movedExt,
    };
    const queue = opts.queueId ? await integrationRepo.queueItem(tx, tenantId, opts.queueId) : await integrationRepo.queueForPair(tx, tenantId, keptId, mergedId);
    if (queue) await tx.update(integrationMergeQueue).set({ status: 'merged', resolvedAt: at }).where(eq(integrationMergeQueue.id, queue.id));
    const [row] = await tx
      .insert(integrationMerges)
      .values({ tenantId, keptProfileId: kept.id, mergedProfileId: merged.id, queueId: queue?.id ?? null, runId: opts.runId ?? null, choices: resolved, before, changes, mergedBy: actor.label, mergedAt: at })
      .returning();
    await recordAudit(tx, tenantId, actor, {
      action: 'integration.profiles_merged',
      targetType: 'profile',
      targetId: kept.id,
      summary: `${merged.firstName} ${merged.lastName} merged into ${updated.firstName} ${updated.lastName}`,
      data: { mergeId: row!.id, mergedProfileId: merged.id, choices: resolved },
    });
    return row!;
  }

  async function merge(tenantId: string, input: { keptProfileId: string; mergedProfileId: string; choices?: Choices; queueId?: string }, actor: Actor) {
    return inTransaction(db, (tx) => mergeIn(tx, tenantId, input.keptProfileId, input.mergedProfileId, input.choices ?? {}, actor, { queueId: input.queueId }));
  }

  /** Undoes a merge: both profiles and their links come back; edits made since stay and are listed. */
  async function undo(tenantId: string, mergeId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const m = await integrationRepo.merge(tx, tenantId, mergeId);
      if (!m) throw notFound('Merge');
      if (m.undoneAt) throw conflict('merge_already_undone', 'This merge has already been undone');
      const kept = await neighbours.profile(tx, tenantId, m.keptProfileId);
      const merged = await neighbours.profile(tx, tenantId, m.mergedProfileId);
      if (!kept || !merged) throw conflict('profile_deleted', 'One of the two profiles was deleted since the merge; it cannot be undone');
      const at = now();
      const who = { id: actor.id, label: actor.label };
      const keptEditsSince: string[] = [];
      const restore: Partial<ProfileRow> = {};
      const beforeKept = m.before.kept.profile;
      for (const [f, mergedValue] of Object.entries(m.changes.fields)) {
        const current = stringify((kept as Record<string, unknown>)[f]);
        if (current === mergedValue) (restore as Record<string, unknown>)[f] = beforeKept[f] ?? null;
        else keptEditsSince.push(f);
      }
      // Edits made since the merge (history after it, other than the merge itself) are listed.
      const history = (await neighbours.historySince(tx, tenantId, [kept.id, merged.id], m.mergedAt)).filter((h) => h.field !== 'merge' && !(h.at.getTime() === m.mergedAt.getTime()));
      const restoredKept = await neighbours.updateProfile(tx, tenantId, kept, restore, who, at);
      await neighbours.addHistory(tx, tenantId, restoredKept, 'merge_undone', null, `Merge with ${merged.firstName} ${merged.lastName} undone`, who, at);

      // Check values go back, except ones re-recorded since the merge (they stay where they were made).
      const nowValues = await neighbours.checkValuesOf(tx, tenantId, [kept.id, merged.id]);
      const byId = new Map(nowValues.map((v) => [v.id, v]));
      const editedValues: string[] = [];
      const back = m.changes.movedCheckValueIds.filter((id) => {
        const v = byId.get(id);
        if (!v || v.profileId !== kept.id) return false;
        if (v.recordedAt.getTime() > m.mergedAt.getTime()) {
          editedValues.push(id);
          return false;
        }
        return true;
      });
      const parkedRows = nowValues.filter((v) => m.changes.replacedCheckValueIds.includes(v.id) && v.profileId === merged.id);
      const returning = nowValues.filter((v) => back.includes(v.id));
      await neighbours.deleteCheckValues(tx, tenantId, [...parkedRows.map((v) => v.id), ...returning.map((v) => v.id)]);
      await neighbours.restoreCheckValues(tx, returning.map((v) => ({ ...serialiseValue(v), profileId: merged.id })));
      const keptSlots = new Set((await neighbours.checkValuesOf(tx, tenantId, [kept.id])).map((v) => v.checkId));
      await neighbours.restoreCheckValues(tx, parkedRows.filter((v) => !keptSlots.has(v.checkId)).map((v) => ({ ...serialiseValue(v), profileId: kept.id })));

      if (m.changes.movedLinkMemberIds.length) {
        await tx
          .update(integrationPersonLinks)
          .set({ profileId: merged.id })
          .where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.memberId, m.changes.movedLinkMemberIds), eq(integrationPersonLinks.profileId, kept.id)));
      }
      for (const x of m.changes.movedExternalIds) {
        await tx
          .update(integrationExternalIds)
          .set({ profileId: merged.id })
          .where(and(eq(integrationExternalIds.tenantId, tenantId), eq(integrationExternalIds.system, x.system), eq(integrationExternalIds.externalId, x.externalId)));
      }
      const beforeMerged = m.before.merged.profile;
      const revived = await neighbours.updateProfile(
        tx,
        tenantId,
        merged,
        { status: beforeMerged.status as ProfileRow['status'], archivedAt: beforeMerged.archivedAt ? new Date(String(beforeMerged.archivedAt)) : null },
        who,
        at,
      );
      await neighbours.addHistory(tx, tenantId, revived, 'merge_undone', null, `Merge into ${kept.firstName} ${kept.lastName} undone`, who, at);
      if (m.queueId) await tx.update(integrationMergeQueue).set({ status: 'suggested', resolvedAt: null }).where(eq(integrationMergeQueue.id, m.queueId));
      await tx.update(integrationMerges).set({ undoneAt: at, undoneBy: actor.label }).where(eq(integrationMerges.id, m.id));
      const editsSince = [
        ...keptEditsSince.map((f) => ({ profileId: kept.id, field: f, note: 'changed on the kept profile after the merge; left as it is' })),
        ...history
          .filter((h) => !keptEditsSince.includes(h.field))
          .map((h) => ({ profileId: h.profileId, field: h.field, note: `changed by ${h.actorLabel} on ${h.at.toISOString()}; left where it was made` })),
        ...editedValues.map((id) => ({ profileId: kept.id, field: `check:${byId.get(id)!.checkId}`, note: 're-recorded after the merge; left on the kept profile' })),
      ];
      await recordAudit(tx, tenantId, actor, {
        action: 'integration.merge_undone',
        targetType: 'profile',
        targetId: kept.id,
        summary: `Merge of ${merged.firstName} ${merged.lastName} into ${kept.firstName} ${kept.lastName} undone`,
        data: { mergeId: m.id, editsSince },
      });
      return { mergeId: m.id, keptProfileId: kept.id, restoredProfileId: merged.id, editsSince };
    });
  }

  async function queue(tenantId: string, status: QueueRow['status'] = 'suggested') {
    const rows = await db
      .select()
      .from(integrationMergeQueue)
      .where(and(eq(integrationMergeQueue.tenantId, tenantId), eq(integrationMergeQueue.status, status)))
      .orderBy(integrationMergeQueue.createdAt, integrationMergeQueue.id);
    const profiles = new Map((await neighbours.profiles(db, tenantId, [...new Set(rows.flatMap((r) => [r.profileAId, r.profileBId]))])).map((p) => [p.id, p]));
    const brief = (id: string) => {
      const p = profiles.get(id);
      return p ? { id, name: `${p.firstName} ${p.lastName}`.trim(), email: p.email, status: p.status } : { id, name: '', email: '', status: 'missing' };
    };
    return rows.map((r) => ({ id: r.id, reason: r.reason, detail: r.detail, status: r.status, a: brief(r.profileAId), b: brief(r.profileBId), createdAt: r.createdAt.toISOString() }));
  }

  /** The two profiles side by side, with the default choice per field. */
  async function pair(tenantId: string, queueId: string) {
    const q = await integrationRepo.queueItem(db, tenantId, queueId);
    if (!q) throw notFound('Suggested pair');
    const [a, b] = [await neighbours.profile(db, tenantId, q.profileAId), await neighbours.profile(db, tenantId, q.profileBId)];
    if (!a || !b) throw notFound('Profile');
    const values = await neighbours.checkValuesOf(db, tenantId, [a.id, b.id]);
    const [kept, merged] = pickKept(a, b, (id) => values.filter((v) => v.profileId === id).length);
    const defaults = resolveChoices(kept, merged);
    const side = (p: ProfileRow) => ({
      id: p.id,
      fields: Object.fromEntries(PROFILE_FIELDS.map((f) => [f, stringify(p[f])])),
      checks: values.filter((v) => v.profileId === p.id).length,
      updatedAt: p.updatedAt.toISOString(),
      createdAt: p.createdAt.toISOString(),
    });
    return { id: q.id, reason: q.reason, detail: q.detail, status: q.status, kept: side(kept), merged: side(merged), defaults };
  }

  async function dismiss(tenantId: string, queueId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const q = await integrationRepo.queueItem(tx, tenantId, queueId);
      if (!q) throw notFound('Suggested pair');
      await tx.update(integrationMergeQueue).set({ status: 'dismissed', resolvedAt: now() }).where(eq(integrationMergeQueue.id, q.id));
      await recordAudit(tx, tenantId, actor, { action: 'integration.pair_dismissed', targetType: 'merge_queue', targetId: q.id, summary: 'Suggested duplicate dismissed: not the same person' });
    });
  }

  async function startMergeAll(tenantId: string, input: { preserve?: Choices }, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const run = await runs.create(tx, tenantId, 'merge_all', { preserve: input.preserve ?? {} }, actor);
      await recordAudit(tx, tenantId, actor, { action: 'integration.merge_all_started', targetType: 'integration_run', targetId: run.id, summary: 'Merge of all suggested pairs started' });
      return run;
    });
  }

  runs.register('merge_all', async (ctx) => {
    const tenantId = ctx.run.tenantId;
    const preserve = (ctx.run.params.preserve ?? {}) as Choices;
    const pending = await db
      .select()
      .from(integrationMergeQueue)
      .where(and(eq(integrationMergeQueue.tenantId, tenantId), eq(integrationMergeQueue.status, 'suggested')))
      .orderBy(integrationMergeQueue.createdAt, integrationMergeQueue.id);
    await ctx.setTotal(pending.length);
    const actor: Actor = { kind: 'system', id: null, label: `merge all (run ${ctx.run.id.slice(0, 8)})` };
    await ctx.batches(pending, (q) => q.id, 50, async (tx, batch) => {
      const items: Array<{ itemKey: string; outcome: 'updated' | 'skipped' }> = [];
      for (const q of batch) {
        const [a, b] = [await neighbours.profile(tx, tenantId, q.profileAId), await neighbours.profile(tx, tenantId, q.profileBId)];
        const current = await integrationRepo.queueItem(tx, tenantId, q.id);
        if (!a || !b || a.status !== 'live' || b.status !== 'live' || current?.status !== 'suggested') {
          items.push({ itemKey: q.id, outcome: 'skipped' });
          continue;
        }
        const values = await neighbours.checkValuesOf(tx, tenantId, [a.id, b.id]);
        const [kept, merged] = pickKept(a, b, (id) => values.filter((v) => v.profileId === id).length);
        await mergeIn(tx, tenantId, kept.id, merged.id, preserve, actor, { queueId: q.id, runId: ctx.run.id });
        items.push({ itemKey: q.id, outcome: 'updated' });
      }
      return { items };
    });
  });

  async function merges(tenantId: string) {
    const rows = await db.select().from(integrationMerges).where(eq(integrationMerges.tenantId, tenantId)).orderBy(integrationMerges.mergedAt);
    const profiles = new Map((await neighbours.profiles(db, tenantId, [...new Set(rows.flatMap((r) => [r.keptProfileId, r.mergedProfileId]))])).map((p) => [p.id, `${p.firstName} ${p.lastName}`.trim()]));
    return rows.map((m) => ({
      id: m.id,
      keptProfileId: m.keptProfileId,
      mergedProfileId: m.mergedProfileId,
      keptName: profiles.get(m.keptProfileId) ?? '',
      mergedName: profiles.get(m.mergedProfileId) ?? '',
      choices: m.choices,
      mergedBy: m.mergedBy,
      mergedAt: m.mergedAt.toISOString(),
      undoneAt: m.undoneAt?.toISOString() ?? null,
      undoneBy: m.undoneBy,
    }));
  }

  return { merge, mergeIn, undo, queue, pair, dismiss, startMergeAll, merges };
}

export type MergeService = ReturnType<typeof createMergeService>;
