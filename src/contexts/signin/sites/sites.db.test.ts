import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant, setScopes } from '../../../../test/factories.js';
import { makeGroup, makeSite } from '../../../../test/signin-factories.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { sites } from '../signin.tables.js';
import { sitesRepo } from './sites.repo.js';
import { createSitesService } from './sites.service.js';

const env = useTestEnv();

describe('sites', () => {
  it('401 without credentials, 403 for a viewer creating, 404 for another tenant', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const site = await makeSite(env, t);
    expect((await call(env.app, 'GET', '/api/signin/sites')).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/signin/sites', { body: { name: 'x' } })).status).toBe(401);
    const viewer = await t.as('viewer');
    expect((await call(env.app, 'POST', '/api/signin/sites', { headers: viewer.headers, body: { name: 'x' } })).status).toBe(403);
    expect((await call(env.app, 'PATCH', `/api/signin/sites/${site.id}`, { headers: (await t.as('manager')).headers, body: { name: 'x' } })).status).toBe(403);
    for (const [method, url, body] of [
      ['GET', `/api/signin/sites/${site.id}`, undefined],
      ['PATCH', `/api/signin/sites/${site.id}`, { name: 'Stolen' }],
      ['POST', `/api/signin/sites/${site.id}/archive`, undefined],
      ['POST', `/api/signin/sites/${site.id}/restore`, undefined],
      ['PUT', `/api/signin/sites/${site.id}/groups`, { groupIds: [] }],
    ] as const) {
      const r = await call(env.app, method, url, { headers: other.owner.headers, body });
      expect(r.status, `${method} ${url}`).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
  });

  it('creates, changes and archives a site, validating the time zone, with audit rows', async () => {
    const t = await createTestTenant(env);
    const bad = await call(env.app, 'POST', '/api/signin/sites', { headers: t.owner.headers, body: { name: 'North', timezone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('body.timezone');
    const created = await call(env.app, 'POST', '/api/signin/sites', { headers: t.owner.headers, body: { name: 'North <b>School</b>', address: '1 High St', timezone: 'America/New_York' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'North <b>School</b>', timezone: 'America/New_York', archived: false, groups: [] });
    const patched = await call(env.app, 'PATCH', `/api/signin/sites/${created.body.id}`, { headers: t.owner.headers, body: { timezone: 'Europe/Paris' } });
    expect(patched.body.timezone).toBe('Europe/Paris');
    for (const body of [{}, { nothing: 1 }]) {
      const empty = await call(env.app, 'PATCH', `/api/signin/sites/${created.body.id}`, { headers: t.owner.headers, body });
      expect(empty.status).toBe(400);
      expect(empty.body.error).toMatchObject({ code: 'validation_failed', field: 'body' });
    }
    const archived = await call(env.app, 'POST', `/api/signin/sites/${created.body.id}/archive`, { headers: t.owner.headers });
    expect(archived.body.archived).toBe(true);
    expect((await call(env.app, 'GET', '/api/signin/sites', { headers: t.owner.headers })).body.items).toHaveLength(0);
    expect((await call(env.app, 'GET', '/api/signin/sites?archived=true', { headers: t.owner.headers })).body.items).toHaveLength(1);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.targetId, created.body.id)));
    expect(audit.map((a) => a.action).sort()).toEqual(['site.archived', 'site.created', 'site.updated']);
  });

  it('stores a time zone under its canonical name and refuses one the database does not know, writing nothing', async () => {
    const t = await createTestTenant(env);
    const lower = await call(env.app, 'POST', '/api/signin/sites', { headers: t.owner.headers, body: { name: 'East', timezone: 'europe/london' } });
    expect(lower.status).toBe(201);
    expect(lower.body.timezone).toBe('Europe/London');
    // Only the case changes: an alias or a newer name stays as given (ICU's canonical names are
    // CLDR's, Asia/Calcutta for Asia/Kolkata), and `utc` is UTC.
    for (const [given, stored] of [['US/Eastern', 'US/Eastern'], ['Asia/Kolkata', 'Asia/Kolkata'], ['Europe/Kyiv', 'Europe/Kyiv'], ['utc', 'UTC'], ['Europe/London', 'Europe/London']]) {
      const r = await call(env.app, 'PATCH', `/api/signin/sites/${lower.body.id}`, { headers: t.owner.headers, body: { timezone: given } });
      expect(r.body.timezone, given).toBe(stored);
    }
    await call(env.app, 'PATCH', `/api/signin/sites/${lower.body.id}`, { headers: t.owner.headers, body: { timezone: 'US/Eastern' } });

    // Node's Intl and the server's tzdata are two lists: a zone only Intl knows stops at the service.
    const db = env.platform.db;
    expect(await sitesRepo.knowsTimezone(db, 'Europe/London')).toBe(true);
    expect(await sitesRepo.knowsTimezone(db, 'Mars/Olympus')).toBe(false);
    await db.transaction(async (tx) => {
      expect(await sitesRepo.knowsTimezone(tx, 'Mars/Olympus')).toBe(false);
      expect(await tx.execute(sql`select 1 as one`)).toBeTruthy(); // the caller's transaction goes on
    });
    const service = createSitesService(env.platform);
    const actor = { kind: 'system' as const, id: null, label: 'test' };
    await expect(service.create(t.tenantId, { name: 'Olympus', timezone: 'Mars/Olympus' }, actor)).rejects.toMatchObject({ status: 400, code: 'unknown_timezone', details: { field: 'timezone' } });
    await expect(service.update(t.tenantId, null, lower.body.id, { timezone: 'Mars/Olympus' }, actor)).rejects.toMatchObject({ status: 400, code: 'unknown_timezone' });
    const names = (await db.select({ name: sites.name, timezone: sites.timezone }).from(sites).where(eq(sites.tenantId, t.tenantId))).map((r) => `${r.name} ${r.timezone}`);
    expect(names).toEqual(['East US/Eastern']);
  });

  it('orders the groups shown on a site and refuses another tenant\'s group', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const site = await makeSite(env, t);
    const a = await makeGroup(env, t, { name: 'A' });
    const b = await makeGroup(env, t, { name: 'B', type: 'standard' });
    const foreign = await makeGroup(env, other);
    const put = await call(env.app, 'PUT', `/api/signin/sites/${site.id}/groups`, { headers: t.owner.headers, body: { groupIds: [b.id, a.id] } });
    expect(put.status).toBe(200);
    expect(put.body.groups.map((g: { name: string }) => g.name)).toEqual(['B', 'A']);
    const bad = await call(env.app, 'PUT', `/api/signin/sites/${site.id}/groups`, { headers: t.owner.headers, body: { groupIds: [foreign.id] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('unknown_group');
  });

  it('refuses an archived group (it was left out of the answer without a word) and one group spelled twice, naming the field; the site keeps its groups', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t);
    const a = await makeGroup(env, t, { name: 'A' }, [site.id]);
    const gone = await makeGroup(env, t, { name: 'Gone' });
    expect((await call(env.app, 'POST', `/api/signin/groups/${gone.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    const archived = await call(env.app, 'PUT', `/api/signin/sites/${site.id}/groups`, { headers: t.owner.headers, body: { groupIds: [a.id, gone.id] } });
    expect([archived.status, archived.body.error.code, archived.body.error.field]).toEqual([409, 'group_archived', 'groupIds.1']);
    const twice = await call(env.app, 'PUT', `/api/signin/sites/${site.id}/groups`, { headers: t.owner.headers, body: { groupIds: [a.id, a.id.toUpperCase()] } });
    expect([twice.status, twice.body.error.code]).toEqual([400, 'duplicate_group']);
    const upper = await call(env.app, 'PUT', `/api/signin/sites/${site.id}/groups`, { headers: t.owner.headers, body: { groupIds: [a.id.toUpperCase()] } });
    expect(upper.body.groups.map((g: { id: string }) => g.id)).toEqual([a.id]);
    const now = await call(env.app, 'GET', `/api/signin/sites/${site.id}`, { headers: t.owner.headers });
    expect(now.body.groups.map((g: { name: string }) => g.name)).toEqual(['A']);
  });

  it('shows a site-scoped viewer only their sites', async () => {
    const t = await createTestTenant(env);
    const mine = await makeSite(env, t, { name: 'Mine' });
    const theirs = await makeSite(env, t, { name: 'Theirs' });
    const viewer = await t.as('viewer');
    await setScopes(env, t, viewer.id, [{ kind: 'site', refId: mine.id }]);
    const list = await call(env.app, 'GET', '/api/signin/sites', { headers: viewer.headers });
    expect(list.body.items.map((s: { name: string }) => s.name)).toEqual(['Mine']);
    expect((await call(env.app, 'GET', `/api/signin/sites/${theirs.id}`, { headers: viewer.headers })).status).toBe(404);
    expect((await call(env.app, 'GET', `/api/signin/sites/${mine.id}`, { headers: viewer.headers })).status).toBe(200);
  });

  it('restores an archived site (listed and usable again, audited once), as archive allows: tenant-wide managers only', async () => {
    const t = await createTestTenant(env);
    const site = await makeSite(env, t, { name: 'Sports centre' });
    expect((await call(env.app, 'POST', `/api/signin/sites/${site.id}/archive`, { headers: t.owner.headers })).status).toBe(200);
    const manager = await t.as('manager');
    await setScopes(env, t, manager.id, [{ kind: 'site', refId: site.id, level: 'administer' }]);
    const scoped = await call(env.app, 'POST', `/api/signin/sites/${site.id}/restore`, { headers: manager.headers });
    expect([scoped.status, scoped.body.error.code]).toEqual([403, 'forbidden']);
    expect((await call(env.app, 'POST', `/api/signin/sites/${site.id}/restore`, { headers: (await t.as('viewer')).headers })).status).toBe(403);
    expect((await call(env.app, 'GET', '/api/signin/sites', { headers: t.owner.headers })).body.items).toHaveLength(0);

    const restored = await call(env.app, 'POST', `/api/signin/sites/${site.id}/restore`, { headers: t.owner.headers });
    expect([restored.status, restored.body.archived, restored.body.name]).toEqual([200, false, 'Sports centre']);
    expect((await call(env.app, 'GET', '/api/signin/sites', { headers: t.owner.headers })).body.items.map((s: { id: string }) => s.id)).toEqual([site.id]);
    // Restoring a live site changes nothing and says so in no audit row.
    const again = await call(env.app, 'POST', `/api/signin/sites/${site.id}/restore`, { headers: t.owner.headers });
    expect([again.status, again.body.archived]).toEqual([200, false]);
    const audit = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.targetId, site.id)));
    expect(audit.map((a) => a.action).sort()).toEqual(['site.archived', 'site.created', 'site.restored']);
    // Usable again: a group can be shown on it (an archived site refuses that).
    expect((await call(env.app, 'POST', '/api/signin/groups', { headers: t.owner.headers, body: { name: 'Staff', type: 'repeat', siteIds: [site.id] } })).status).toBe(201);
  });
});
