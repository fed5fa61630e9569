import type { ExclusionRow } from './people.repo.js';

export function presentExclusion(r: ExclusionRow) {
  return { id: r.id, memberId: r.memberId, reason: r.reason, profile: r.profileSnapshot, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() };
}
