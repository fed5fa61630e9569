import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, scopedUser } from '../../../../test/factories.js';
import { makeSite } from '../../../../test/signin-factories.js';
import { recordTenant } from '../../../../test/record-fixtures.js';

/**
 * The record's trust-wide settings (the rule set, profile types, rating systems, trust checks,
 * organisations added or removed) need an administrator without any scope: one scoped to a site
 * alone reaches no organisation's profiles (decision 046, reach), and is a school's, not the trust's. An organisation's
 * administrator changes their school's details, but not how long its leavers are kept.
 */
const env = useTestEnv();

describe('a scoped admin and the record’s trust-wide settings', () => {
  it('a site-scoped admin cannot apply a rule set, add a profile type, rating system, trust check or organisation', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    await recordTenant(env, t);
    const site = await makeSite(env, t);
    const office = await scopedUser(env, t, 'admin', [{ kind: 'site', refId: site.id }]);
    const as = { headers: office.headers };
    const ruleSet = (await call(env.app, 'GET', '/api/record/rule-set', { headers: t.owner.headers })).body.version;
    for (const [url, body] of [
      ['/api/record/rule-set/apply', { version: 'KCSIE 2025' }],
      ['/api/record/rule-set/preview', { version: 'KCSIE 2025' }],
      ['/api/record/profile-types', { name: 'Caterer' }],
      ['/api/record/rating-systems', { name: 'School trips' }],
      ['/api/record/checks', { name: 'First aid', scope: 'tenant', section: 'Training', type: 'date' }],
      ['/api/record/organisations', { name: 'Their own school', type: 'maintained' }],
    ] as const) {
      const r = await call(env.app, 'POST', url, { ...as, body });
      expect([r.status, r.body.error?.code], url).toEqual([403, 'forbidden']);
    }
    expect((await call(env.app, 'GET', '/api/record/rule-set', { headers: t.owner.headers })).body.version).toBe(ruleSet);
    expect((await call(env.app, 'GET', '/api/record/organisations', { headers: t.owner.headers })).body.items).toHaveLength(1);
    // What they need to read still answers.
    expect((await call(env.app, 'GET', '/api/record/rule-set', as)).status).toBe(200);
    expect((await call(env.app, 'GET', '/api/record/profile-types', as)).status).toBe(200);
  });

  it('an organisation’s scoped administrator renames it, but leaves its retention to the trust (the same value passes)', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { org } = await recordTenant(env, t);
    const office = await scopedUser(env, t, 'admin', [{ kind: 'organisation', refId: org.id }]);
    const url = `/api/record/organisations/${org.id}`;
    const before = (await call(env.app, 'GET', url, { headers: t.owner.headers })).body;
    const longer = await call(env.app, 'PATCH', url, { headers: office.headers, body: { retentionYears: before.retentionYears + 50 } });
    expect([longer.status, longer.body.error?.code]).toEqual([403, 'forbidden']);
    const renamed = await call(env.app, 'PATCH', url, { headers: office.headers, body: { name: 'Northgate Primary (Academy)', retentionYears: before.retentionYears } });
    expect([renamed.status, renamed.body.name, renamed.body.retentionYears]).toEqual([200, 'Northgate Primary (Academy)', before.retentionYears]);
    expect((await call(env.app, 'PATCH', url, { headers: t.owner.headers, body: { retentionYears: 10 } })).body.retentionYears).toBe(10);
  });
});
