import { describe, expect, it } from 'vitest';
import { useTestEnv, withoutBackgroundWrites } from '../../../test/harness.js';
import { call, createTestTenant } from '../../../test/factories.js';
import { FULL_TEACHER_CHECKS, TEACHER_FACTS, recordTenant } from '../../../test/record-fixtures.js';
import { createRulesCache, readinessOf } from './readiness.js';
import { loadModel } from './record.repo.js';
import { prepare } from './engine.js';
import { createRecordPort } from './port.js';

const statements: string[] = [];
const env = useTestEnv({ onStatement: (text) => statements.push(text) });

describe('readiness with the rule data kept between calls (the record port)', () => {
  it('loads a tenant’s rules once while they are unchanged, and answers from edited rules at once after an edit', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const r = await recordTenant(env, t);
    const h = t.owner.headers;
    const made = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: { organisationId: r.org.id, profileTypeId: r.typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace', checks: FULL_TEACHER_CHECKS, facts: TEACHER_FACTS },
    });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    let loads = 0;
    const rules = createRulesCache({
      load: async (tx, tenantId) => {
        loads++;
        return prepare(await loadModel(tx, tenantId));
      },
    });
    const ask = async () => (await readinessOf(env.platform.db, t.tenantId, [id], '2025-06-01', rules)).get(id)!;
    const uncached = async () => (await readinessOf(env.platform.db, t.tenantId, [id], '2025-06-01')).get(id)!;

    const before = await ask();
    expect(before.ready).toBe(true);
    expect(before.missing.filter((x) => x.startsWith('Enhanced DBS'))).toEqual([]);
    expect((await ask()).ready).toBe(true);
    expect(loads).toBe(1);

    // An edit of a check: the enhanced DBS now lasts six months, so August 2024's has expired by June 2025.
    const checks = (await call(env.app, 'GET', '/api/record/checks', { headers: h })).body.items as Array<{ id: string; key: string }>;
    const dbs = checks.find((c) => c.key === 'enhanced_dbs')!;
    expect((await call(env.app, 'PATCH', `/api/record/checks/${dbs.id}`, { headers: h, body: { validity: { n: 6, unit: 'months' } } })).status).toBe(200);
    const edited = await ask();
    expect(edited.ready).toBe(false);
    expect(edited.missing).toContainEqual(expect.stringMatching(/^Enhanced DBS/));
    expect(edited).toEqual(await uncached());
    expect(loads).toBe(2);

    // Back as it was (an update again), and a removed row counts too: each is seen on the next call.
    expect((await call(env.app, 'PATCH', `/api/record/checks/${dbs.id}`, { headers: h, body: { validity: null } })).status).toBe(200);
    expect((await ask()).ready).toBe(true);
    const own = await call(env.app, 'POST', '/api/record/checks', { headers: h, body: { scope: 'tenant', section: 'Other', name: 'Lanyard issued', type: 'yesno', requirement: 'optional' } });
    expect(own.status).toBe(201);
    await ask();
    expect((await call(env.app, 'DELETE', `/api/record/checks/${own.body.id}`, { headers: h })).status).toBe(204);
    expect(await ask()).toEqual(await uncached());
    expect(loads).toBe(5);

    // Another tenant's edits leave this tenant's rules where they are.
    const other = await createTestTenant(env, { kind: 'trust' });
    await recordTenant(env, other);
    await ask();
    expect(loads).toBe(5);

    // With the rules kept, a profile, its values and the rules' stamp are one statement (a
    // sign-in's record check, decision 030); an unknown profile is one too, and answers nothing.
    const from = statements.length;
    expect((await ask()).ready).toBe(true);
    expect(withoutBackgroundWrites(statements.slice(from))).toHaveLength(1);
    const unknownFrom = statements.length;
    expect((await readinessOf(env.platform.db, t.tenantId, [other.tenantId], '2025-06-01', rules)).size).toBe(0);
    expect(withoutBackgroundWrites(statements.slice(unknownFrom))).toHaveLength(1);
    expect(loads).toBe(5);
  });

  it('the port answers as readinessOf does, for one profile or many, and another tenant’s profile is absent', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const r = await recordTenant(env, t);
    const body = { organisationId: r.org.id, profileTypeId: r.typeId('teaching'), lastName: 'Lovelace', facts: TEACHER_FACTS };
    const ada = (await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { ...body, firstName: 'Ada', checks: FULL_TEACHER_CHECKS } })).body.id as string;
    const bob = (await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { ...body, firstName: 'Bob' } })).body.id as string;
    const port = createRecordPort({ db: env.platform.db });
    const got = await port.readinessOf(env.platform.db, t.tenantId, [ada, bob], '2025-06-01');
    expect(got).toEqual(await readinessOf(env.platform.db, t.tenantId, [ada, bob], '2025-06-01'));
    expect([got.get(ada)!.ready, got.get(bob)!.ready]).toEqual([true, false]);
    const other = await createTestTenant(env, { kind: 'trust' });
    expect((await port.readinessOf(env.platform.db, other.tenantId, [ada], '2025-06-01')).size).toBe(0);
  });
});
