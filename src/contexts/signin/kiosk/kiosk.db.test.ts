import { describe, expect, it } from 'vitest';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { searchQuery } from './kiosk.search.js';
import { autoSignOutCandidates } from '../live/auto-sign-out.js';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { kioskSetup, makeGroup, makeMember, makeSite, pairKiosk } from '../../../../test/signin-factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { kioskDevices, members } from '../signin.tables.js';

const env = useTestEnv();

/** Pairing is limited per address, and a PostgreSQL worker's test files share that limit's counters: each pairing comes from its own address. */
const ownAddress = () => `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

describe('kiosk pairing and devices', () => {
  it('401, 403, 404 on the portal side', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const site = await makeSite(env, t);
    const k = await pairKiosk(env, t, site.id);
    expect((await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`)).status).toBe(401);
    const manager = await t.as('manager');
    expect((await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`, { headers: manager.headers })).status).toBe(403);
    expect((await call(env.app, 'GET', `/api/signin/sites/${site.id}/kiosks`, { headers: manager.headers })).status).toBe(403);
    expect((await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`, { headers: other.owner.headers })).status).toBe(404);
    expect((await call(env.app, 'GET', `/api/signin/sites/${site.id}/kiosks`, { headers: other.owner.headers })).status).toBe(404);
    expect((await call(env.app, 'POST', `/api/signin/kiosks/${k.deviceId}/revoke`, { headers: other.owner.headers })).status).toBe(404);
    // A kiosk token is not a portal credential.
    expect((await call(env.app, 'GET', '/api/signin/sites', { headers: k.headers })).status).toBe(403);
  });

  it('pairs once with a short code, stores the token hashed, and stops working when revoked', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const code = await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`, { headers: t.owner.headers });
    expect(code.status).toBe(201);
    expect(code.body.code).toMatch(/^[A-Z2-9]{8}$/);
    expect(new Date(code.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    const pair = await call(env.app, 'POST', '/api/kiosk/pair', { body: { code: code.body.code.toLowerCase(), name: 'Reception' } , remoteAddress: ownAddress() });
    expect(pair.status).toBe(201);
    expect(pair.body.deviceToken).toMatch(/^thr_kiosk_/);
    expect(pair.body.site).toEqual({ id: site.id, name: site.name });
    const again = await call(env.app, 'POST', '/api/kiosk/pair', { body: { code: code.body.code } , remoteAddress: ownAddress() });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('invalid_pairing_code');
    const [device] = await env.platform.db.select().from(kioskDevices).where(eq(kioskDevices.id, pair.body.device.id));
    expect(device!.tokenHash).not.toContain(pair.body.deviceToken);
    const headers = { authorization: `Bearer ${pair.body.deviceToken}` };
    expect((await call(env.app, 'GET', '/api/kiosk/config', { headers })).status).toBe(200);
    const list = await call(env.app, 'GET', `/api/signin/sites/${site.id}/kiosks`, { headers: t.owner.headers });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ name: 'Reception', revoked: false });
    const revoked = await call(env.app, 'POST', `/api/signin/kiosks/${device!.id}/revoke`, { headers: t.owner.headers });
    expect(revoked.body.revoked).toBe(true);
    const after = await call(env.app, 'GET', '/api/kiosk/config', { headers });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('invalid_kiosk_token');
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.targetId, device!.id)));
    expect(audit.map((a) => a.action).sort()).toEqual(['kiosk.paired', 'kiosk.revoked']);
  });

  it('pairs in a browser that also holds a portal session cookie (no CSRF header needed)', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const code = await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`, { headers: t.owner.headers });
    const pair = await call(env.app, 'POST', '/api/kiosk/pair', { headers: { cookie: t.owner.headers.cookie }, body: { code: code.body.code, name: 'Front desk' } , remoteAddress: ownAddress() });
    expect(pair.status).toBe(201);
    expect(pair.body.deviceToken).toMatch(/^thr_kiosk_/);
    // The cookie is ignored on the pairing route: it never acts as the portal user.
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'kiosk.paired')));
    expect(audit[0]!.actorKind).toBe('kiosk');
  });

  it('refuses an expired code and an unknown token; kiosk routes need a kiosk', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const code = await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`, { headers: t.owner.headers });
    env.clock.advance(11 * 60_000);
    try {
      expect((await call(env.app, 'POST', '/api/kiosk/pair', { body: { code: code.body.code } , remoteAddress: ownAddress() })).body.error.code).toBe('invalid_pairing_code');
    } finally {
      env.clock.reset();
    }
    const unknown = await call(env.app, 'GET', '/api/kiosk/config', { headers: { authorization: 'Bearer thr_kiosk_nope' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_kiosk_token');
    expect((await call(env.app, 'GET', '/api/kiosk/config')).status).toBe(401);
    expect((await call(env.app, 'GET', '/api/kiosk/config', { headers: t.owner.headers })).status).toBe(403);
  });
});

describe('kiosk pairing of an archived site', () => {
  it('a code given before the site was archived pairs nothing: 409 site_archived, no device made', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const code = await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`, { headers: t.owner.headers });
    expect((await call(env.app, 'POST', `/api/signin/sites/${site.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    const res = await call(env.app, 'POST', '/api/kiosk/pair', { body: { code: code.body.code }, remoteAddress: ownAddress() });
    expect([res.status, res.body.error.code]).toEqual([409, 'site_archived']);
    expect((await call(env.app, 'GET', `/api/signin/sites/${site.id}/kiosks`, { headers: t.owner.headers })).body.items).toEqual([]);
  });
});

describe('kiosk pairing under a burst of guesses', () => {
  it('checks at most 10 codes per address in 15 minutes however many arrive at once; the rest are 429 with Retry-After', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const code = await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`, { headers: t.owner.headers });
    const from = ownAddress();
    const guess = (c: string, remoteAddress = from) => env.app.inject({ method: 'POST', url: '/api/kiosk/pair', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ code: c, name: 'x' }), remoteAddress });
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => guess(`WRONG${String(i).padStart(3, '0')}`)));
    const statuses = burst.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 400)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    for (const r of burst.filter((x) => x.statusCode === 429)) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    // Locked: even the right code is not checked from this address; from another it pairs.
    expect((await guess(code.body.code as string)).statusCode).toBe(429);
    expect((await guess(code.body.code as string, ownAddress())).statusCode).toBe(201);
  });
});

describe('kiosk config, PIN and search', () => {
  it('gives the site and its groups without the PIN or rejection answers', async () => {
    const t = await createTestTenant(env);
    const { site, group, kiosk } = await kioskSetup(env, t, {
      pin: '2468',
      options: { customFields: [{ id: 'unwell', label: 'Unwell?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Stay home' } }], agreement: { text: 'Be kind' } },
    });
    const other = await makeGroup(env, t, { name: 'Not here' });
    const cfg = await call(env.app, 'GET', '/api/kiosk/config', { headers: kiosk.headers });
    expect(cfg.status).toBe(200);
    expect(cfg.body.site.id).toBe(site.id);
    expect(cfg.body.groups.map((g: { id: string }) => g.id)).toEqual([group.id]);
    expect(cfg.body.groups[0]).toMatchObject({ hasPin: true, agreement: { text: 'Be kind' } });
    const text = JSON.stringify(cfg.body);
    expect(text).not.toContain('2468');
    expect(text).not.toContain('Stay home');
    expect(text).not.toContain(other.id);
  });

  it('checks the PIN, answers 403 when wrong and rate-limits repeated failures', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { pin: '2468' });
    const other = await createTestTenant(env);
    const foreign = await makeGroup(env, other, { pin: '1111' });
    expect((await call(env.app, 'POST', `/api/kiosk/groups/${foreign.id}/unlock`, { headers: kiosk.headers, body: { pin: '1111' } })).status).toBe(404);
    expect((await call(env.app, 'POST', `/api/kiosk/groups/${group.id}/unlock`, { headers: kiosk.headers, body: { pin: '2468' } })).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(env.app, 'POST', `/api/kiosk/groups/${group.id}/unlock`, { headers: kiosk.headers, body: { pin: '0000' } })).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429]);
    expect((await call(env.app, 'POST', `/api/kiosk/groups/${group.id}/unlock`, { headers: kiosk.headers, body: { pin: '2468' } })).status).toBe(429);
    const search = await call(env.app, 'GET', `/api/kiosk/search?groupId=${group.id}&q=a`, { headers: kiosk.headers });
    expect(search.status).toBe(429);
  });

  it('a group of another site is not found whatever PIN is sent: no PIN is checked (or counted) for it, so its PIN cannot be guessed from here', async () => {
    const t = await createTestTenant(env);
    const { kiosk } = await kioskSetup(env, t);
    const elsewhere = await makeGroup(env, t, { pin: '2468' }, [(await makeSite(env, t)).id]);
    const visitors = await makeGroup(env, t, { type: 'standard', pin: '2468' }, [(await makeSite(env, t)).id]);
    for (const pin of ['0000', '2468', '1111', '2222', '3333', '4444', '2468']) {
      expect((await call(env.app, 'GET', `/api/kiosk/search?groupId=${elsewhere.id}&q=a&pin=${pin}`, { headers: kiosk.headers })).status, pin).toBe(404);
      expect((await call(env.app, 'POST', '/api/kiosk/identify', { headers: kiosk.headers, body: { groupId: elsewhere.id, qrToken: 'thr_qr_x', pin } })).status, pin).toBe(404);
      expect((await call(env.app, 'GET', `/api/kiosk/visitors?groupId=${visitors.id}&pin=${pin}`, { headers: kiosk.headers })).status, pin).toBe(404);
    }
  });

  it('counts each PIN try before checking it: 60 concurrent tries with the right one among them check at most five', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { pin: '2468' });
    const tries = Array.from({ length: 60 }, (_, i) => (i === 37 ? '2468' : String(1000 + i)));
    const statuses = await Promise.all(tries.map((pin) => call(env.app, 'POST', `/api/kiosk/groups/${group.id}/unlock`, { headers: kiosk.headers, body: { pin } }).then((r) => r.status)));
    const checked = statuses.filter((s) => s !== 429);
    expect(checked.length).toBeLessThanOrEqual(6); // five wrong tries, plus the right one's own try given back
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(54);
    expect(statuses.every((s) => [200, 403, 429].includes(s))).toBe(true);
  });

  it('finds members by prefix, surname and with typos, and says who is on site', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const names = ['Jonathan Smith', 'Joanna Reyes', 'Maria Gonzalez', 'Peter Parker', 'Yessica Long'];
    const made = new Map<string, string>();
    for (const n of names) made.set(n, (await makeMember(env, t, group.id, { fullName: n, role: 'Staff' })).id);
    const archived = await makeMember(env, t, group.id, { fullName: 'Jonas Archived' });
    await call(env.app, 'POST', `/api/signin/members/${archived.id}/archive`, { headers: t.owner.headers });
    const find = async (q: string) => (await call(env.app, 'GET', `/api/kiosk/search?groupId=${group.id}&q=${encodeURIComponent(q)}`, { headers: kiosk.headers })).body.items.map((i: { name: string }) => i.name);
    expect(await find('jo')).toEqual(expect.arrayContaining(['Jonathan Smith', 'Joanna Reyes']));
    expect(await find('jo')).not.toContain('Jonas Archived');
    expect((await find('smi'))[0]).toBe('Jonathan Smith');
    expect((await find('gonzales'))[0]).toBe('Maria Gonzalez');
    expect((await find('Petr Parkr'))[0]).toBe('Peter Parker');
    expect(await find('%')).toEqual([]);
    const signIn = await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: made.get('Peter Parker') } });
    expect(signIn.status).toBe(201);
    const res = await call(env.app, 'GET', `/api/kiosk/search?groupId=${group.id}&q=peter`, { headers: kiosk.headers });
    expect(res.body.items[0]).toEqual({ id: made.get('Peter Parker'), name: 'Peter Parker', role: 'Staff', photoUrl: null, onSite: true, agreementDue: false });
  });

  it('serves a member photo only to kiosks of sites showing the group, while the group is not archived', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const elsewhere = await pairKiosk(env, t, (await makeSite(env, t)).id);
    const m = await makeMember(env, t, group.id);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    expect((await env.app.inject({ method: 'PUT', url: `/api/signin/members/${m.id}/photo`, headers: { ...t.owner.headers, 'content-type': 'image/png' }, payload: png })).statusCode).toBe(200);
    const ok = await env.app.inject({ method: 'GET', url: `/api/kiosk/members/${m.id}/photo`, headers: kiosk.headers });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
    expect(ok.headers['cache-control']).toBe('no-store'); // a face is personal data: kept on no disk (issue 12)
    expect((await env.app.inject({ method: 'GET', url: `/api/kiosk/members/${m.id}/photo`, headers: elsewhere.headers })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'GET', url: `/api/kiosk/members/${m.id}/photo` })).statusCode).toBe(401);
    const found = await call(env.app, 'GET', `/api/kiosk/search?groupId=${group.id}&q=${encodeURIComponent(m.fullName.slice(0, 6))}`, { headers: kiosk.headers });
    expect(found.body.items[0].photoUrl).toMatch(`/api/kiosk/members/${m.id}/photo`);
    // An archived group names nobody at the kiosk: nor shows a face.
    expect((await call(env.app, 'POST', `/api/signin/groups/${group.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    expect((await env.app.inject({ method: 'GET', url: `/api/kiosk/members/${m.id}/photo`, headers: kiosk.headers })).statusCode).toBe(404);
  });

  it('an archived group names nobody: a scanned QR code of its member is a 404, as its search finds none and its sign-in is refused', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const m = await makeMember(env, t, group.id, { fullName: 'Grace Hopper' });
    const [row] = await env.platform.db.select().from(members).where(eq(members.id, m.id));
    const identify = () => call(env.app, 'POST', '/api/kiosk/identify', { headers: kiosk.headers, body: { groupId: group.id, qrToken: row!.qrToken } });
    expect((await identify()).status).toBe(200);
    expect((await call(env.app, 'POST', `/api/signin/groups/${group.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    expect((await call(env.app, 'GET', `/api/kiosk/search?groupId=${group.id}&q=Grace`, { headers: kiosk.headers })).body.items).toEqual([]);
    expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, qrToken: row!.qrToken } })).status).toBe(404);
    const after = await identify();
    expect(after.status).toBe(404);
    expect(after.body.name).toBeUndefined();
  });

  it('identifies a scanned QR code first, so a member who owes the agreement is asked for it instead of rejected', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t, { pin: '2468', options: { agreement: { text: 'Wear your lanyard' }, safetyCheckMode: 'reject' } });
    const m = await makeMember(env, t, group.id, { fullName: 'Grace Hopper', role: 'Teacher' });
    const [row] = await env.platform.db.select().from(members).where(eq(members.id, m.id));
    const foreignGroup = await makeGroup(env, other);
    const foreign = await makeMember(env, other, foreignGroup.id);
    const [foreignRow] = await env.platform.db.select().from(members).where(eq(members.id, foreign.id));
    const identify = (body: Record<string, unknown>, headers: Record<string, string> = kiosk.headers) => call(env.app, 'POST', '/api/kiosk/identify', { headers, body });
    expect((await identify({ groupId: group.id, qrToken: row!.qrToken, pin: '2468' }, {})).status).toBe(401);
    expect((await identify({ groupId: group.id, qrToken: row!.qrToken, pin: '2468' }, t.owner.headers)).status).toBe(403);
    expect((await identify({ groupId: group.id, qrToken: row!.qrToken })).status).toBe(403);
    expect((await identify({ groupId: group.id, qrToken: foreignRow!.qrToken, pin: '2468' })).status).toBe(404);
    expect((await identify({ groupId: group.id, qrToken: 'thr_qr_unknown', pin: '2468' })).status).toBe(404);
    const first = await identify({ groupId: group.id, qrToken: row!.qrToken, pin: '2468' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ id: m.id, name: 'Grace Hopper', role: 'Teacher', photoUrl: null, onSite: false, agreementDue: true });
    // The kiosk asks, then signs in by the identified member with the agreement accepted.
    const signIn = await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: first.body.id, pin: '2468', agreementAccepted: true } });
    expect(signIn.status).toBe(201);
    const again = await identify({ groupId: group.id, qrToken: row!.qrToken, pin: '2468' });
    expect(again.body).toMatchObject({ onSite: true, agreementDue: false });
  });

  it('plans both paths of the search on the trigram index', async () => {
    const t = await createTestTenant(env);
    const { group } = await kioskSetup(env, t);
    await env.platform.db.transaction(async (tx) => {
      // A test group is a few rows, where a sequential scan is cheapest: priced out here, as it is
      // for a school's thousands of members.
      await tx.execute(sql`SELECT set_config('enable_seqscan', 'off', true)`);
      const plan = (await tx.execute(sql`EXPLAIN ${searchQuery(t.tenantId, group.id, 'smi', null, 20)}`)) as unknown as { rows: Array<Record<string, string>> };
      const text = plan.rows.map((r) => Object.values(r)[0]).join('\n');
      expect(text.match(/members_name_trgm_idx/g)).toHaveLength(2); // the prefix and the word match
      // Other tenants' and groups' hits are dropped inside the materialised CTEs, not after them.
      const ctes = text.slice(text.indexOf('CTE prefixed'), text.indexOf('Append'));
      expect(ctes.match(/tenant_id\)::text = /g)).toHaveLength(2);
      expect(ctes.match(/group_id\)::text = /g)).toHaveLength(2);
      // The word match waits on a gate (enough prefix hits, then its threshold set) before its scan.
      expect(ctes).toMatch(/One-Time Filter/);
    });
  });

  it("reads who is on site per member shown through the per-member index, never a scan of the site's open visits (decision 038)", async () => {
    const t = await createTestTenant(env);
    const { site, group } = await kioskSetup(env, t);
    let search = '';
    let live = '';
    let autoSignOut = '';
    const undo = new Error('undo the dropped indexes');
    await env.platform.db
      .transaction(async (tx) => {
        // With the per-member indexes gone and sequential scans priced out, nothing is left for the
        // on-site lookup (`member_id = m.id`, open) but a partial index whose predicate it implies:
        // under an empty table's statistics PostgreSQL chose the open-visits-by-site one, a heap row
        // per open visit for each member shown. It must not be able to.
        await tx.execute(sql`SELECT set_config('enable_seqscan', 'off', true)`);
        await tx.execute(sql`DROP INDEX visits_one_open_per_member`);
        await tx.execute(sql`DROP INDEX visits_member_idx`);
        const explain = async (q: SQL) => ((await tx.execute(sql`EXPLAIN ${q}`)) as unknown as { rows: Array<Record<string, string>> }).rows.map((r) => Object.values(r)[0]).join('\n');
        search = await explain(searchQuery(t.tenantId, group.id, 'smi', null, 20));
        // Who is on site at a site (the live page's read) still has that index.
        live = await explain(sql`SELECT id FROM visits WHERE tenant_id = ${t.tenantId} AND site_id = ${site.id} AND signed_out_at IS NULL AND outcome = 'signed_in'`);
        // …and so does the automatic sign-out's read of every tenant's open visits.
        autoSignOut = await explain(autoSignOutCandidates(tx).getSQL());
        throw undo;
      })
      .catch((e: unknown) => {
        if (e !== undo) throw e;
      });
    expect(search).toMatch(/on visits/);
    expect(search).not.toMatch(/visits_tenant_site_open_idx/);
    expect(live).toMatch(/visits_tenant_site_open_idx/);
    expect(autoSignOut).toMatch(/visits_tenant_site_open_idx/);
  });
});
