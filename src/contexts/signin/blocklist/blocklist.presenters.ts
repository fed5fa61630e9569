import type { blockList } from '../signin.tables.js';

export type BlockRow = typeof blockList.$inferSelect;

export function presentBlock(b: BlockRow) {
  return { id: b.id, fullName: b.fullName, email: b.email, dateOfBirth: b.dateOfBirth, reason: b.reason, createdAt: b.createdAt.toISOString() };
}
