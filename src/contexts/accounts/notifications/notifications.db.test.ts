import { afterAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { waitFor } from '../../../../test/wait.js';
import { users } from '../accounts.tables.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { createLogger } from '../../../platform/logger.js';
import { createJobQueue, JOB_SCHEMA } from '../../../platform/jobs/pgboss.js';
import type { Mail, Mailer } from '../../../platform/notifications/mailer.js';
import { NOTIFICATION_EMAIL_JOB, notifyRole, notifyUsers, registerNotificationJobs } from './notify.js';
import { systemActor } from '../../../platform/audit/audit.js';

const env = useTestEnv();
const worker = { stop: async () => {} };
afterAll(() => worker.stop());

const msg = (title: string) => ({ title, body: `Body of ${title}`, link: '/signin/visits' });

describe('notifications', () => {
  it('needs a signed-in user: 401 without credentials, 403 for an API key', async () => {
    const t = await createTestTenant(env);
    expect((await call(env.app, 'GET', '/api/notifications')).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/notifications/read-all')).status).toBe(401);
    const { apiKey } = await env.contexts.accounts.service.createApiKey(t.tenantId, { name: 'ci' }, systemActor);
    const res = await call(env.app, 'GET', '/api/notifications', { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(403);
  });

  it("lists only the user's own notifications and answers 404 for another user's or tenant's id", async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const viewer = await t.as('viewer');
    const [mine] = await inTransaction(env.platform.db, (tx) => notifyUsers(tx, env.platform, t.tenantId, [viewer.id], msg('For the viewer')));
    const [owners] = await inTransaction(env.platform.db, (tx) => notifyUsers(tx, env.platform, t.tenantId, [t.owner.id], msg('For the owner')));
    const [foreign] = await inTransaction(env.platform.db, (tx) => notifyUsers(tx, env.platform, other.tenantId, [other.owner.id], msg('Elsewhere')));

    const list = await call(env.app, 'GET', '/api/notifications', { headers: viewer.headers });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      items: [{ id: mine, title: 'For the viewer', body: 'Body of For the viewer', link: '/signin/visits', createdAt: expect.any(String), readAt: null }],
      unread: 1,
    });
    for (const id of [owners, foreign, '00000000-0000-4000-8000-000000000000']) {
      const res = await call(env.app, 'POST', `/api/notifications/${id}/read`, { headers: viewer.headers });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const ownerList = await call(env.app, 'GET', '/api/notifications', { headers: t.owner.headers });
    expect(ownerList.body.items[0].readAt).toBeNull();
  });

  it('marks one read, then all read', async () => {
    const t = await createTestTenant(env);
    const ids = await inTransaction(env.platform.db, async (tx) => [
      ...(await notifyUsers(tx, env.platform, t.tenantId, [t.owner.id], msg('One'))),
      ...(await notifyUsers(tx, env.platform, t.tenantId, [t.owner.id], msg('Two'))),
      ...(await notifyUsers(tx, env.platform, t.tenantId, [t.owner.id], msg('Three'))),
    ]);
    const one = await call(env.app, 'POST', `/api/notifications/${ids[0]}/read`, { headers: t.owner.headers });
    expect(one.status).toBe(200);
    expect(one.body.readAt).toEqual(expect.any(String));
    expect((await call(env.app, 'GET', '/api/notifications', { headers: t.owner.headers })).body.unread).toBe(2);
    const all = await call(env.app, 'POST', '/api/notifications/read-all', { headers: t.owner.headers });
    expect(all.body).toEqual({ updated: 2 });
    const after = await call(env.app, 'GET', '/api/notifications', { headers: t.owner.headers });
    expect(after.body.unread).toBe(0);
    expect(after.body.items.every((i: { readAt: string | null }) => i.readAt)).toBe(true);
  });

  it('notifies a role, skipping other tenants and disabled users, and queues nothing when rolled back', async () => {
    const t = await createTestTenant(env);
    const other = await createTestTenant(env);
    const admin = await t.as('admin');
    const gone = await t.as('manager');
    await env.platform.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, gone.id));
    const ids = await inTransaction(env.platform.db, (tx) => notifyRole(tx, env.platform, t.tenantId, ['owner', 'admin', 'manager'], msg('Heads up')));
    expect(ids).toHaveLength(2);
    const crossed = await inTransaction(env.platform.db, (tx) => notifyUsers(tx, env.platform, t.tenantId, [other.owner.id], msg('Wrong tenant')));
    expect(crossed).toEqual([]);
    expect((await call(env.app, 'GET', '/api/notifications', { headers: admin.headers })).body.unread).toBe(1);
    expect((await call(env.app, 'GET', '/api/notifications', { headers: t.owner.headers })).body.unread).toBe(1);

    const before = await emailJobs();
    await expect(
      inTransaction(env.platform.db, async (tx) => {
        await notifyRole(tx, env.platform, t.tenantId, ['owner'], msg('Never'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow();
    expect(await emailJobs()).toBe(before);
    expect((await call(env.app, 'GET', '/api/notifications', { headers: t.owner.headers })).body.unread).toBe(1);
  });

  it('emails each recipient through the job worker', async () => {
    const t = await createTestTenant(env);
    const admin = await t.as('admin');
    const sent: Mail[] = [];
    const mailer: Mailer = { send: async (m) => void sent.push(m) };
    const jobs = createJobQueue(env.platform.database, createLogger('silent'), { pollingIntervalSeconds: 0.5 });
    worker.stop = () => jobs.stop();
    const platform = { ...env.platform, mailer, jobs };
    await registerNotificationJobs(platform);
    await jobs.start();
    await inTransaction(platform.db, (tx) => notifyUsers(tx, platform, t.tenantId, [t.owner.id, admin.id], msg('Check due')));
    await waitFor(() => sent.filter((m) => m.subject === 'Check due').length === 2, { what: 'two emails' });
    const mine = sent.filter((m) => m.subject === 'Check due').sort((a, b) => a.to.localeCompare(b.to));
    expect(mine.map((m) => m.to)).toEqual([admin.email, t.owner.email].sort());
    expect(mine[0]!.text).toBe(`Body of Check due\n\n${env.config.publicUrl}/signin/visits`);
  });
});

async function emailJobs(): Promise<number> {
  const { rows } = await env.platform.database.query<{ n: string }>(`SELECT count(*) AS n FROM ${JOB_SCHEMA}.job WHERE name = $1`, [NOTIFICATION_EMAIL_JOB]);
  return Number(rows[0]!.n);
}
