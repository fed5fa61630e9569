import type { RunRow } from '../integration.repo.js';
import type { SkipReason } from '../integration.tables.js';

/** A run's progress as the API and the CLI show it; an import's skips per reason when they were counted. */
export function presentRun(r: RunRow, skippedBy?: Record<SkipReason, number>) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    total: r.total,
    done: r.done,
    created: r.created,
    queued: r.queued,
    updated: r.updated,
    skipped: r.skipped,
    failed: r.failed,
    ...(skippedBy ? { skippedBy } : {}),
    percent: r.total > 0 ? Math.min(100, Math.round((r.done / r.total) * 100)) : r.status === 'done' ? 100 : 0,
    error: r.error,
    attempts: r.attempts,
    params: r.params,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}
