import type { MergeRow, QueueRow } from '../integration.repo.js';
import { PROFILE_FIELDS } from '../integration.schemas.js';
import { stringify } from './merge.values.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';
import type { Origin } from './choices.js';

/** A profile of a suggested pair in the queue's list: its name, email and status (`missing` once deleted). */
export function presentBrief(id: string, p: ProfileRow | undefined) {
  return p ? { id, name: `${p.firstName} ${p.lastName}`.trim(), email: p.email, status: p.status } : { id, name: '', email: '', status: 'missing' };
}

export function presentQueueItem(r: QueueRow, profiles: Map<string, ProfileRow>) {
  return { id: r.id, reason: r.reason, detail: r.detail, status: r.status, a: presentBrief(r.profileAId, profiles.get(r.profileAId)), b: presentBrief(r.profileBId, profiles.get(r.profileBId)), createdAt: r.createdAt.toISOString() };
}

/** One side of a pair shown side by side: where it came from, its fields and how many checks it has. */
export function presentPairSide(p: ProfileRow, origin: Origin, checks: number) {
  return {
    origin,
    id: p.id,
    fields: Object.fromEntries(PROFILE_FIELDS.map((f) => [f, stringify(p[f])])),
    checks,
    updatedAt: p.updatedAt.toISOString(),
    createdAt: p.createdAt.toISOString(),
  };
}

/** A merge (with the two profiles' names in the list of merges). */
export function presentMerge(m: MergeRow, names?: { kept: string; merged: string }) {
  return {
    id: m.id,
    keptProfileId: m.keptProfileId,
    mergedProfileId: m.mergedProfileId,
    ...(names ? { keptName: names.kept, mergedName: names.merged } : {}),
    choices: m.choices,
    mergedBy: m.mergedBy,
    mergedAt: m.mergedAt.toISOString(),
    undoneAt: m.undoneAt?.toISOString() ?? null,
    undoneBy: m.undoneBy,
  };
}
