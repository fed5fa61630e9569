import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { seedRecordDemo } from './demo.js';

const env = useTestEnv();

describe('record demo data', () => {
  it('gives each demo school an organisation and profiles in various states', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    await seedRecordDemo(env.platform, env.contexts.record, t.tenantId);
    const d = await call(env.app, 'GET', '/api/record/dashboard', { headers: t.owner.headers });
    expect(d.body.organisations.map((o: any) => [o.name, o.profiles])).toEqual([['Northgate Academy', 4], ['Northgate Primary School', 10]]);
    const inspector = d.body.ratings.find((r: any) => r.key === 'inspector_ready');
    expect(inspector.ready).toBeGreaterThan(0);
    expect(inspector.notReady).toBeGreaterThan(0);
    expect(d.body.expiring.within30).toBeGreaterThan(0);
    const reasons = d.body.notReady.flatMap((n: any) => n.reasons.flatMap((r: any) => r.messages));
    expect(reasons).toEqual(expect.arrayContaining(['Enhanced DBS missing', 'Section 128 check missing']));
    expect((await call(env.app, 'GET', '/api/record/profiles?status=archived', { headers: t.owner.headers })).body.total).toBe(1);
  });
});
