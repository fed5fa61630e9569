import { randomBytes } from 'node:crypto';
import { count } from 'drizzle-orm';
import type { Platform } from '../platform/platform.js';
import { tenants } from '../contexts/accounts/accounts.tables.js';
import { DEMO_CONTRACTORS_PIN, seedSigninDemo } from '../contexts/signin/demo/demo.js';
import { seedRecordDemo } from '../contexts/record/demo/demo.js';
import { composeContexts, type Contexts } from '../contexts/compose.js';

export const DEMO_OWNER_EMAIL = 'owner@demo.threshold.test';

/**
 * On an empty database: a demo trust with two schools and its owner. Each context adds its own
 * demo data in `seedDemo` steps below. Returns the owner's sign-in and the Contractors group's
 * kiosk PIN, or undefined if not empty.
 */
export async function seedDemoIfEmpty(platform: Platform, contexts: Contexts = composeContexts(platform)): Promise<{ email: string; password: string; contractorsPin: string } | undefined> {
  const [row] = await platform.db.select({ n: count() }).from(tenants);
  if ((row?.n ?? 0) > 0) return undefined;
  const password = randomBytes(9).toString('base64url');
  const { tenant, owner } = await contexts.accounts.service.createTenant({
    name: 'Northgate Learning Trust',
    kind: 'trust',
    ownerEmail: DEMO_OWNER_EMAIL,
    ownerPassword: password,
    ownerName: 'Demo Owner',
  });
  await seedSigninDemo(platform, contexts.signin, tenant.id, [owner.id]);
  await seedRecordDemo(platform, contexts.record, tenant.id);
  return { email: DEMO_OWNER_EMAIL, password, contractorsPin: DEMO_CONTRACTORS_PIN };
}
