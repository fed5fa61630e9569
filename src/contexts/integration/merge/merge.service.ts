import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
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
import type { CheckValueView as CheckValueRow, ProfileView as ProfileRow } from '../../record/index.js';
import { PROFILE_FIELDS, type ProfileField } from '../integration.schemas.js';
import { stringify } from './merge.values.js';
import { snapshotOfValue, type CheckValueSnapshot, type ProfilePatch, type RecordPort } from '../../record/index.js';
import type { RunHandler, Runs } from '../runs/runs.js';

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

/**
 * "Preserve these values" for a whole batch: per field, which profile of each pair wins, named the
 * way the admin thinks of them: `record` (the profile the Central Record already had) or `signin`
 * (the one that came from sign-in, linked to a member); `kept`/`merged` as in a single merge.
 */
export type BatchSide = Side | 'record' | 'signin';
export type BatchPreserve = Partial<Record<ProfileField, BatchSide>>;
export type MergeAllOptions = { preserve?: BatchPreserve; exceptions?: Record<string, Choices> };
export type Origin = 'record' | 'signin';

/**
 * Where each profile of a pair came from: the one linked to a sign-in member is `signin`; when both
 * or neither are linked, the older profile is the record's and the newer one is from sign-in.
 */
export function originsOf(kept: ProfileRow, merged: ProfileRow, linked: (id: string) => boolean): { kept: Origin; merged: Origin } {
  const [k, m] = [linked(kept.id), linked(merged.id)];
  if (k !== m) return k ? { kept: 'signin', merged: 'record' } : { kept: 'record', merged: 'signin' };
  const keptOlder = kept.createdAt.getTime() < merged.createdAt.getTime() || (kept.createdAt.getTime() === merged.createdAt.getTime() && kept.id < merged.id);
  return keptOlder ? { kept: 'record', merged: 'signin' } : { kept: 'signin', merged: 'record' };
}

/** A batch's preserve rule (or the pair's own exception) as the pair's kept/merged choices. */
export function choicesForPair(origins: { kept: Origin; merged: Origin }, preserve: BatchPreserve = {}, exception?: Choices): Choices {
  if (exception) return exception;
  const out: Choices = {};
  for (const f of PROFILE_FIELDS) {
    const want = preserve[f];
    if (!want) continue;
    out[f] = want === 'kept' || want === 'merged' ? want : origins.kept === want ? 'kept' : 'merged';
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
const serialiseValue = (v: CheckValueRow): CheckValueSnapshot => snapshotOfValue(v);

export function createMergeService(
  deps: Pick<Platform, 'db' | 'now' | 'jobs'> & {
    runs: Runs;
    record: RecordPort;
    /** Queues the two-way sync of the people linked to these profiles (in the merge's transaction). */
    onProfilesChanged?: (tx: DbOrTx, tenantId: string, profileIds: string[]) => Promise<void>;
  },
) {
  const { db, now, runs, record } = deps;

  type Related = {
    values: CheckValueRow[];
    ext: Array<{ profileId: string; system: string; externalId: string }>;
    links: Array<{ profileId: string; memberId: string; groupId: string; source: string }>;
    docs: Array<{ id: string; profileId: string; checkId: string | null }>;
  };
  async function related(tx: DbOrTx, tenantId: string, ids: string[]): Promise<Related> {
    return {
      values: await record.checkValuesOf(tx, tenantId, ids),
      ext: await integrationRepo.externalIdsOf(tx, tenantId, ids),
      links: await integrationRepo.linksOfProfiles(tx, tenantId, ids),
      docs: await record.documentsOf(tx, tenantId, ids),
    };
  }
  function snapshotOf(p: ProfileRow, r: Related): ProfileSnapshot {
    return {
      profile: serialiseProfile(p),
      checkValues: r.values.filter((v) => v.profileId === p.id).map(serialiseValue),
      externalIds: r.ext.filter((x) => x.profileId === p.id).map((x) => ({ system: x.system, externalId: x.externalId })),
      links: r.links.filter((l) => l.profileId === p.id).map((l) => ({ memberId: l.memberId, groupId: l.groupId, source: l.source })),
    };
  }

  /**
   * What merging `merged` into `kept` changes, computed from what is loaded (no writes): the
   * fields the kept profile takes, check values moved (the merged profile's go over where the kept
   * one has none, or where its value is more recent; the kept one's older value then goes to the
   * archived profile: nothing is lost), links, external ids and evidence documents that follow.
   */
  function plan(kept: ProfileRow, merged: ProfileRow, r: Related, choices: Choices) {
    const before = { kept: snapshotOf(kept, r), merged: snapshotOf(merged, r) };
    const resolved = resolveChoices(kept, merged, choices);
    const patch: Partial<ProfileRow> = {};
    for (const f of PROFILE_FIELDS) if (resolved[f] === 'merged') (patch as Record<string, unknown>)[f] = merged[f];
    const keptValues = new Map(r.values.filter((v) => v.profileId === kept.id).map((v) => [v.checkId, v]));
    const moved: CheckValueRow[] = [];
    const parked: CheckValueRow[] = [];
    for (const v of r.values.filter((x) => x.profileId === merged.id)) {
      const mine = keptValues.get(v.checkId);
      if (!mine) moved.push(v);
      else if (v.recordedAt.getTime() > mine.recordedAt.getTime()) {
        moved.push(v);
        parked.push(mine);
      }
    }
    const keptGroups = new Set(before.kept.links.map((l) => l.groupId));
    const movedLinks = before.merged.links.filter((l) => !keptGroups.has(l.groupId)).map((l) => l.memberId);
    const keptExt = new Set(before.kept.externalIds.map((x) => `${x.system}|${x.externalId}`));
    const movedExt = before.merged.externalIds.filter((x) => !keptExt.has(`${x.system}|${x.externalId}`));
    // Evidence follows its check value; documents evidencing no particular check follow the person.
    const movedChecks = new Set(moved.map((v) => v.checkId));
    const movedDocs = r.docs.filter((d) => d.profileId === merged.id && (d.checkId === null || movedChecks.has(d.checkId))).map((d) => d.id);
    return { before, resolved, patch, moved, parked, movedLinks, movedExt, movedDocs };
  }
  type Plan = ReturnType<typeof plan>;

  function changesOf(p: Plan, updated: ProfileRow): MergeChanges {
    return {
      fields: Object.fromEntries(Object.keys(p.patch).map((f) => [f, stringify((updated as Record<string, unknown>)[f])])),
      movedCheckValueIds: p.moved.map((v) => v.id),
      replacedCheckValueIds: p.parked.map((v) => v.id),
      movedLinkMemberIds: p.movedLinks,
      movedExternalIds: p.movedExt,
      movedDocumentIds: p.movedDocs,
    };
  }

  async function moveExternalIds(tx: DbOrTx, tenantId: string, ids: Array<{ system: string; externalId: string }>, to: string) {
    for (const x of ids) {
      await tx
        .update(integrationExternalIds)
        .set({ profileId: to })
        .where(and(eq(integrationExternalIds.tenantId, tenantId), eq(integrationExternalIds.system, x.system), eq(integrationExternalIds.externalId, x.externalId)));
    }
  }

  /** The kept profile's history line of a merge. */
  const mergedWith = (merged: ProfileRow) => ({ field: 'merge', before: null, after: `Merged with ${merged.firstName} ${merged.lastName} (${merged.id})` });
  /** The merged profile's change, the same in a single merge and in a batch: archived, and why. */
  const archiveIntoPatch = (kept: ProfileRow, at: Date): ProfilePatch => ({
    set: { status: 'archived', archivedAt: at },
    notes: [{ field: 'merge', before: null, after: `Merged into ${kept.firstName} ${kept.lastName} (${kept.id})` }],
    at,
  });

  const mergedAudit = (merged: ProfileRow, kept: ProfileRow, mergeId: string, resolved: Record<string, Side>) => ({
    action: 'integration.profiles_merged',
    targetType: 'profile',
    targetId: kept.id,
    summary: `${merged.firstName} ${merged.lastName} merged into ${kept.firstName} ${kept.lastName}`,
    data: { mergeId, mergedProfileId: merged.id, choices: resolved },
  });

  /** Merges `mergedId` into `keptId` in the caller's transaction. */
  async function mergeIn(tx: DbOrTx, tenantId: string, keptId: string, mergedId: string, choices: Choices, actor: Actor, opts: { queueId?: string | null; runId?: string | null } = {}): Promise<MergeRow> {
    if (keptId === mergedId) throw badRequest('merge_same_profile', 'A profile cannot be merged with itself', 'mergedProfileId');
    const kept = await record.profile(tx, tenantId, keptId);
    const merged = await record.profile(tx, tenantId, mergedId);
    if (!kept || !merged) throw notFound('Profile');
    if (kept.status !== 'live' || merged.status !== 'live') throw conflict('profile_archived', 'Both profiles must be live to be merged');
    const at = now();
    const p = plan(kept, merged, await related(tx, tenantId, [kept.id, merged.id]), choices);
    const who = { id: actor.id, label: actor.label };
    const updated = await record.applyPatch(tx, tenantId, kept, { set: p.patch, notes: [mergedWith(merged)], at }, who);

    // Swap in three steps to respect (profile, check) uniqueness: kept's → merged first needs the slot free.
    await record.deleteCheckValues(tx, tenantId, p.parked.map((v) => v.id));
    await record.moveCheckValues(tx, tenantId, p.moved.map((v) => ({ id: v.id, to: kept.id })));
    await record.restoreCheckValues(tx, tenantId, p.parked.map((v) => ({ ...serialiseValue(v), profileId: merged.id })));
    await record.moveDocuments(tx, tenantId, p.movedDocs.map((id) => ({ id, from: merged.id, to: kept.id })));

    // Links to members and external ids follow the person.
    if (p.movedLinks.length) {
      // profileVersion -1: the member now follows the kept profile, so the next sync copies its values.
      await tx
        .update(integrationPersonLinks)
        .set({ profileId: kept.id, profileVersion: -1 })
        .where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.memberId, p.movedLinks)));
    }
    await moveExternalIds(tx, tenantId, p.movedExt, kept.id);
    await deps.onProfilesChanged?.(tx, tenantId, [kept.id]);
    await record.applyPatch(tx, tenantId, merged, archiveIntoPatch(updated, at), who);

    const queue = opts.queueId ? await integrationRepo.queueItem(tx, tenantId, opts.queueId) : await integrationRepo.queueForPair(tx, tenantId, keptId, mergedId);
    if (queue) await tx.update(integrationMergeQueue).set({ status: 'merged', resolvedAt: at }).where(eq(integrationMergeQueue.id, queue.id));
    const [row] = await tx
      .insert(integrationMerges)
      .values({ tenantId, keptProfileId: kept.id, mergedProfileId: merged.id, queueId: queue?.id ?? null, runId: opts.runId ?? null, choices: p.resolved, before: p.before, changes: changesOf(p, updated), mergedBy: actor.label, mergedAt: at })
      .returning();
    await recordAudit(tx, tenantId, actor, mergedAudit(merged, updated, row!.id, p.resolved));
    return row!;
  }

  /**
   * Merges a batch of suggested pairs with set-wise reads and writes (merge-all): a few statements
   * per batch plus one profile update and one audit row per pair, instead of some twenty per pair.
   * Pairs that share a profile with an earlier pair of the batch are merged one by one afterwards.
   * Each merge is recorded exactly as a single merge is, so each can be undone on its own.
   */
  async function mergeBatch(tx: DbOrTx, tenantId: string, queueIds: string[], options: MergeAllOptions, actor: Actor, runId: string | null): Promise<Map<string, 'updated' | 'skipped'>> {
    const outcome = new Map<string, 'updated' | 'skipped'>(queueIds.map((id) => [id, 'skipped']));
    const queue = await tx.select().from(integrationMergeQueue).where(and(eq(integrationMergeQueue.tenantId, tenantId), inArray(integrationMergeQueue.id, queueIds)));
    const profiles = new Map((await record.profiles(tx, tenantId, [...new Set(queue.flatMap((q) => [q.profileAId, q.profileBId]))])).map((p) => [p.id, p]));
    const r = await related(tx, tenantId, [...profiles.keys()]);
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
    const linkMoves = planned.flatMap((x) => x.p.movedLinks.map((memberId) => ({ memberId, to: x.kept.id })));
    if (linkMoves.length) {
      const target = sql`CASE ${integrationPersonLinks.memberId} ${sql.join(linkMoves.map((m) => sql`WHEN ${m.memberId}::uuid THEN ${m.to}::uuid`), sql` `)} END`;
      await tx
        .update(integrationPersonLinks)
        .set({ profileId: target, profileVersion: -1 })
        .where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.memberId, linkMoves.map((m) => m.memberId))));
    }
    for (const x of planned) await moveExternalIds(tx, tenantId, x.p.movedExt, x.kept.id);
    if (planned.length) await deps.onProfilesChanged?.(tx, tenantId, planned.map((x) => x.kept.id));
    // The merged profiles are archived as a single merge archives one (same columns, same history), in one statement.
    await record.applyPatches(tx, tenantId, planned.map((x) => ({ profile: x.merged, patch: archiveIntoPatch(updatedOf.get(x.kept.id)!, at) })), who);
    if (planned.length) {
      await tx.update(integrationMergeQueue).set({ status: 'merged', resolvedAt: at }).where(and(eq(integrationMergeQueue.tenantId, tenantId), inArray(integrationMergeQueue.id, planned.map((x) => x.q.id))));
      const rows = await tx
        .insert(integrationMerges)
        .values(planned.map((x) => ({ tenantId, keptProfileId: x.kept.id, mergedProfileId: x.merged.id, queueId: x.q.id, runId, choices: x.p.resolved, before: x.p.before, changes: changesOf(x.p, updatedOf.get(x.kept.id)!), mergedBy: actor.label, mergedAt: at })))
        .returning({ id: integrationMerges.id, queueId: integrationMerges.queueId });
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
        const [m] = await tx
          .select({ kept: integrationMerges.keptProfileId })
          .from(integrationMerges)
          .where(and(eq(integrationMerges.tenantId, tenantId), eq(integrationMerges.mergedProfileId, id), isNull(integrationMerges.undoneAt)));
        if (!m) break;
        id = m.kept;
      }
      return record.profile(tx, tenantId, id);
    };
    for (const q of later) {
      const [a, b] = [await follow(q.profileAId), await follow(q.profileBId)];
      if (a && b && a.id === b.id) {
        await tx.update(integrationMergeQueue).set({ status: 'merged', resolvedAt: at }).where(eq(integrationMergeQueue.id, q.id));
        outcome.set(q.id, 'updated');
        continue;
      }
      const current = await integrationRepo.queueItem(tx, tenantId, q.id);
      if (!a || !b || a.status !== 'live' || b.status !== 'live' || current?.status !== 'suggested') continue;
      const values = await record.checkValuesOf(tx, tenantId, [a.id, b.id]);
      const [kept, merged] = pickKept(a, b, (id) => values.filter((v) => v.profileId === id).length);
      const links = new Set((await integrationRepo.linksOfProfiles(tx, tenantId, [a.id, b.id])).map((l) => l.profileId));
      const choices = choicesForPair(originsOf(kept, merged, (id) => links.has(id)), options.preserve, options.exceptions?.[q.id]);
      await mergeIn(tx, tenantId, kept.id, merged.id, choices, actor, { queueId: q.id, runId });
      outcome.set(q.id, 'updated');
    }
    return outcome;
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
      const kept = await record.profile(tx, tenantId, m.keptProfileId);
      const merged = await record.profile(tx, tenantId, m.mergedProfileId);
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
      const history = (await record.historySince(tx, tenantId, [kept.id, merged.id], m.mergedAt)).filter((h) => h.field !== 'merge' && !(h.at.getTime() === m.mergedAt.getTime()));
      await record.applyPatch(tx, tenantId, kept, { set: restore, notes: [{ field: 'merge_undone', before: null, after: `Merge with ${merged.firstName} ${merged.lastName} undone` }], at }, who);

      // Check values go back, except ones re-recorded since the merge (they stay where they were made).
      const nowValues = await record.checkValuesOf(tx, tenantId, [kept.id, merged.id]);
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
      await record.deleteCheckValues(tx, tenantId, [...parkedRows.map((v) => v.id), ...returning.map((v) => v.id)]);
      await record.restoreCheckValues(tx, tenantId, returning.map((v) => ({ ...serialiseValue(v), profileId: merged.id })));
      const keptSlots = new Set((await record.checkValuesOf(tx, tenantId, [kept.id])).map((v) => v.checkId));
      await record.restoreCheckValues(tx, tenantId, parkedRows.filter((v) => !keptSlots.has(v.checkId)).map((v) => ({ ...serialiseValue(v), profileId: kept.id })));

      // Evidence documents moved by the merge go back (ones uploaded to the kept profile since stay).
      await record.moveDocuments(tx, tenantId, (m.changes.movedDocumentIds ?? []).map((id) => ({ id, from: kept.id, to: merged.id })));
      if (m.changes.movedLinkMemberIds.length) {
        await tx
          .update(integrationPersonLinks)
          .set({ profileId: merged.id, profileVersion: -1 })
          .where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.memberId, m.changes.movedLinkMemberIds), eq(integrationPersonLinks.profileId, kept.id)));
      }
      for (const x of m.changes.movedExternalIds) {
        await tx
          .update(integrationExternalIds)
          .set({ profileId: merged.id })
          .where(and(eq(integrationExternalIds.tenantId, tenantId), eq(integrationExternalIds.system, x.system), eq(integrationExternalIds.externalId, x.externalId)));
      }
      const beforeMerged = m.before.merged.profile;
      await record.applyPatch(
        tx,
        tenantId,
        merged,
        {
          set: { status: beforeMerged.status as ProfileRow['status'], archivedAt: beforeMerged.archivedAt ? new Date(String(beforeMerged.archivedAt)) : null },
          notes: [{ field: 'merge_undone', before: null, after: `Merge into ${kept.firstName} ${kept.lastName} undone` }],
          at,
        },
        who,
      );
      await deps.onProfilesChanged?.(tx, tenantId, [kept.id, merged.id]);
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
    const profiles = new Map((await record.profiles(db, tenantId, [...new Set(rows.flatMap((r) => [r.profileAId, r.profileBId]))])).map((p) => [p.id, p]));
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
    const [a, b] = [await record.profile(db, tenantId, q.profileAId), await record.profile(db, tenantId, q.profileBId)];
    if (!a || !b) throw notFound('Profile');
    const values = await record.checkValuesOf(db, tenantId, [a.id, b.id]);
    const [kept, merged] = pickKept(a, b, (id) => values.filter((v) => v.profileId === id).length);
    const defaults = resolveChoices(kept, merged);
    const linked = new Set((await integrationRepo.linksOfProfiles(db, tenantId, [a.id, b.id])).map((l) => l.profileId));
    const origins = originsOf(kept, merged, (id) => linked.has(id));
    const side = (p: ProfileRow) => ({
      origin: p.id === kept.id ? origins.kept : origins.merged,
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

  /**
   * What merge-all would make of every suggested pair with these options, without writing: per pair
   * the profile kept and, per field, the value it ends with and where that value comes from.
   * Pairs are previewed one by one (a chain A–B, B–C is merged onto what the first merge left).
   */
  async function previewMergeAll(tenantId: string, options: MergeAllOptions, limit = 200) {
    const pending = await db
      .select()
      .from(integrationMergeQueue)
      .where(and(eq(integrationMergeQueue.tenantId, tenantId), eq(integrationMergeQueue.status, 'suggested')))
      .orderBy(integrationMergeQueue.createdAt, integrationMergeQueue.id);
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
    const pending = await db
      .select()
      .from(integrationMergeQueue)
      .where(and(eq(integrationMergeQueue.tenantId, tenantId), eq(integrationMergeQueue.status, 'suggested')))
      .orderBy(integrationMergeQueue.createdAt, integrationMergeQueue.id);
    await ctx.setTotal(pending.length);
    const actor: Actor = { kind: 'system', id: null, label: `merge all (run ${ctx.run.id.slice(0, 8)})` };
    await ctx.batches(pending, (q) => q.id, 500, async (tx, batch) => {
      const outcome = await mergeBatch(tx, tenantId, batch.map((q) => q.id), options, actor, ctx.run.id);
      return { items: batch.map((q) => ({ itemKey: q.id, outcome: outcome.get(q.id) ?? 'skipped' })) };
    });
  };

  async function merges(tenantId: string) {
    const rows = await db.select().from(integrationMerges).where(eq(integrationMerges.tenantId, tenantId)).orderBy(integrationMerges.mergedAt);
    const profiles = new Map((await record.profiles(db, tenantId, [...new Set(rows.flatMap((r) => [r.keptProfileId, r.mergedProfileId]))])).map((p) => [p.id, `${p.firstName} ${p.lastName}`.trim()]));
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

  return { merge, mergeIn, mergeBatch, undo, queue, pair, dismiss, previewMergeAll, startMergeAll, merges, runHandlers: { merge_all: runMergeAll } };
}

export type MergeService = ReturnType<typeof createMergeService>;
