import { randomBytes } from 'node:crypto';
import { count } from 'drizzle-orm';
import type { Platform } from '../platform/platform.js';
import { tenants } from '../contexts/accounts/accounts.tables.js';
import { DEMO_CONTRACTORS_PIN, DEMO_UNCHECKED_STAFF, seedSigninDemo } from '../contexts/signin/demo/demo.js';
import { seedRecordDemo } from '../contexts/record/demo/demo.js';
import { seedIntegrationDemo } from '../contexts/integration/demo/demo.js';
import { composeContexts, type Contexts } from '../contexts/compose.js';

export const DEMO_OWNER_EMAIL = 'owner@demo.threshold.test';

/**
 * On an empty database: a demo trust with two schools and its owner. Each context adds its own
 * demo data in the steps below; the integration then links the Staff group to the primary
 * school's Central Record (everyone's checks recorded but one's: `uncheckedStaff`, whom the kiosk
 * refuses). Returns the owner's sign-in, the Contractors group's kiosk PIN and that person's
 * name, or undefined if not empty.
 */
export async function seedDemoIfEmpty(platform: Platform, contexts: Contexts = composeContexts(platform)): Promise<{ email: string; password: string; contractorsPin: string; uncheckedStaff: string } | undefined> {
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
  const signin = await seedSigninDemo(platform, contexts.signin, tenant.id, [owner.id]);
  const record = await seedRecordDemo(platform, contexts.record, tenant.id);
  await seedIntegrationDemo(platform, contexts.integration, tenant.id, { groupId: signin.groupIds.staff, organisationId: record.primary });
  return { email: DEMO_OWNER_EMAIL, password, contractorsPin: DEMO_CONTRACTORS_PIN, uncheckedStaff: DEMO_UNCHECKED_STAFF };
}
