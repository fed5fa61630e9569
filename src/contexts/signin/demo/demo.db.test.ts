import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { seedSigninDemo } from './demo.js';

const env = useTestEnv();

describe('sign-in demo data', () => {
  it('makes two sites showing Staff, Visitors and Contractors, with members', async () => {
    const t = await createTestTenant(env);
    const demo = await seedSigninDemo(env.platform, env.contexts.signin, t.tenantId, [t.owner.id]);
    const sites = await call(env.app, 'GET', '/api/signin/sites', { headers: t.owner.headers });
    expect(sites.body.items).toHaveLength(2);
    expect(sites.body.items[0].groups.map((g: { name: string }) => g.name)).toEqual(['Staff', 'Visitors', 'Contractors']);
    const staff = await call(env.app, 'GET', `/api/signin/groups/${demo.groupIds.staff}`, { headers: t.owner.headers });
    expect(staff.body).toMatchObject({ type: 'repeat', isStaffGroup: true });
    expect((await call(env.app, 'GET', `/api/signin/groups/${demo.groupIds.staff}/members`, { headers: t.owner.headers })).body.total).toBe(8);
    expect((await call(env.app, 'GET', `/api/signin/groups/${demo.groupIds.contractors}/members`, { headers: t.owner.headers })).body.total).toBe(3);
  });
});
