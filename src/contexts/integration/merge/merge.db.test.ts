import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call } from '../../../../test/factories.js';
import { integrationTenant } from '../test/integration.testkit.js';
import { integrationRepo } from '../integration.repo.js';

const env = useTestEnv();
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

describe('merge: evidence documents and batched merge-all', () => {
  it('evidence documents follow their check value into the kept profile, and go back on undo', async () => {
    const x = await integrationTenant(env);
    const kept = await x.profile({ firstName: 'Kim', lastName: 'Kept', email: 'kim@school.test' });
    const gone = await x.profile({ firstName: 'Kim', lastName: 'Kept', email: 'kim@school.test', checks: { enhanced_dbs: { value: '2024-08-20', reference: '001234567890' } } });
    const up = await env.app.inject({ method: 'POST', url: `/api/record/profiles/${gone.id}/checks/enhanced_dbs/document?fileName=dbs.png`, headers: { ...x.h, 'content-type': 'image/png' }, payload: PNG });
    expect(up.statusCode).toBe(201);
    const docId = up.json().id as string;
    const docsOf = async (id: string) => ((await call(env.app, 'GET', `/api/record/profiles/${id}`, { headers: x.h })).body.documents as Array<{ id: string }>).map((d) => d.id);

    const merged = await call(env.app, 'POST', '/api/integration/merges', { headers: x.h, body: { keptProfileId: kept.id, mergedProfileId: gone.id } });
    expect(merged.status).toBe(201);
    expect(await docsOf(kept.id)).toEqual([docId]);
    expect(await docsOf(gone.id)).toEqual([]);
    // The document is still served, now as evidence on the kept profile.
    expect((await env.app.inject({ method: 'GET', url: `/api/record/documents/${docId}`, headers: x.h })).statusCode).toBe(200);

    const undo = await call(env.app, 'POST', `/api/integration/merges/${merged.body.id}/undo`, { headers: x.h });
    expect(undo.status).toBe(200);
    expect(await docsOf(gone.id)).toEqual([docId]);
    expect(await docsOf(kept.id)).toEqual([]);
  });

  it('merge-all merges a batch set-wise, exactly as single merges (each undoable), and chains are merged one by one', async () => {
    const x = await integrationTenant(env);
    const pairs: Array<{ a: { id: string }; b: { id: string } }> = [];
    for (let i = 0; i < 4; i++) {
      const a = await x.profile({ firstName: `Bo${i}`, lastName: 'Batch', email: `bo${i}@school.test`, checks: { identity: { value: '2024-09-01', evidence: 'Passport' } } });
      const b = await x.profile({ firstName: `Bo${i}`, lastName: 'Batch', email: `bo${i}@school.test`, role: 'Teacher', checks: { right_to_work: { value: '2024-09-01' } } });
      await integrationRepo.queuePair(env.platform.db, x.t.tenantId, a.id, b.id, 'same_email', `Same email bo${i}@school.test`, null);
      pairs.push({ a, b });
    }
    // A chain: c–a0 shares a profile with the first pair.
    const c = await x.profile({ firstName: 'Bo0', lastName: 'Batch', dateOfBirth: '1980-01-01' });
    await integrationRepo.queuePair(env.platform.db, x.t.tenantId, c.id, pairs[0]!.a.id, 'same_name_dob', 'Same name', null);

    const run = await x.run('/api/integration/merges/all', {});
    expect(run).toMatchObject({ kind: 'merge_all', status: 'done', total: 5 });
    expect(run).toMatchObject({ updated: 5, skipped: 0 });
    const merges = (await call(env.app, 'GET', '/api/integration/merges', { headers: x.h })).body.items as Array<{ id: string; keptProfileId: string; mergedProfileId: string }>;
    expect(merges).toHaveLength(5);
    // The chained profile was merged into the profile its partner had been merged into.
    const inPair0 = (id: string) => id === pairs[0]!.a.id || id === pairs[0]!.b.id;
    const first = merges.find((m) => inPair0(m.keptProfileId) && inPair0(m.mergedProfileId))!;
    const chain = merges.find((m) => m.keptProfileId === c.id || m.mergedProfileId === c.id)!;
    expect([chain.keptProfileId, chain.mergedProfileId].sort()).toEqual([c.id, first.keptProfileId].sort());

    // Each kept profile has both checks and the role; the other is archived with history.
    for (const { a, b } of pairs.slice(1)) {
      const m = merges.find((x) => [a.id, b.id].includes(x.keptProfileId))!;
      const keptP = (await call(env.app, 'GET', `/api/record/profiles/${m.keptProfileId}`, { headers: x.h })).body;
      expect(keptP.role).toBe('Teacher');
      expect(keptP.checks.filter((ch: { value: unknown }) => ch.value !== null && ch.value !== undefined).map((ch: { key: string }) => ch.key).sort()).toEqual(['identity', 'right_to_work']);
      const gone = (await call(env.app, 'GET', `/api/record/profiles/${m.mergedProfileId}`, { headers: x.h })).body;
      expect(gone.status).toBe('archived');
      const hist = (await call(env.app, 'GET', `/api/record/profiles/${m.mergedProfileId}/history`, { headers: x.h })).body.items as Array<{ field: string }>;
      expect(hist.map((h) => h.field)).toContain('merge');
    }
    // A batched merge undoes like any other.
    const last = merges.find((m) => [pairs[3]!.a.id, pairs[3]!.b.id].includes(m.keptProfileId))!;
    const undo = await call(env.app, 'POST', `/api/integration/merges/${last.id}/undo`, { headers: x.h });
    expect(undo.status).toBe(200);
    const restored = (await call(env.app, 'GET', `/api/record/profiles/${last.mergedProfileId}`, { headers: x.h })).body;
    expect(restored.status).toBe('live');
    expect(await x.integration.merge.queue(x.t.tenantId)).toHaveLength(1);
  });
});
