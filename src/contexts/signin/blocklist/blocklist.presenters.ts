import type { BlockRow } from './blocklist.repo.js';

export function presentBlock(b: BlockRow) {
  return { id: b.id, fullName: b.fullName, email: b.email, dateOfBirth: b.dateOfBirth, reason: b.reason, createdAt: b.createdAt.toISOString() };
}
