import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { call, createTestTenant } from '../../test/factories.js';
import { tenants } from '../contexts/accounts/accounts.tables.js';
import { DEMO_OWNER_EMAIL, seedDemoIfEmpty } from './demo.js';

const env = useTestEnv();

describe('demo tenant', () => {
  it('seeds an empty database once (a trust with two schools, the owner’s sign-in returned) and leaves a non-empty one alone', async () => {
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
      expect(await seedDemoIfEmpty(env.platform)).toBeUndefined();
    }
    await createTestTenant(env);
    expect(await seedDemoIfEmpty(env.platform)).toBeUndefined();
    const [after] = await env.platform.db.select({ n: count() }).from(tenants);
    expect(after!.n).toBe(before!.n + (seeds ? 2 : 1));
  });
});
