import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant } from '../../../test/factories.js';
import { auditLog } from './audit.tables.js';
import { recordAudit, systemActor } from './audit.js';
import { inTransaction } from '../db/tx.js';

const env = useTestEnv();

describe('GET /api/audit', () => {
  it('needs credentials (401) and the audit.read permission (403)', async () => {
    const t = await createTestTenant(env);
    expect((await call(env.app, 'GET', '/api/audit')).status).toBe(401);
    const manager = await t.as('manager');
    const res = await call(env.app, 'GET', '/api/audit', { headers: manager.headers });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    const admin = await t.as('admin');
    expect((await call(env.app, 'GET', '/api/audit', { headers: admin.headers })).status).toBe(200);
  });

  it("never shows another tenant's entries, even when asked for their target id", async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    await recordAudit(env.platform.db, other.tenantId, systemActor, { action: 'secret.thing', targetType: 'secret', targetId: 'x-1' });
    const res = await call(env.app, 'GET', '/api/audit?targetId=x-1', { headers: t.owner.headers });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    const all = await call(env.app, 'GET', '/api/audit?limit=200', { headers: t.owner.headers });
    expect(all.body.items.every((i: { action: string }) => i.action !== 'secret.thing')).toBe(true);
  });

  it('lists newest first, filters, and pages with a keyset cursor', async () => {
    const t = await createTestTenant(env);
    const base = Date.parse('2030-01-01T00:00:00Z');
    // Five rows; two share a timestamp so the cursor must break ties on id.
    const ats = [0, 60_000, 120_000, 120_000, 180_000].map((ms) => new Date(base + ms));
    await env.platform.db.insert(auditLog).values(
      ats.map((at, i) => ({
        tenantId: t.tenantId,
        at,
        actorKind: 'user',
        actorId: i % 2 === 0 ? 'actor-a' : 'actor-b',
        actorLabel: 'Someone',
        action: i < 3 ? 'widget.created' : 'widget.deleted',
        targetType: 'widget',
        targetId: `w${i}`,
        summary: `row ${i}`,
        data: { i },
      })),
    );
    const get = (q: string) => call(env.app, 'GET', `/api/audit?targetType=widget&${q}`, { headers: t.owner.headers });

    const all = await get('limit=50');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { at: string }) => i.at)).toEqual([...ats].reverse().map((d) => d.toISOString()));
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items[0]).toEqual({
      id: expect.any(String),
      at: ats[4]!.toISOString(),
      actorKind: 'user',
      actorId: 'actor-a',
      actorLabel: 'Someone',
      action: 'widget.deleted',
      targetType: 'widget',
      targetId: 'w4',
      summary: 'row 4',
      data: { i: 4 },
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i: { targetId: string }) => i.targetId));
      cursor = page.body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.body.items.map((i: { targetId: string }) => i.targetId));

    expect((await get('action=widget.deleted')).body.items.map((i: { targetId: string }) => i.targetId).sort()).toEqual(['w3', 'w4']);
    expect((await get('action=widget.*')).body.items).toHaveLength(5);
    expect((await get('actorId=actor-b')).body.items.map((i: { targetId: string }) => i.targetId).sort()).toEqual(['w1', 'w3']);
    expect((await get('targetId=w2')).body.items).toHaveLength(1);
    const window = await get(`from=${encodeURIComponent(ats[1]!.toISOString())}&to=${encodeURIComponent(ats[4]!.toISOString())}`);
    expect(window.body.items.map((i: { targetId: string }) => i.targetId).sort()).toEqual(['w1', 'w2', 'w3']);
  });

  it('shows an entry written in the same transaction as its change, and none when it rolls back', async () => {
    const t = await createTestTenant(env);
    await inTransaction(env.platform.db, (tx) =>
      recordAudit(tx, t.tenantId, { kind: 'user', id: t.owner.id, label: t.owner.email }, { action: 'gadget.renamed', targetType: 'gadget', targetId: 'g1', summary: 'Renamed' }),
    );
    await expect(
      inTransaction(env.platform.db, async (tx) => {
        await recordAudit(tx, t.tenantId, systemActor, { action: 'gadget.renamed', targetType: 'gadget', targetId: 'g2' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow();
    const res = await call(env.app, 'GET', '/api/audit?targetType=gadget', { headers: t.owner.headers });
    expect(res.body.items.map((i: { targetId: string; actorId: string }) => [i.targetId, i.actorId])).toEqual([['g1', t.owner.id]]);
  });

  it('rejects a bad cursor and a bad date with 400', async () => {
    const t = await createTestTenant(env);
    const cursor = await call(env.app, 'GET', '/api/audit?cursor=nonsense', { headers: t.owner.headers });
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.code).toBe('invalid_cursor');
    const date = await call(env.app, 'GET', '/api/audit?from=yesterday', { headers: t.owner.headers });
    expect(date.status).toBe(400);
    expect(date.body.error.code).toBe('validation_failed');
    expect(date.body.error.field).toBe('querystring.from');
  });

  it('appears in the OpenAPI document with the platform routes', async () => {
    const doc = await call(env.app, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    for (const p of ['/api/audit', '/api/notifications', '/api/notifications/{id}/read', '/api/notifications/read-all']) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
    expect(doc.body.paths['/api/audit'].get.parameters.map((x: { name: string }) => x.name)).toEqual(
      expect.arrayContaining(['action', 'actorId', 'targetType', 'targetId', 'from', 'to', 'cursor', 'limit']),
    );
  });
});
