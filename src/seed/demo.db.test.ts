import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { call, createTestTenant } from '../../test/factories.js';
import { tenants } from '../contexts/accounts/accounts.tables.js';
import { pairKiosk } from '../../test/signin-factories.js';
import { DEMO_UNCHECKED_STAFF, seedSigninDemo } from '../contexts/signin/demo/demo.js';
import { seedRecordDemo } from '../contexts/record/demo/demo.js';
import { seedIntegrationDemo } from '../contexts/integration/demo/demo.js';
import { DEMO_OWNER_EMAIL, seedDemoIfEmpty } from './demo.js';

const env = useTestEnv();

describe('demo tenant', () => {
  it('seeds an empty database once (a trust with two schools, its staff linked to the Central Record, the owner’s sign-in returned) and leaves a non-empty one alone', async () => {
    const [before] = await env.platform.db.select({ n: count() }).from(tenants);
    // Each PGlite test file starts empty; the PostgreSQL database is shared by a worker's files,
    // so there only the "not empty" half runs (seeding it would put demo data beside other files').
    const seeds = env.platform.database.kind === 'pglite';
    if (seeds) {
      expect(before!.n).toBe(0);
      const demo = await seedDemoIfEmpty(env.platform);
      expect(demo?.email).toBe(DEMO_OWNER_EMAIL);
      expect(demo?.contractorsPin).toMatch(/^\d{4,8}$/);
      const login = await call(env.app, 'POST', '/api/auth/login', { body: { email: demo!.email, password: demo!.password } });
      expect(login.status).toBe(200);
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const tenant = await call(env.app, 'GET', '/api/tenant', { headers: { cookie } });
      expect(tenant.body).toMatchObject({ name: 'Northgate Learning Trust', kind: 'trust' });
      const dashboard = await call(env.app, 'GET', '/api/record/dashboard', { headers: { cookie } });
      expect(dashboard.body.organisations.map((o: { name: string }) => o.name)).toEqual(['Northgate Academy', 'Northgate Primary School']);
      // The PIN printed is the Contractors group's.
      const groups = (await call(env.app, 'GET', '/api/signin/groups', { headers: { cookie } })).body.items as Array<{ id: string; name: string }>;
      const contractors = groups.find((g) => g.name === 'Contractors')!;
      expect(await env.contexts.signin.groups.pinMatches(env.platform.db, tenant.body.id, contractors.id, demo!.contractorsPin)).toBe(true);
      // The Staff group is linked to the primary school's Central Record, in the safety check
      // (the next test signs them in, on both databases), and the one refused is named.
      const links = (await call(env.app, 'GET', '/api/integration/links', { headers: { cookie } })).body.items;
      expect(links).toMatchObject([{ groupName: 'Staff', organisationName: 'Northgate Primary School', ratingMode: 'selected' }]);
      expect((await call(env.app, 'GET', '/api/integration/settings', { headers: { cookie } })).body).toEqual({ includeRecordInSafetyCheck: true });
      expect(demo!.uncheckedStaff).toBe(DEMO_UNCHECKED_STAFF);
      expect(await seedDemoIfEmpty(env.platform)).toBeUndefined();
    }
    await createTestTenant(env);
    expect(await seedDemoIfEmpty(env.platform)).toBeUndefined();
    const [after] = await env.platform.db.select({ n: count() }).from(tenants);
    expect(after!.n).toBe(before!.n + (seeds ? 2 : 1));
  });

  it('links the Staff group to the primary school checking Inspector ready: the kiosk signs in all its staff but the one whose profile lacks a check, and says why', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const signin = await seedSigninDemo(env.platform, env.contexts.signin, t.tenantId, [t.owner.id]);
    const record = await seedRecordDemo(env.platform, env.contexts.record, t.tenantId);
    const { linked } = await seedIntegrationDemo(env.platform, env.contexts.integration, t.tenantId, { groupId: signin.groupIds.staff, organisationId: record.primary });
    // The demo's own set-up is nobody's news: the owner has no "Group linked" notification (nor its email).
    const inbox = await call(env.app, 'GET', '/api/notifications', { headers: t.owner.headers });
    expect(inbox.body.items.map((n: { title: string }) => n.title)).not.toContain('Group linked to the Central Record');
    // A person's link still tells the owners.
    expect((await call(env.app, 'PUT', `/api/integration/groups/${signin.groupIds.contractors}/link`, { headers: t.owner.headers, body: { organisationId: record.primary } })).status).toBe(200);
    const told = await call(env.app, 'GET', '/api/notifications', { headers: t.owner.headers });
    expect(told.body.items.filter((n: { title: string }) => n.title === 'Group linked to the Central Record')).toHaveLength(1);

    // Everyone in the group has the profile of their name.
    const staff = (await call(env.app, 'GET', `/api/signin/groups/${signin.groupIds.staff}/members`, { headers: t.owner.headers })).body.items as Array<{ id: string; fullName: string }>;
    expect(staff).toHaveLength(8);
    expect(linked).toBe(8);
    const link = await call(env.app, 'GET', `/api/integration/groups/${signin.groupIds.staff}/link`, { headers: t.owner.headers });
    expect(link.body).toMatchObject({ link: { organisationId: record.primary, ratingMode: 'selected' } });
    expect((await call(env.app, 'GET', '/api/integration/settings', { headers: t.owner.headers })).body).toEqual({ includeRecordInSafetyCheck: true });

    // At the primary school's kiosk: every member of staff signs in but one, refused with the reason.
    const kiosk = await pairKiosk(env, t, signin.siteIds[0]!);
    const signIn = (memberId: string) => call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: signin.groupIds.staff, memberId } });
    const outcomes: Record<string, number> = {};
    for (const m of staff) outcomes[m.fullName] = (await signIn(m.id)).status;
    expect(Object.entries(outcomes).filter(([, status]) => status !== 201)).toEqual([[DEMO_UNCHECKED_STAFF, 422]]);
    const unchecked = staff.find((m) => m.fullName === DEMO_UNCHECKED_STAFF)!;
    // The kiosk says why (the demo's Staff group shows reasons on the kiosk).
    expect((await signIn(unchecked.id)).body).toMatchObject({ outcome: 'rejected', reasons: [{ check: 'central_record', code: 'record_not_ready', reason: 'Enhanced DBS missing' }] });
    const readiness = await call(env.app, 'GET', `/api/integration/members/${unchecked.id}/readiness`, { headers: t.owner.headers });
    expect(readiness.body).toMatchObject({ ready: false, reasons: ['Enhanced DBS missing'] });
    const refused = (await call(env.app, 'GET', `/api/signin/visits?memberId=${unchecked.id}`, { headers: t.owner.headers })).body.items;
    expect(refused).toHaveLength(2); // the two refusals above
    expect(refused[0]).toMatchObject({ outcome: 'rejected' });
    expect(JSON.stringify(refused[0])).toContain('Enhanced DBS missing');

    // Her DBS check recorded (as the README tells a newcomer to try), she signs in.
    const profileId = readiness.body.profileId as string;
    const profile = (await call(env.app, 'GET', `/api/record/profiles/${profileId}`, { headers: t.owner.headers })).body;
    const today = env.platform.now().toISOString().slice(0, 10);
    const patched = await call(env.app, 'PATCH', `/api/record/profiles/${profileId}`, { headers: t.owner.headers, body: { version: profile.version, checks: { enhanced_dbs: { value: today, reference: '001234567890' } } } });
    expect(patched.status).toBe(200);
    expect((await signIn(unchecked.id)).status).toBe(201);
  });
});
