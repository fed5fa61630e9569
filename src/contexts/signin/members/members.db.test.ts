import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, setScopes } from '../../../../test/factories.js';
import { makeGroup, makeMember, makeSite } from '../../../../test/signin-factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { systemActor } from '../../../platform/audit/audit.js';
import { members } from '../signin.tables.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { Tx } from '../../../platform/db/database.js';
import { memberDocSql } from './members.presenters.js';

const env = useTestEnv();
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('members', () => {
  it('401, 403 for a viewer writing, 404 for another tenant', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const m = await makeMember(env, t, g.id);
    expect((await call(env.app, 'GET', `/api/signin/groups/${g.id}/members`)).status).toBe(401);
    expect((await call(env.app, 'GET', `/api/signin/members/${m.id}`)).status).toBe(401);
    const viewer = await t.as('viewer');
    expect((await call(env.app, 'POST', `/api/signin/groups/${g.id}/members`, { headers: viewer.headers, body: { fullName: 'X' } })).status).toBe(403);
    expect((await call(env.app, 'PATCH', `/api/signin/members/${m.id}`, { headers: viewer.headers, body: { version: 1, role: 'x' } })).status).toBe(403);
    for (const [method, url, body] of [
      ['GET', `/api/signin/groups/${g.id}/members`, undefined],
      ['POST', `/api/signin/groups/${g.id}/members`, { fullName: 'X' }],
      ['GET', `/api/signin/members/${m.id}`, undefined],
      ['PATCH', `/api/signin/members/${m.id}`, { version: 1, role: 'x' }],
      ['POST', `/api/signin/members/${m.id}/archive`, undefined],
      ['POST', `/api/signin/members/${m.id}/qr`, undefined],
      ['GET', `/api/signin/members/${m.id}/qr.svg`, undefined],
      ['GET', `/api/signin/members/${m.id}/photo`, undefined],
      ['POST', `/api/signin/groups/${g.id}/members/import/preview`, { csv: 'fullName\nA' }],
    ] as const) {
      expect((await call(env.app, method, url, { headers: other.owner.headers, body })).status, `${method} ${url}`).toBe(404);
    }
  });

  it('creates, updates with a version check, archives and restores, with audit rows', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const created = await call(env.app, 'POST', `/api/signin/groups/${g.id}/members`, { headers: t.owner.headers, body: { fullName: '  <script>x</script> Ada ', role: 'Teacher', email: 'ADA@example.org', startDate: '2025-01-01' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ fullName: '<script>x</script> Ada', email: 'ada@example.org', version: 1, archived: false, photoUrl: null });
    const id = created.body.id;
    const ok = await call(env.app, 'PATCH', `/api/signin/members/${id}`, { headers: t.owner.headers, body: { version: 1, role: 'Head' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ role: 'Head', version: 2 });
    const stale = await call(env.app, 'PATCH', `/api/signin/members/${id}`, { headers: t.owner.headers, body: { version: 1, role: 'Stale' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    const badDates = await call(env.app, 'PATCH', `/api/signin/members/${id}`, { headers: t.owner.headers, body: { version: 2, endDate: '2024-01-01' } });
    expect(badDates.status).toBe(400);
    expect((await call(env.app, 'POST', `/api/signin/members/${id}/archive`, { headers: t.owner.headers })).body.archived).toBe(true);
    expect((await call(env.app, 'GET', `/api/signin/groups/${g.id}/members`, { headers: t.owner.headers })).body.total).toBe(0);
    expect((await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?archived=archived`, { headers: t.owner.headers })).body.total).toBe(1);
    expect((await call(env.app, 'POST', `/api/signin/members/${id}/restore`, { headers: t.owner.headers })).body.archived).toBe(false);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.targetId, id)));
    expect(audit.map((a) => a.action).sort()).toEqual(['member.archived', 'member.created', 'member.restored', 'member.updated']);
    // The create, archive and restore write their audit rows in the member's own statement (decision 029), as recordAudit did.
    for (const [action, summary] of [
      ['member.created', 'Member created: <script>x</script> Ada'],
      ['member.archived', 'Member archived: <script>x</script> Ada'],
      ['member.restored', 'Member restored: <script>x</script> Ada'],
    ] as const) {
      const row = audit.find((a) => a.action === action)!;
      expect(row).toMatchObject({ tenantId: t.tenantId, actorKind: 'user', actorId: t.owner.id, targetType: 'member', targetId: id, summary, data: { source: 'portal', groupId: g.id } });
      expect(row.actorLabel).toBe(audit.find((a) => a.action === 'member.updated')!.actorLabel);
      expect(row.requestId).toEqual(expect.any(String));
      expect(row.at).toBeInstanceOf(Date);
    }
  });

  it('searches and pages the roster', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    for (const name of ['Ann Lee', 'Bob Reyes', 'Cat Ng', '100%_sure']) await makeMember(env, t, g.id, { fullName: name });
    const page = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?limit=2&offset=2`, { headers: t.owner.headers });
    expect(page.body.total).toBe(4);
    expect(page.body.items.map((m: { fullName: string }) => m.fullName)).toEqual(['Bob Reyes', 'Cat Ng']);
    const q = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?q=reyes`, { headers: t.owner.headers });
    expect(q.body.items.map((m: { fullName: string }) => m.fullName)).toEqual(['Bob Reyes']);
    const wild = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?q=${encodeURIComponent('%_')}`, { headers: t.owner.headers });
    expect(wild.body.items.map((m: { fullName: string }) => m.fullName)).toEqual(['100%_sure']);
    // The total, whichever way it is found (decision 031): a page with fewer rows than the limit
    // ends the list (offset + its rows); a full page, or an empty one past the end, is counted.
    const pageOf = async (query: string) => {
      const res = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?${query}`, { headers: t.owner.headers });
      return { names: res.body.items.map((m: { fullName: string }) => m.fullName), total: res.body.total };
    };
    expect(await pageOf('limit=3&offset=3')).toEqual({ names: ['Cat Ng'], total: 4 });
    expect(await pageOf('limit=2&offset=1')).toEqual({ names: ['Ann Lee', 'Bob Reyes'], total: 4 });
    expect(await pageOf('limit=3&offset=4')).toEqual({ names: [], total: 4 });
    expect(await pageOf('limit=3&offset=9')).toEqual({ names: [], total: 4 });
    expect(await pageOf('q=e&limit=1')).toEqual({ names: ['100%_sure'], total: 3 });
    expect(await pageOf('q=e&limit=2&offset=2')).toEqual({ names: ['Bob Reyes'], total: 3 });
    expect(await pageOf('q=e&limit=2&offset=3')).toEqual({ names: [], total: 3 });
    expect(await pageOf('q=nobody')).toEqual({ names: [], total: 0 });
  });

  it('answers every shape of page the same: empty, past the end, archived, unknown group, other sites', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const g = await makeGroup(env, t, {}, [site.id]);
    const list = (groupId: string, query = '', headers = t.owner.headers) => call(env.app, 'GET', `/api/signin/groups/${groupId}/members${query}`, { headers });
    const names = (res: { body: Record<string, unknown> }) => (res.body.items as Array<{ fullName: string }>).map((m) => m.fullName);
    expect((await list(g.id)).body).toEqual({ items: [], total: 0 });
    const made = [];
    for (const name of ['Ann Lee', 'Bob Reyes', 'Cat Ng']) made.push(await makeMember(env, t, g.id, { fullName: name }));
    expect((await call(env.app, 'POST', `/api/signin/members/${made[1]!.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    const first = await list(g.id, '?limit=1');
    expect(first.body).toMatchObject({ total: 2, items: [{ id: made[0]!.id, fullName: 'Ann Lee', archived: false, version: 1, photoUrl: null, customFields: {} }] });
    expect(Object.keys(first.body.items[0]).sort()).toEqual(['archived', 'createdAt', 'customFields', 'email', 'endDate', 'fullName', 'groupId', 'id', 'phone', 'photoUrl', 'role', 'startDate', 'updatedAt', 'version']);
    expect(first.body.items[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await list(g.id, '?offset=5')).body).toEqual({ items: [], total: 2 });
    expect(names(await list(g.id, '?archived=archived'))).toEqual(['Bob Reyes']);
    expect((await list(g.id, '?archived=all')).body.total).toBe(3);
    expect((await list(g.id, '?archived=archived&q=ann')).body).toEqual({ items: [], total: 0 });
    expect((await list(g.id, '?archived=all&q=e')).body.total).toBe(2);
    // PostgreSQL presents the page: each member as `presentMember` gives it (GET /members/:id), with
    // texts to escape, custom fields of each kind, the photo, dates
    const full = await makeMember(env, t, g.id, { fullName: 'Dee Full', role: 'Cook "head" \\ chef ✓ 😀', email: 'dee@example.test', phone: '+44 1', startDate: '2026-01-02', endDate: '2026-12-31', customFields: { house: 'Red', n: 2.5, ok: true, note: 'line\nnext "q" \\ \u2028' } });
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    expect((await env.app.inject({ method: 'PUT', url: `/api/signin/members/${full.id}/photo`, headers: { ...t.owner.headers, 'content-type': 'image/png' }, payload: png })).statusCode).toBe(200);
    const all = await list(g.id, '?archived=all');
    expect(all.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(all.body.total).toBe(4);
    for (const item of all.body.items as Array<{ id: string }>) expect(item).toEqual((await call(env.app, 'GET', `/api/signin/members/${item.id}`, { headers: t.owner.headers })).body);
    // The trigger of migration 0020 keeps each member's doc as memberDocSql writes it (created,
    // archived, with a photo), so the trigger's copy cannot drift from the TypeScript.
    const stale = (await env.platform.db.execute(sql`select id from members where group_id = ${g.id} and doc is distinct from ${memberDocSql('members')}`)) as unknown as { rows: unknown[] };
    expect(stale.rows).toEqual([]);
    expect((all.body.items as Array<{ photoUrl: string | null }>).filter((m) => m.photoUrl).length).toBe(1);
    const unknown = await list('00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    const other = await createTestTenant(env);
    expect((await list(g.id, '', other.owner.headers)).status).toBe(404);
    const scoped = await t.as('viewer');
    await setScopes(env, t, scoped.id, [{ kind: 'site', refId: site.id }]);
    expect(names(await list(g.id, '', scoped.headers))).toEqual(['Ann Lee', 'Cat Ng', 'Dee Full']);
    await setScopes(env, t, scoped.id, [{ kind: 'site', refId: (await makeSite(env, t)).id }]);
    expect((await list(g.id, '', scoped.headers)).status).toBe(404);
  });

  it('refuses manual changes to SCIM groups and rosters of standard groups; SCIM itself may change them', async () => {
    const t = await createTestTenant(env);
    const scim = await makeGroup(env, t, { type: 'scim' });
    const standard = await makeGroup(env, t, { type: 'standard' });
    const viaApi = await call(env.app, 'POST', `/api/signin/groups/${scim.id}/members`, { headers: t.owner.headers, body: { fullName: 'X' } });
    expect(viaApi.status).toBe(409);
    expect(viaApi.body.error).toMatchObject({ code: 'scim_managed', message: 'Members of a SCIM group are managed by the identity provider' });
    expect((await call(env.app, 'POST', `/api/signin/groups/${standard.id}/members`, { headers: t.owner.headers, body: { fullName: 'X' } })).body.error.code).toBe('no_roster');
    const { members: port } = env.contexts.signin;
    const m = await port.create(env.platform.db, t.tenantId, scim.id, { fullName: 'From Okta' }, systemActor, 'scim');
    const patch = await call(env.app, 'PATCH', `/api/signin/members/${m.id}`, { headers: t.owner.headers, body: { version: 1, fullName: 'Edited' } });
    expect(patch.body.error.code).toBe('scim_managed');
    expect((await call(env.app, 'POST', `/api/signin/members/${m.id}/archive`, { headers: t.owner.headers })).body.error.code).toBe('scim_managed');
    await expect(port.update(env.platform.db, t.tenantId, m.id, { role: 'x' }, systemActor, 'sync')).rejects.toMatchObject({ code: 'scim_managed' });
    const updated = await port.update(env.platform.db, t.tenantId, m.id, { role: 'Engineer' }, systemActor, 'scim');
    expect(updated.role).toBe('Engineer');
    // Archive checks the group in its UPDATE; a refused or missing member still gets its own error.
    await expect(port.archive(env.platform.db, t.tenantId, m.id, systemActor, 'sync')).rejects.toMatchObject({ code: 'scim_managed' });
    expect((await port.get(env.platform.db, t.tenantId, m.id))?.archivedAt).toBeNull();
    await port.remove(env.platform.db, t.tenantId, m.id, systemActor, 'scim');
    expect(await port.get(env.platform.db, t.tenantId, m.id)).toBeUndefined();
    await expect(port.archive(env.platform.db, t.tenantId, m.id, systemActor, 'scim')).rejects.toMatchObject({ status: 404 });
    await expect(port.restore(env.platform.db, t.tenantId, m.id, systemActor, 'scim')).rejects.toMatchObject({ status: 404 });
    expect((await call(env.app, 'GET', `/api/signin/members/${m.id}`, { headers: t.owner.headers })).status).toBe(404);
  });

  it('stores a photo (type and size checked) and serves it to authorised users only', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const g = await makeGroup(env, t, {}, [site.id]);
    const m = await makeMember(env, t, g.id);
    const put = (body: Buffer, type: string) => env.app.inject({ method: 'PUT', url: `/api/signin/members/${m.id}/photo`, headers: { ...t.owner.headers, 'content-type': type }, payload: body });
    expect((await put(Buffer.from('<svg onload=alert(1)>'), 'image/png')).statusCode).toBe(415);
    expect((await put(PNG, 'image/jpeg')).statusCode).toBe(415);
    expect((await put(Buffer.concat([PNG, Buffer.alloc(2.5 * 1024 * 1024)]), 'image/png')).statusCode).toBe(413);
    const ok = await put(PNG, 'image/png');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().photoUrl).toMatch(`/api/signin/members/${m.id}/photo`);
    const got = await env.app.inject({ method: 'GET', url: `/api/signin/members/${m.id}/photo`, headers: t.owner.headers });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['cache-control']).toBe('no-store'); // a face is personal data: kept on no disk (issue 12)
    expect(got.rawPayload.equals(PNG)).toBe(true);
    expect((await env.app.inject({ method: 'GET', url: `/api/signin/members/${m.id}/photo` })).statusCode).toBe(401);
    const scoped = await t.as('viewer');
    const otherSite = await makeSite(env, t);
    await setScopes(env, t, scoped.id, [{ kind: 'site', refId: otherSite.id }]);
    expect((await env.app.inject({ method: 'GET', url: `/api/signin/members/${m.id}/photo`, headers: scoped.headers })).statusCode).toBe(404);
  });

  it('gives a QR code as SVG and regenerates its token', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const m = await makeMember(env, t, g.id);
    const [before] = await env.platform.db.select().from(members).where(eq(members.id, m.id));
    const svg = await env.app.inject({ method: 'GET', url: `/api/signin/members/${m.id}/qr.svg`, headers: t.owner.headers });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(svg.body).toMatch(/^<svg/);
    const regen = await call(env.app, 'POST', `/api/signin/members/${m.id}/qr`, { headers: t.owner.headers });
    expect(regen.status).toBe(200);
    const [after] = await env.platform.db.select().from(members).where(eq(members.id, m.id));
    expect(after!.qrToken).not.toBe(before!.qrToken);
    expect(after!.qrToken).toMatch(/^thr_qr_/);
  });
});

describe('an archived group', () => {
  it('answers 409 group_archived to every write by people (portal and API key), writes nothing, and still reads', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const g = await makeGroup(env, t, {}, [site.id]);
    const live = await makeMember(env, t, g.id, { fullName: 'Ann Lee', role: 'Cook' });
    const gone = await makeMember(env, t, g.id, { fullName: 'Bo Ray' });
    expect((await call(env.app, 'POST', `/api/signin/members/${gone.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    const key = await call(env.app, 'POST', '/api/api-keys', { headers: t.owner.headers, body: { name: 'roster' } });
    expect(key.status).toBe(201);
    const archived = await call(env.app, 'POST', `/api/signin/groups/${g.id}/archive`, { headers: t.owner.headers });
    expect(archived.status).toBe(200);
    const auditBefore = await env.platform.db.select().from(auditLog).where(eq(auditLog.tenantId, t.tenantId));
    const rowsBefore = await env.platform.db.select().from(members).where(eq(members.groupId, g.id));

    for (const headers of [t.owner.headers, { authorization: `Bearer ${key.body.apiKey}` }]) {
      const writes: Array<[string, string, unknown]> = [
        ['PATCH', `/api/signin/groups/${g.id}`, { name: 'Renamed' }],
        ['PATCH', `/api/signin/groups/${g.id}`, { pin: '4321' }],
        ['PATCH', `/api/signin/groups/${g.id}`, {}],
        ['POST', `/api/signin/groups/${g.id}/members`, { fullName: 'New Person' }],
        ['PATCH', `/api/signin/members/${live.id}`, { role: 'Head', version: live.version }],
        ['POST', `/api/signin/members/${live.id}/archive`, undefined],
        ['POST', `/api/signin/members/${gone.id}/restore`, undefined],
        ['POST', `/api/signin/members/${live.id}/qr`, undefined],
        ['POST', `/api/signin/groups/${g.id}/members/import/preview`, { csv: 'fullName\nCat Dee' }],
        ['POST', `/api/signin/groups/${g.id}/members/import`, { csv: 'fullName\nCat Dee' }],
      ];
      for (const [method, url, body] of writes) {
        const res = await call(env.app, method as 'POST', url, { headers, body });
        expect([res.status, res.body.error?.code], `${method} ${url} ${JSON.stringify(body)}`).toEqual([409, 'group_archived']);
      }
      const photo = await env.app.inject({ method: 'PUT', url: `/api/signin/members/${live.id}/photo`, headers: { ...headers, 'content-type': 'image/png' }, payload: PNG });
      expect([photo.statusCode, photo.json().error.code]).toEqual([409, 'group_archived']);
    }
    expect(await env.platform.db.select().from(auditLog).where(eq(auditLog.tenantId, t.tenantId))).toHaveLength(auditBefore.length);
    expect(await env.platform.db.select().from(members).where(eq(members.groupId, g.id))).toEqual(rowsBefore);

    // Reads stay, and archiving again is still a 200 (nothing changes).
    expect((await call(env.app, 'GET', `/api/signin/groups/${g.id}`, { headers: t.owner.headers })).body.name).toBe(g.name);
    expect((await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?archived=all`, { headers: t.owner.headers })).body.total).toBe(2);
    expect((await call(env.app, 'GET', `/api/signin/members/${live.id}`, { headers: t.owner.headers })).body.role).toBe('Cook');
    expect((await env.app.inject({ method: 'GET', url: `/api/signin/members/${live.id}/qr.svg`, headers: t.owner.headers })).statusCode).toBe(200);
    expect((await env.app.inject({ method: 'GET', url: `/api/signin/groups/${g.id}/members/import/template.csv`, headers: t.owner.headers })).statusCode).toBe(200);
    expect((await call(env.app, 'POST', `/api/signin/groups/${g.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    // The integration's sync still reaches the member through the port (its own rules).
    const synced = await env.contexts.signin.members.update(env.platform.db, t.tenantId, live.id, { role: 'Chef' }, systemActor, 'sync');
    expect(synced.role).toBe('Chef');
  });

  it('leaves a live group of the same tenant writable', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const other = await makeGroup(env, t);
    expect((await call(env.app, 'POST', `/api/signin/groups/${other.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    expect((await call(env.app, 'PATCH', `/api/signin/groups/${g.id}`, { headers: t.owner.headers, body: { name: 'Still open' } })).status).toBe(200);
    expect((await call(env.app, 'POST', `/api/signin/groups/${g.id}/members`, { headers: t.owner.headers, body: { fullName: 'Dee Eve' } })).status).toBe(201);
  });
});

describe('CSV import', () => {
  it('serves a template that imports cleanly', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const tpl = await env.app.inject({ method: 'GET', url: `/api/signin/groups/${g.id}/members/import/template.csv`, headers: t.owner.headers });
    expect(tpl.statusCode).toBe(200);
    expect(tpl.headers['content-type']).toMatch(/text\/csv/);
    expect(tpl.body.split('\r\n')[0]).toBe('fullName,role,email,phone,startDate,endDate');
    const preview = await env.app.inject({ method: 'POST', url: `/api/signin/groups/${g.id}/members/import/preview`, headers: { ...t.owner.headers, 'content-type': 'text/csv' }, payload: tpl.body });
    expect(preview.json()).toMatchObject({ valid: true, total: 1, errors: [] });
  });

  it('lists every bad row with its reason and imports nothing until all rows are valid', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const csv = ['fullName,email,startDate,endDate', 'Good One,good@example.org,,', ',nobody@example.org,,', 'Bad Email,not-an-email,,', 'Bad Dates,,2025-05-01,2025-01-01', 'Dup,good@example.org,,', '"=HYPERLINK(""x"")",,,'].join('\n');
    const preview = await call(env.app, 'POST', `/api/signin/groups/${g.id}/members/import/preview`, { headers: t.owner.headers, body: { csv } });
    expect(preview.status).toBe(200);
    expect(preview.body.valid).toBe(false);
    expect(preview.body.errors.map((e: { row: number; field?: string }) => [e.row, e.field])).toEqual([
      [3, 'fullName'],
      [4, 'email'],
      [5, 'endDate'],
      [6, 'email'],
    ]);
    // In a person's words, not zod's ("Too small: expected string to have >=1 characters").
    expect(preview.body.errors.slice(0, 2).map((e: { reason: string }) => e.reason)).toEqual(['Required', 'Enter an email address, like name@school.org']);
    const commit = await call(env.app, 'POST', `/api/signin/groups/${g.id}/members/import`, { headers: t.owner.headers, body: { csv } });
    expect(commit.status).toBe(400);
    expect(commit.body.error.code).toBe('csv_invalid');
    expect(commit.body.error.errors).toHaveLength(4);
    expect((await call(env.app, 'GET', `/api/signin/groups/${g.id}/members`, { headers: t.owner.headers })).body.total).toBe(0);
    const unknownCol = await call(env.app, 'POST', `/api/signin/groups/${g.id}/members/import`, { headers: t.owner.headers, body: { csv: 'name\nA' } });
    expect(unknownCol.body.error.code).toBe('csv_unknown_columns');
    const proto = await call(env.app, 'POST', `/api/signin/groups/${g.id}/members/import`, { headers: t.owner.headers, body: { csv: 'fullName,field:__proto__\nAnn,x' } });
    expect([proto.status, proto.body.error.code, proto.body.error.message]).toEqual([400, 'csv_reserved_columns', expect.stringContaining('field:__proto__')]);
    expect((await call(env.app, 'GET', `/api/signin/groups/${g.id}/members`, { headers: t.owner.headers })).body.total).toBe(0);
    const badField = await call(env.app, 'POST', `/api/signin/groups/${g.id}/members/import/preview`, { headers: t.owner.headers, body: { csv: `fullName,field:dbs\nAnn,${'x'.repeat(2001)}` } });
    expect(badField.body.errors.map((e: { row: number; field?: string }) => [e.row, e.field])).toEqual([[2, 'customFields.dbs']]);
    const good = ['fullName,role,field:dbs', 'Ann Lee,Teacher,DBS-001', 'Bob Reyes,Cook,'].join('\r\n');
    const done = await env.app.inject({ method: 'POST', url: `/api/signin/groups/${g.id}/members/import`, headers: { ...t.owner.headers, 'content-type': 'text/csv' }, payload: good });
    expect(done.statusCode).toBe(201);
    expect(done.json()).toEqual({ created: 2 });
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'members.imported')));
    expect(audit).toHaveLength(1);
    const imported = await env.platform.db.select().from(members).where(eq(members.groupId, g.id));
    expect(Object.fromEntries(imported.map((m) => [m.fullName, m.customFields]))).toEqual({ 'Ann Lee': { dbs: 'DBS-001' }, 'Bob Reyes': {} });
    const scim = await makeGroup(env, t, { type: 'scim' });
    expect((await call(env.app, 'POST', `/api/signin/groups/${scim.id}/members/import`, { headers: t.owner.headers, body: { csv: good } })).body.error.code).toBe('scim_managed');
  });

});

describe('the members table', () => {
  it('refuses a member without its stored document (a row written with triggers off)', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const m = await makeMember(env, t, g.id, { fullName: 'Ann Lee' });
    type PgError = { code?: string; constraint?: string; cause?: PgError };
    const failure = await inTransaction(env.platform.db, async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`); // ordinary triggers off
      await tx.execute(sql`INSERT INTO members (tenant_id, group_id, full_name, qr_token) VALUES (${t.tenantId}, ${g.id}, 'Bo Ray', ${`qr-${m.id}`})`);
    }).then(
      () => undefined,
      (err: unknown) => err as PgError,
    );
    const cause = failure?.cause ?? failure;
    expect(cause).toMatchObject({ code: '23514', constraint: 'members_doc_set' });
    const page = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members`, { headers: t.owner.headers });
    expect(page.status).toBe(200);
    expect(page.body.items.map((x: { fullName: string }) => x.fullName)).toEqual(['Ann Lee']);
  });

  it('archives and restores with HOT updates: no index of members is written (decision 039)', async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const made = await Promise.all(['Ann Lee', 'Bob Reyes', 'Cy Dunn'].map((fullName) => makeMember(env, t, g.id, { fullName })));
    const port = env.contexts.signin.members;
    // The backend's counts of updated rows and of those that were HOT (heap-only: the new version
    // on the same page, no index entry written) not yet flushed to the statistics, read at the
    // start and the end of a transaction (nothing is flushed inside one), so the difference is
    // that transaction's own. One write a transaction, as SCIM sends them: the version it leaves
    // behind is dead once committed, so the page is pruned before the next write and has room for
    // it (five versions of a row in one transaction need more room than a page's 10 % may have).
    const read = async (tx: Tx) => {
      const r = (await tx.execute(
        sql`select pg_stat_get_xact_tuples_updated('members'::regclass) as updated, pg_stat_get_xact_tuples_hot_updated('members'::regclass) as hot`,
      )) as unknown as { rows: Array<{ updated: string; hot: string }> };
      return { updated: Number(r.rows[0]!.updated), hot: Number(r.rows[0]!.hot) };
    };
    const counts = { updated: 0, hot: 0 };
    const writes = [...made.map((m) => ['archive', m.id] as const), ...made.slice(1).map((m) => ['restore', m.id] as const)];
    for (const [action, id] of writes) {
      await inTransaction(env.platform.db, async (tx) => {
        const before = await read(tx);
        await port[action](tx, t.tenantId, id, systemActor, 'scim');
        const after = await read(tx);
        counts.updated += after.updated - before.updated;
        counts.hot += after.hot - before.hot;
      });
    }
    // HOT needs room on the row's page as well. Idle, all five are HOT; with other transactions of a
    // loaded run holding back the pruning of the versions left behind, a page can run out (CI saw 4
    // of 5). What decides it, and what an index on a written column would break every time, is
    // checked exactly below: no index of members holds, or is filtered by, a column an archive or
    // restore writes (their statement sets archived_at, version, updated_at; the trigger doc).
    expect(counts.updated).toBe(5);
    expect(counts.hot).toBeGreaterThan(0);
    const indexes = (await env.platform.db.execute(sql`select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'members'::regclass`)) as unknown as { rows: Array<{ def: string }> };
    expect(indexes.rows.length).toBeGreaterThan(3);
    expect(indexes.rows.map((r) => r.def).filter((def) => /\b(archived_at|version|updated_at|doc)\b/.test(def))).toEqual([]);
    const page = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members?archived=archived`, { headers: t.owner.headers });
    expect(page.body.items.map((m: { fullName: string }) => m.fullName)).toEqual(['Ann Lee']);
    const fill = (await env.platform.db.execute(sql`select reloptions as options from pg_class where oid = 'members'::regclass`)) as unknown as { rows: Array<{ options: string[] | null }> };
    expect(fill.rows[0]!.options).toContain('fillfactor=90');
  });
});
