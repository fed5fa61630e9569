import { inTransaction } from '../../../platform/db/tx.js';
import { conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { integrationRepo } from '../integration.repo.js';
import { stringify } from './merge.values.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';
import { serialiseValue } from './plan.js';
import { mergeRepo } from './merge.repo.js';
import type { MergeDeps } from './merge.js';

/** Undoing a merge from the snapshot it kept. */
export function createMergeUndo(deps: Pick<MergeDeps, 'db' | 'now' | 'record' | 'onProfilesChanged'>) {
  const { db, now, record } = deps;

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
      await mergeRepo.moveLinks(tx, tenantId, m.changes.movedLinkMemberIds, merged.id, kept.id);
      await mergeRepo.moveExternalIds(tx, tenantId, m.changes.movedExternalIds, merged.id);
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
      if (m.queueId) await mergeRepo.setQueueStatus(tx, tenantId, [m.queueId], 'suggested', null);
      await mergeRepo.setUndone(tx, tenantId, m.id, at, actor.label);
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

  return { undo };
}
