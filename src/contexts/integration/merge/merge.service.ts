import { createMergeOne, type MergeDeps } from './merge.js';
import { createMergeAll } from './merge-all.js';
import { createMergeUndo } from './undo.js';
import { createMergeQueue } from './queue.service.js';


/**
 * The merge feature, one file per use case: `queue.service.ts` (suggested pairs, a pair side by
 * side, dismiss, the list of merges), `merge.ts` (merge one pair), `merge-all.ts` (preview and
 * the merge-all run), `undo.ts`; the rules in `choices.ts`, what a merge changes in `plan.ts`,
 * queries in `merge.repo.ts`, shapes in `merge.presenters.ts`.
 */
export function createMergeService(deps: MergeDeps) {
  const one = createMergeOne(deps);
  const all = createMergeAll(deps);
  const { undo } = createMergeUndo(deps);
  const { queue, pair, dismiss, merges } = createMergeQueue(deps);
  return { merge: one.merge, mergeIn: one.mergeIn, mergeBatch: all.mergeBatch, undo, queue, pair, dismiss, previewMergeAll: all.previewMergeAll, startMergeAll: all.startMergeAll, merges, runHandlers: all.runHandlers };
}

export type MergeService = ReturnType<typeof createMergeService>;
