import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { TestEnv } from './harness.js';
import { groups, members, sites, siteGroups, visits } from '../src/contexts/signin/signin.tables.js';

/**
 * Rows for the live side of sign-in (on site, roll calls, webhooks), written directly so these
 * tests do not depend on the kiosk flow; sign-ins through the visits service are tested there.
 */
export async function makeSite(env: TestEnv, tenantId: string, name = 'Main building', timezone = 'Europe/London') {
  const [site] = await env.platform.db.insert(sites).values({ tenantId, name, timezone }).returning();
  return site!;
}

export async function makeGroup(
  env: TestEnv,
  tenantId: string,
  siteId: string,
  opts: { name?: string; type?: 'standard' | 'repeat' | 'scim'; options?: Record<string, unknown> } = {},
) {
  const [group] = await env.platform.db
    .insert(groups)
    .values({ tenantId, name: opts.name ?? 'Staff', type: opts.type ?? 'repeat', options: opts.options ?? {} })
    .returning();
  await env.platform.db.insert(siteGroups).values({ tenantId, siteId, groupId: group!.id });
  return group!;
}

export async function makeMember(env: TestEnv, tenantId: string, groupId: string, fullName: string) {
  const [m] = await env.platform.db
    .insert(members)
    .values({ tenantId, groupId, fullName, qrToken: randomBytes(12).toString('base64url') })
    .returning();
  return m!;
}

export async function makeVisit(
  env: TestEnv,
  v: { tenantId: string; siteId: string; groupId: string; memberId?: string | null; personName: string; signedInAt?: Date; signedOutAt?: Date | null; outcome?: 'signed_in' | 'rejected' },
) {
  const [row] = await env.platform.db
    .insert(visits)
    .values({
      tenantId: v.tenantId,
      siteId: v.siteId,
      groupId: v.groupId,
      memberId: v.memberId ?? null,
      personName: v.personName,
      signedInAt: v.signedInAt ?? env.platform.now(),
      signedOutAt: v.signedOutAt ?? null,
      outcome: v.outcome ?? 'signed_in',
      safetyStatus: 'passed',
    })
    .returning();
  return row!;
}

export async function visitRow(env: TestEnv, id: string) {
  const [row] = await env.platform.db.select().from(visits).where(eq(visits.id, id));
  return row;
}
