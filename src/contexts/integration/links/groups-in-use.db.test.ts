import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { call } from '../../../../test/factories.js';
import { buildApp } from '../../../app.js';
import { JOB_SCHEMA } from '../../../platform/jobs/pgboss.js';
import { integrationTenant } from '../test/integration.testkit.js';
import { IMPORT_NEW_MEMBERS_JOB, SYNC_PERSON_JOB } from '../index.js';
import { peopleRepo } from '../people/people.repo.js';

// Every statement sent through the database adapter; cached for an hour, so only a drop refreshes what is known.
const sent: string[] = [];
const env = useTestEnv({ configOverrides: { authCacheSeconds: 3600 }, onStatement: (s) => sent.push(s) });
const others: FastifyInstance[] = [];
afterAll(async () => {
  for (const a of others) await a.close();
});

async function statementsOf(fn: () => Promise<unknown>) {
  const from = sent.length;
  await fn();
  return sent.slice(from);
}
const touchesIntegration = (statements: string[]) => statements.filter((s) => /integration_|pgboss/i.test(s));

async function jobsFor(name: string, key: string, value: string) {
  const { rows } = await env.platform.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data::text LIKE $2`, [name, `%"${key}"%${value}%`]);
  return rows[0]!.n;
}

describe("the tenants' groups in use, known from memory (decision 029)", () => {
  it('a member change in a group the integration does not use reads nothing of it; a link and an unlink are seen at once; people linked in an unlinked group still queue their sync', async () => {
    const x = await integrationTenant(env);
    const g = await x.group({ name: 'Staff', type: 'repeat' });
    await x.member(g.id, { fullName: 'Warm Up' });
    expect(touchesIntegration(await statementsOf(() => x.member(g.id, { fullName: 'Ann Quiet' })))).toEqual([]);

    await x.link(g.id);
    const bea = await x.member(g.id, { fullName: 'Bea Linked' });
    expect(await jobsFor(IMPORT_NEW_MEMBERS_JOB, 'memberIds', bea.id)).toBe(1);

    // Bea's person link, then the group unlinked: a change of Bea still queues her sync.
    const profile = await x.profile({ firstName: 'Bea', lastName: 'Linked' });
    await peopleRepo.insertLinks(env.platform.db, [{ tenantId: x.t.tenantId, memberId: bea.id, profileId: profile.id, groupId: g.id, source: 'import' }]);
    expect((await call(env.app, 'DELETE', `/api/integration/groups/${g.id}/link`, { headers: x.h })).status).toBe(204);
    const cal = await x.member(g.id, { fullName: 'Cal Unlinked' });
    expect(await jobsFor(IMPORT_NEW_MEMBERS_JOB, 'memberIds', cal.id)).toBe(0);
    await x.members.archive(env.platform.db, x.t.tenantId, bea.id, { kind: 'system', id: null, label: 'test' }, 'portal');
    expect(await jobsFor(SYNC_PERSON_JOB, 'tenantId', x.t.tenantId)).toBe(1);
  });

  it('another instance learns of a new link through the notification', async () => {
    const x = await integrationTenant(env);
    const g = await x.group({ name: 'Visitors', type: 'repeat' });
    const b = await buildApp(env.platform, { logger: false, serveWeb: false });
    others.push(b);
    await b.ready();
    const add = async (fullName: string) => {
      const r = await call(b, 'POST', `/api/signin/groups/${g.id}/members`, { headers: x.h, body: { fullName } });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    // Instance b knows the group as unlinked (for an hour, unless told).
    expect(await jobsFor(IMPORT_NEW_MEMBERS_JOB, 'memberIds', await add('Before Link'))).toBe(0);
    await x.link(g.id); // through env.app, the other instance
    await waitFor(async () => (await jobsFor(IMPORT_NEW_MEMBERS_JOB, 'memberIds', await add('After Link'))) === 1, { what: 'instance b to queue the import of a member of the newly linked group' });
  });
});
