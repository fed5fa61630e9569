import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
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

  it('a batch merge writes the same history and versions as a single merge (the record writes both)', async () => {
    const x = await integrationTenant(env);
    // Two alike pairs: the first profile has a check, so it is kept; the second brings the role.
    const pair = async (name: string) => ({
      kept: await x.profile({ firstName: name, lastName: 'Alike', email: `${name}@school.test`, checks: { identity: { value: '2024-09-01', evidence: 'Passport' } } }),
      merged: await x.profile({ firstName: name, lastName: 'Alike', email: `${name}@school.test`, role: 'Teacher' }),
    });
    const single = await pair('Sam');
    const batched = await pair('Bea');
    const one = await call(env.app, 'POST', '/api/integration/merges', { headers: x.h, body: { keptProfileId: single.kept.id, mergedProfileId: single.merged.id } });
    expect(one.status).toBe(201);
    await integrationRepo.queuePair(env.platform.db, x.t.tenantId, batched.kept.id, batched.merged.id, 'same_email', 'Same email', null);
    expect(await x.run('/api/integration/merges/all', {})).toMatchObject({ status: 'done', updated: 1 });

    type Line = { version: number; field: string; before: string | null; after: string | null };
    const historyOf = async (id: string, p: { kept: { id: string }; merged: { id: string } }, name: string) => {
      const items = (await call(env.app, 'GET', `/api/record/profiles/${id}/history`, { headers: x.h })).body.items as Line[];
      const plain = (v: string | null) =>
        v === null ? null : v.replaceAll(p.kept.id, 'KEPT').replaceAll(p.merged.id, 'MERGED').replaceAll(name, 'NAME').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'INSTANT');
      return items.map((h) => ({ version: h.version, field: h.field, before: plain(h.before), after: plain(h.after) })).sort((a, b) => a.version - b.version || a.field.localeCompare(b.field));
    };
    const keptSingle = await historyOf(single.kept.id, single, 'Sam');
    expect(await historyOf(batched.kept.id, batched, 'Bea')).toEqual(keptSingle);
    expect(keptSingle.map((h) => h.field)).toEqual(expect.arrayContaining(['merge', 'role']));
    const mergedSingle = await historyOf(single.merged.id, single, 'Sam');
    expect(await historyOf(batched.merged.id, batched, 'Bea')).toEqual(mergedSingle);
    // Archived by the merge: the status, when, and into whom, at one new version.
    expect(mergedSingle.filter((h) => h.version === 2)).toEqual([
      { version: 2, field: 'archivedAt', before: null, after: 'INSTANT' },
      { version: 2, field: 'merge', before: null, after: 'Merged into NAME Alike (KEPT)' },
      { version: 2, field: 'status', before: 'live', after: 'archived' },
    ]);
  });

  it('merge-all preserves chosen values for the whole batch (record or sign-in side per field), with per-pair exceptions, previewed first', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const recA = await x.profile({ firstName: 'Ann', lastName: 'Able', email: 'ann@school.test', role: 'Teacher' });
    const recB = await x.profile({ firstName: 'Ben', lastName: 'Baker', email: 'ben@school.test', role: 'Teacher' });
    await x.member(staff.id, { fullName: 'Ann Able', email: 'ann@school.test', role: 'Head of Year', phone: '0111' });
    await x.member(staff.id, { fullName: 'Ben Baker', email: 'ben@school.test', role: 'Head of Maths', phone: '0222' });
    await x.run('/api/integration/import', {});
    const queue = (await call(env.app, 'GET', '/api/integration/merge-queue', { headers: x.h })).body.items as Array<{ id: string; a: { id: string }; b: { id: string } }>;
    expect(queue).toHaveLength(2);
    const pairOf = (rec: { id: string }) => queue.find((q) => [q.a.id, q.b.id].includes(rec.id))!;
    // The pair view says which side came from sign-in.
    const benPair = (await call(env.app, 'GET', `/api/integration/merge-queue/${pairOf(recB).id}`, { headers: x.h })).body;
    const benSignin: 'kept' | 'merged' = benPair.kept.origin === 'signin' ? 'kept' : 'merged';
    expect(benPair[benSignin === 'kept' ? 'merged' : 'kept']).toMatchObject({ id: recB.id, origin: 'record' });

    const options = { preserve: { role: 'record', phone: 'signin' }, exceptions: { [pairOf(recB).id]: { role: benSignin, phone: benSignin } } };
    const other = await createTestTenant(env);
    expect((await call(env.app, 'POST', '/api/integration/merges/preview', { headers: other.owner.headers, body: options })).body.items).toEqual([]);
    expect((await call(env.app, 'POST', '/api/integration/merges/preview', { headers: (await x.t.as('viewer')).headers, body: options })).status).toBe(403);
    const bad = await call(env.app, 'POST', '/api/integration/merges/preview', { headers: x.h, body: { preserve: { role: 'newest' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('body.preserve.role');

    const preview = await call(env.app, 'POST', '/api/integration/merges/preview', { headers: x.h, body: options });
    expect(preview.status).toBe(200);
    expect(preview.body.total).toBe(2);
    const valueOf = (rec: { id: string }, field: string) => {
      const item = preview.body.items.find((i: { queueId: string }) => i.queueId === pairOf(rec).id);
      return item.fields.find((f: { field: string }) => f.field === field);
    };
    expect(valueOf(recA, 'role')).toMatchObject({ value: 'Teacher', origin: 'record' });
    expect(valueOf(recA, 'phone')).toMatchObject({ value: '0111', origin: 'signin' });
    expect(valueOf(recB, 'role')).toMatchObject({ value: 'Head of Maths', origin: 'signin' });
    // Nothing was merged by the preview.
    expect(await x.integration.merge.queue(x.t.tenantId)).toHaveLength(2);

    const run = await x.run('/api/integration/merges/all', options);
    expect(run).toMatchObject({ status: 'done', updated: 2 });
    const merges = (await call(env.app, 'GET', '/api/integration/merges', { headers: x.h })).body.items as Array<{ id: string; keptProfileId: string; mergedProfileId: string }>;
    const keptOf = async (rec: { id: string }) => {
      const m = merges.find((m) => [m.keptProfileId, m.mergedProfileId].includes(rec.id))!;
      return { m, p: (await call(env.app, 'GET', `/api/record/profiles/${m.keptProfileId}`, { headers: x.h })).body };
    };
    const ann = await keptOf(recA);
    expect(ann.p).toMatchObject({ role: 'Teacher', phone: '0111' });
    const ben = await keptOf(recB);
    expect(ben.p).toMatchObject({ role: 'Head of Maths', phone: '0222' });
    // Undo as today.
    expect((await call(env.app, 'POST', `/api/integration/merges/${ann.m.id}/undo`, { headers: x.h })).status).toBe(200);
    expect((await call(env.app, 'GET', `/api/record/profiles/${recA.id}`, { headers: x.h })).body).toMatchObject({ status: 'live', role: 'Teacher' });
  });
});
