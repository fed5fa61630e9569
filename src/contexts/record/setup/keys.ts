import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../../../platform/db/database.js';
import { seedRecord } from './seed.js';
import { setupRepo } from './setup.repo.js';

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40) || 'x';

/** The key of a tenant's own profile type, check or rating system: from its name, unique by a random suffix. */
export const newKey = (name: string) => `custom_${slug(name)}_${randomBytes(3).toString('hex')}`;

/** A tenant's record starts with the built-in set: seeded before its first own setting is written. */
export async function ensureSeeded(t: DbOrTx, tenantId: string): Promise<void> {
  if (!(await setupRepo.hasProfileTypes(t, tenantId))) await seedRecord(t, tenantId);
}
