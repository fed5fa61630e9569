import { describe, expect, it } from 'vitest';
import { isBackgroundWrite, useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { integrationTenant } from '../test/integration.testkit.js';
import { integrationRepo } from '../integration.repo.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { JOB_SCHEMA } from '../../../platform/jobs/pgboss.js';
import { SYNC_PERSON_JOB } from '../index.js';
import { mergeRepo } from './merge.repo.js';

const statements: string[] = [];
const env = useTestEnv({ onStatement: (text) => statements.push(text) });
const actor = { kind: 'system' as const, id: null, label: 'test' };
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

  /**
   * `n` alike pairs made as in real life: a record profile with two checks (as complete as the
   * other and older, so it is kept), and a member of a linked group with the same email
   * and a Wonde UPI, imported (a profile, its link, its external id, a suggested pair); the
   * imported profile then gets a newer identity check and an enhanced DBS with its evidence. So
   * each pair's merge moves a check value over the kept one's (parked on the other), moves one
   * more with its document, the link and the external id, and sets the role and phone.
   */
  async function alikePairs(n: number) {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    const memberIds: string[] = [];
    for (let i = 0; i < n; i++) {
      await x.profile({ firstName: `Al${i}`, lastName: 'Ike', email: `al${i}@school.test`, dateOfBirth: '1980-01-01', role: 'Teacher', checks: { identity: { value: '2024-01-01', evidence: 'Passport' }, right_to_work: { value: '2024-01-01' } } });
      memberIds.push((await x.member(staff.id, { fullName: `Al${i} Ike`, email: `al${i}@school.test`, role: 'Head of Year', phone: '0111', customFields: { upi: `UPI-${i}` } })).id);
    }
    await x.run('/api/integration/import', {});
    const queue = await x.integration.merge.queue(x.t.tenantId);
    expect(queue).toHaveLength(n);
    const links = await integrationRepo.linksOfMembers(env.platform.db, x.t.tenantId, memberIds);
    for (const l of links) {
      const p = (await call(env.app, 'GET', `/api/record/profiles/${l.profileId}`, { headers: x.h })).body;
      const r = await call(env.app, 'PATCH', `/api/record/profiles/${l.profileId}`, { headers: x.h, body: { version: p.version, checks: { identity: { value: '2024-09-01', evidence: 'Driving licence' }, enhanced_dbs: { value: '2024-08-20', reference: '001234567890' } } } });
      expect(r.status).toBe(200);
      const up = await env.app.inject({ method: 'POST', url: `/api/record/profiles/${l.profileId}/checks/enhanced_dbs/document?fileName=dbs.png`, headers: { ...x.h, 'content-type': 'image/png' }, payload: PNG });
      expect(up.statusCode).toBe(201);
    }
    return { x, queue, links };
  }

  /** Merges the queue as one merge-all batch, counting the statements it sends. */
  async function countedBatch(x: Awaited<ReturnType<typeof integrationTenant>>, queueIds: string[]) {
    const from = statements.length;
    const outcome = await inTransaction(env.platform.db, (tx) => x.integration.merge.mergeBatch(tx, x.t.tenantId, queueIds, {}, actor, null));
    return { outcome, sent: sentSince(from) };
  }
  /**
   * Statements sent since `from`, but for the transaction's own BEGIN/COMMIT and the writes behind
   * earlier requests that may land in the window on their timer (the API's rate counters, last-seen times).
   */
  const sentSince = (from: number) => statements.slice(from).filter((q) => !/^\s*(begin|commit)\b/i.test(q) && !isBackgroundWrite(q));

  it('a merge-all batch sends the same few statements for 2 pairs as for 12: nothing per pair', async () => {
    // The sync's job queue is made by the first job sent and known to the process once seen
    // committed (the warm batch's jobs, sent again, are already queued: nothing is added): not what is counted.
    const warm = await alikePairs(1);
    await countedBatch(warm.x, warm.queue.map((q) => q.id));
    const again = warm.links.map((l) => ({ data: { tenantId: warm.x.t.tenantId, linkId: l.id }, singletonKey: l.id }));
    expect(await inTransaction(env.platform.db, (tx) => env.platform.jobs.sendMany(tx, SYNC_PERSON_JOB, again))).toBe(0);
    const small = await alikePairs(2);
    const large = await alikePairs(12);
    const a = await countedBatch(small.x, small.queue.map((q) => q.id));
    const b = await countedBatch(large.x, large.queue.map((q) => q.id));
    expect([...a.outcome.values()]).toEqual(['updated', 'updated']);
    expect([...b.outcome.values()]).toEqual(Array(12).fill('updated'));
    expect(b.sent.length).toBe(a.sent.length);
    // Reads, the record's writes, links, external ids, the sync jobs, queue, merges, audit: about twenty-five.
    expect(a.sent.length).toBeLessThanOrEqual(30);

    // Every pair was merged in full: values, evidence, link, external id, sync job, audit row, history.
    const merges = (await call(env.app, 'GET', '/api/integration/merges', { headers: large.x.h })).body.items as Array<{ id: string; keptProfileId: string; mergedProfileId: string }>;
    expect(merges).toHaveLength(12);
    for (const m of merges) {
      const kept = (await call(env.app, 'GET', `/api/record/profiles/${m.keptProfileId}`, { headers: large.x.h })).body;
      expect(kept).toMatchObject({ role: 'Head of Year', phone: '0111', dateOfBirth: '1980-01-01' });
      const checks = Object.fromEntries((kept.checks as Array<{ key: string; value: unknown; evidence?: string }>).filter((c) => c.value).map((c) => [c.key, c]));
      expect(Object.keys(checks).sort()).toEqual(['enhanced_dbs', 'identity', 'right_to_work']);
      expect(checks.identity).toMatchObject({ value: '2024-09-01', evidence: 'Driving licence' });
      expect(kept.documents).toHaveLength(1);
      const gone = (await call(env.app, 'GET', `/api/record/profiles/${m.mergedProfileId}`, { headers: large.x.h })).body;
      expect(gone.status).toBe('archived');
      // The kept profile's older identity value was parked on the archived one: nothing is lost.
      expect((gone.checks as Array<{ key: string; value: unknown }>).find((c) => c.key === 'identity')).toMatchObject({ value: '2024-01-01' });
      expect((await integrationRepo.externalIdsOf(env.platform.db, large.x.t.tenantId, [m.keptProfileId])).map((e) => e.system)).toEqual(['wonde']);
      expect(await integrationRepo.externalIdsOf(env.platform.db, large.x.t.tenantId, [m.mergedProfileId])).toEqual([]);
      expect(await integrationRepo.linksOfProfiles(env.platform.db, large.x.t.tenantId, [m.keptProfileId])).toHaveLength(1);
    }
    const { rows: jobs } = await env.platform.database.query<{ link: string }>(`SELECT data->>'linkId' AS link FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data->>'tenantId' = $2`, [SYNC_PERSON_JOB, large.x.t.tenantId]);
    expect(jobs.map((j) => j.link).sort()).toEqual(large.links.map((l) => l.id).sort());
    const { rows: audit } = await env.platform.database.query<{ target_id: string; data: { mergeId: string } }>(`SELECT target_id, data FROM audit_log WHERE tenant_id = $1 AND action = 'integration.profiles_merged'`, [large.x.t.tenantId]);
    expect(audit.map((r) => `${r.target_id} ${r.data.mergeId}`).sort()).toEqual(merges.map((m) => `${m.keptProfileId} ${m.id}`).sort());

    // Each undoes on its own: the value, the evidence, the link and the external id go back.
    const m = merges[5]!;
    expect((await call(env.app, 'POST', `/api/integration/merges/${m.id}/undo`, { headers: large.x.h })).status).toBe(200);
    expect((await integrationRepo.externalIdsOf(env.platform.db, large.x.t.tenantId, [m.mergedProfileId])).map((e) => e.externalId)).toEqual([expect.stringMatching(/^UPI-/)]);
    expect(await integrationRepo.externalIdsOf(env.platform.db, large.x.t.tenantId, [m.keptProfileId])).toEqual([]);
    const restored = (await call(env.app, 'GET', `/api/record/profiles/${m.mergedProfileId}`, { headers: large.x.h })).body;
    expect(restored).toMatchObject({ status: 'live' });
    expect(restored.documents).toHaveLength(1);
    expect((await call(env.app, 'GET', `/api/record/profiles/${m.keptProfileId}`, { headers: large.x.h })).body.checks.find((c: { key: string }) => c.key === 'identity')).toMatchObject({ value: '2024-01-01' });
  });

  it('a single merge moves the external ids to the kept profile in the same statements a batch of one would', async () => {
    const { x, queue } = await alikePairs(1);
    const pair = (await call(env.app, 'GET', `/api/integration/merge-queue/${queue[0]!.id}`, { headers: x.h })).body;
    const from = statements.length;
    const merged = await call(env.app, 'POST', '/api/integration/merges', { headers: x.h, body: { keptProfileId: pair.kept.id, mergedProfileId: pair.merged.id, queueId: queue[0]!.id } });
    expect(merged.status).toBe(201);
    expect(sentSince(from).filter((q) => /^\s*update "integration_external_ids"/i.test(q))).toHaveLength(1);
    expect((await integrationRepo.externalIdsOf(env.platform.db, x.t.tenantId, [pair.kept.id])).map((e) => e.externalId)).toEqual(['UPI-0']);
    expect(await x.integration.merge.queue(x.t.tenantId)).toHaveLength(0);
  });

  it('chains in one batch merge in rounds as one by one would: a pair waits for an earlier pair on its sides, and a pair whose sides already became one is marked merged', async () => {
    const x = await integrationTenant(env);
    const person = (tag: string) => x.profile({ firstName: 'Tri', lastName: 'Angle', email: `tri.${tag}@school.test` });
    const [a, b, c] = [await person('a'), await person('b'), await person('c')];
    // And two chains of their own: d–e, e–f.
    const [d, e, f] = [await person('d'), await person('e'), await person('f')];
    const q = async (p: { id: string }, r: { id: string }) => {
      await integrationRepo.queuePair(env.platform.db, x.t.tenantId, p.id, r.id, 'same_name_dob', 'Same name', null);
      return (await integrationRepo.queueForPair(env.platform.db, x.t.tenantId, p.id, r.id))!.id;
    };
    // a–b, b–c, a–c, d–e, e–f: round one merges a–b and d–e; round two b–c and e–f (a–c waits:
    // a's profile is b–c's side now); round three finds a–c already one profile.
    const ids = [await q(a, b), await q(b, c), await q(a, c), await q(d, e), await q(e, f)];
    const { outcome } = await countedBatch(x, ids);
    expect(ids.map((id) => outcome.get(id))).toEqual(['updated', 'updated', 'updated', 'updated', 'updated']);
    const merges = await mergeRepo.merges(env.platform.db, x.t.tenantId);
    expect(merges.map((m) => m.queueId).sort()).toEqual([ids[0], ids[1], ids[3], ids[4]].sort());
    const live = async (ps: Array<{ id: string }>) => {
      const out = [];
      for (const p of ps) if ((await call(env.app, 'GET', `/api/record/profiles/${p.id}`, { headers: x.h })).body.status === 'live') out.push(p.id);
      return out;
    };
    const [endAbc] = await live([a, b, c]);
    expect(await live([a, b, c])).toHaveLength(1);
    expect(await live([d, e, f])).toHaveLength(1);
    // b–c was merged onto what a–b left.
    const ab = merges.find((m) => m.queueId === ids[0])!;
    const bc = merges.find((m) => m.queueId === ids[1])!;
    expect([bc.keptProfileId, bc.mergedProfileId].sort()).toEqual([ab.keptProfileId, c.id].sort());
    expect(bc.keptProfileId).toBe(endAbc);
    expect(await x.integration.merge.queue(x.t.tenantId)).toHaveLength(0);
  });

  it('a chained pair also waits behind an earlier pair that is itself waiting, as one by one', async () => {
    const x = await integrationTenant(env);
    const person = (tag: string, checks: Record<string, unknown> = {}) => x.profile({ firstName: 'Wai', lastName: 'Ting', email: `wai.${tag}@school.test`, checks });
    const [s1, px, py, t1, pz, u1] = [await person('s'), await person('x'), await person('y'), await person('t'), await person('z'), await person('u')];
    // w has a check, so it is kept by any merge it is in.
    const w = await person('w', { identity: { value: '2024-09-01', evidence: 'Passport' } });
    const q = async (p: { id: string }, r: { id: string }) => {
      await integrationRepo.queuePair(env.platform.db, x.t.tenantId, p.id, r.id, 'same_name_dob', 'Same name', null);
      return (await integrationRepo.queueForPair(env.platform.db, x.t.tenantId, p.id, r.id))!.id;
    };
    // Round one merges s–x, y–t, z–u; M (x–y), W (y–z) and P (z–w) wait. Then M merges; W waits
    // for M (y); P must wait for W (z), though W is not merged in that round: one by one, W merges
    // z's profile before P does.
    const [r1, r2, r3, m, wq, pq] = [await q(s1, px), await q(py, t1), await q(pz, u1), await q(px, py), await q(py, pz), await q(pz, w)];
    const { outcome } = await countedBatch(x, [r1, r2, r3, m, wq, pq]);
    expect([...outcome.values()]).toEqual(Array(6).fill('updated'));
    const merges = new Map((await mergeRepo.merges(env.platform.db, x.t.tenantId)).map((row) => [row.queueId, row]));
    const sides = (id: string) => [merges.get(id)!.keptProfileId, merges.get(id)!.mergedProfileId].sort();
    expect(sides(wq)).toEqual([merges.get(m)!.keptProfileId, merges.get(r3)!.keptProfileId].sort());
    expect(sides(pq)).toEqual([merges.get(wq)!.keptProfileId, w.id].sort());
    expect(merges.get(pq)!.keptProfileId).toBe(w.id);
  });

  it('a pair behind a waiting pair waits in the first pass too: A–B, B–C, C–D merge as A–B, AB–C, ABC–D', async () => {
    const x = await integrationTenant(env);
    const person = (tag: string) => x.profile({ firstName: 'Lin', lastName: 'Ear', email: `lin.${tag}@school.test` });
    const [a, b, c, d] = [await person('a'), await person('b'), await person('c'), await person('d')];
    const q = async (p: { id: string }, r: { id: string }) => {
      await integrationRepo.queuePair(env.platform.db, x.t.tenantId, p.id, r.id, 'same_name_dob', 'Same name', null);
      return (await integrationRepo.queueForPair(env.platform.db, x.t.tenantId, p.id, r.id))!.id;
    };
    const [ab, bc, cd] = [await q(a, b), await q(b, c), await q(c, d)];
    const { outcome } = await countedBatch(x, [ab, bc, cd]);
    expect([...outcome.values()]).toEqual(['updated', 'updated', 'updated']);
    const merges = new Map((await mergeRepo.merges(env.platform.db, x.t.tenantId)).map((row) => [row.queueId, row]));
    const sides = (id: string) => [merges.get(id)!.keptProfileId, merges.get(id)!.mergedProfileId].sort();
    // One by one: C–D merges onto what A–B then AB–C left, not C and D alone in the first pass.
    expect(sides(bc)).toEqual([merges.get(ab)!.keptProfileId, c.id].sort());
    expect(sides(cd)).toEqual([merges.get(bc)!.keptProfileId, d.id].sort());
  });

  it('a long chain in one batch (more merges than a side is followed hops in one go) merges to its end', async () => {
    const x = await integrationTenant(env);
    // Made newest first, so each merge keeps the older profile (the next one along the chain): from the
    // first profile, the chain's end is one hop further every round, 13 at the end (a side was followed
    // at most 10 hops from where it started).
    const people: Array<{ id: string }> = [];
    for (let i = 0; i < 14; i++) people.unshift(await x.profile({ firstName: 'Lo', lastName: 'Ng', email: 'long@school.test' }));
    const ids: string[] = [];
    for (let i = 0; i + 1 < people.length; i++) {
      await integrationRepo.queuePair(env.platform.db, x.t.tenantId, people[i]!.id, people[i + 1]!.id, 'same_name_dob', 'Same name', null);
      ids.push((await integrationRepo.queueForPair(env.platform.db, x.t.tenantId, people[i]!.id, people[i + 1]!.id))!.id);
    }
    // Last, the chain's two ends: by then one profile, found by following the first 13 hops.
    const [first, last] = [people[0]!, people[people.length - 1]!];
    await integrationRepo.queuePair(env.platform.db, x.t.tenantId, first.id, last.id, 'same_name_dob', 'Same name', null);
    ids.push((await integrationRepo.queueForPair(env.platform.db, x.t.tenantId, first.id, last.id))!.id);
    const { outcome } = await countedBatch(x, ids);
    expect(ids.map((id) => outcome.get(id))).toEqual(ids.map(() => 'updated'));
    const live = [];
    for (const p of people) if ((await call(env.app, 'GET', `/api/record/profiles/${p.id}`, { headers: x.h })).body.status === 'live') live.push(p.id);
    expect(live).toHaveLength(1);
    expect(await x.integration.merge.queue(x.t.tenantId)).toHaveLength(0);
  });

  it('chains merge in a few statements a round, however many chains', async () => {
    const chains = async (n: number) => {
      const x = await integrationTenant(env);
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const [p, r, s] = [await x.profile({ firstName: `C${i}`, lastName: 'Hain' }), await x.profile({ firstName: `C${i}`, lastName: 'Hain' }), await x.profile({ firstName: `C${i}`, lastName: 'Hain' })];
        await integrationRepo.queuePair(env.platform.db, x.t.tenantId, p.id, r.id, 'same_name_dob', 'Same name', null);
        await integrationRepo.queuePair(env.platform.db, x.t.tenantId, r.id, s.id, 'same_name_dob', 'Same name', null);
        ids.push((await integrationRepo.queueForPair(env.platform.db, x.t.tenantId, p.id, r.id))!.id, (await integrationRepo.queueForPair(env.platform.db, x.t.tenantId, r.id, s.id))!.id);
      }
      return countedBatch(x, ids);
    };
    const one = await chains(1);
    const six = await chains(6);
    expect([...six.outcome.values()]).toEqual(Array(12).fill('updated'));
    expect(six.sent.length).toBe(one.sent.length);
  });
});

