import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { scimFixture, type ScimFixture } from '../fixtures/setup.js';
import { call } from '../../../../test/factories.js';
import { JOB_SCHEMA } from '../../../platform/jobs/pgboss.js';
import { IMPORT_NEW_MEMBERS_JOB } from '../../integration/index.js';
import { scimUsers } from '../scim.tables.js';
import { eq } from 'drizzle-orm';
import { systemActor } from '../../../platform/audit/audit.js';

// Every statement sent through the database adapter, BEGIN and COMMIT included.
const sent: string[] = [];
const env = useTestEnv({ onStatement: (sql) => sent.push(sql) });

/** The statements a SCIM write sent (the SCIM request log and rate limits, written behind, apart). */
async function statementsOf<T>(fn: () => Promise<T>) {
  const from = sent.length;
  const res = await fn();
  return { res, statements: sent.slice(from).filter((sql) => !/scim_request_log|rate_counters|scim_rate_buckets|pg_notify/i.test(sql)) };
}

/**
 * Until the group's credential is served from memory: a lookup overtaken by the notification of the
 * fixture's new token is (rightly) not kept, so one warm-up request is not always enough.
 */
async function warm(f: ScimFixture) {
  await waitFor(async () => (await statementsOf(() => f.scim('GET', '/Users?count=1'))).statements.every((s) => !/from "(groups|scim_tokens)"/i.test(s)), { what: 'the SCIM credential cached' });
}

/** What each statement is, by its start (the decision's list). */
const kinds = (statements: string[]) =>
  statements.map((s) => {
    const t = s.trim().toLowerCase();
    if (t === 'begin' || t === 'commit' || t === 'rollback') return t;
    if (t.startsWith('with "m" as (insert into "members"') && t.includes('insert into "audit_log"') && t.includes('"s" as (insert into "scim_users"')) return 'member + audit + scim user insert';
    if (/^with "b" as \(select .* from "scim_users" .* for update\), "m" as \(update "members" .*"a" as \(insert into "audit_log".*"u" as \(update "scim_users" set "active" = /s.test(t)) return 'scim user locked, member + audit update, scim user set';
    if (t.startsWith('with "m" as (insert into "members"') && t.includes('insert into "audit_log"')) return 'member + audit insert';
    if (t.startsWith('with "m" as (update "members"') && t.includes('insert into "audit_log"')) return 'member + audit update';
    if (t.startsWith('insert into "scim_users"')) return 'scim user insert';
    if (/^select .* from "scim_users" .* for update$/s.test(t)) return 'scim user locked read';
    if (t.startsWith('update "scim_users" set "active" = $1, "version" =')) return 'scim user active update';
    if (/^with "b" as \(select .* from "scim_users" .* for update\), "u" as \(update "scim_users" set "active" = /s.test(t)) return 'scim user locked and active set';
    return s;
  });

/** One transaction: its BEGIN and COMMIT are statements on PostgreSQL (PGlite's transaction sends them unseen). */
const inOneTransaction = (statements: string[]) => (env.platform.database.kind === 'postgres' ? ['begin', ...statements, 'commit'] : statements);

const patchActive = (active: boolean) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active } }] });

describe('SCIM writes send few statements (decisions 025, 029, 033)', () => {
  it('a create in a group the integration does not use: the member with its audit row and the SCIM user, one statement and no transaction', async () => {
    const f = await scimFixture(env);
    // The first write of a tenant reads which of its groups are linked (kept in memory after).
    expect((await f.scim('POST', '/Users', { userName: 'first@example.test' })).status).toBe(201);
    await warm(f);
    const { res, statements } = await statementsOf(() => f.scim('POST', '/Users', { userName: 'ada@example.test', name: { givenName: 'Ada', familyName: 'L' } }));
    expect(res.status).toBe(201);
    expect(kinds(statements)).toEqual(['member + audit + scim user insert']);
    // Created inactive: the general path (member, user, archive in a transaction).
    const off = await statementsOf(() => f.scim('POST', '/Users', { userName: 'off@example.test', active: false }));
    expect(off.res.body).toMatchObject({ active: false });
    // (then the user read as PostgreSQL presents it, as a GET reads it: on PGlite, PREPARE once and EXECUTE)
    const inactive = inOneTransaction(['member + audit insert', 'scim user insert', 'member + audit update']);
    expect(kinds(off.statements).slice(0, inactive.length)).toEqual(inactive);
    expect(off.statements.slice(inactive.length).every((st) => /scim_user_json_by_id|from "scim_users"/.test(st))).toBe(true);
  });

  it('active false: the user locked and set, the member archived with its audit row, in one statement and no transaction', async () => {
    const f = await scimFixture(env);
    const made = await f.scim('POST', '/Users', { userName: 'bob@example.test' });
    await warm(f);
    const id = made.body.id as string;
    const { res, statements } = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, patchActive(false)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: false, meta: { version: 'W/"2"' } });
    expect(kinds(statements)).toEqual(['scim user locked, member + audit update, scim user set']);
    const member = () => env.contexts.signin.members.get(env.platform.db, f.t.tenantId, id);
    expect((await member())?.archivedAt).toBeInstanceOf(Date);
    // Again: nothing changes (no version, no member write, no audit row).
    const again = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, patchActive(false)));
    expect(again.res.body).toMatchObject({ active: false, meta: { version: 'W/"2"' } });
    expect(kinds(again.statements)).toEqual(['scim user locked, member + audit update, scim user set']);
    // And back: the member restored.
    const back = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, patchActive(true)));
    expect(back.res.body).toMatchObject({ active: true, meta: { version: 'W/"3"' } });
    expect(kinds(back.statements)).toEqual(['scim user locked, member + audit update, scim user set']);
    expect((await member())?.archivedAt).toBeNull();
    // Entra's form ("path": "active", "value": "False") takes the same path.
    const entra = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }));
    expect(entra.res.body).toMatchObject({ active: false, meta: { version: 'W/"4"' } });
    expect(kinds(entra.statements)).toEqual(['scim user locked, member + audit update, scim user set']);
    expect((await member())?.archivedAt).toBeInstanceOf(Date);
    const restored = await f.scim('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: 'True' } }] });
    expect(restored.body).toMatchObject({ active: true, meta: { version: 'W/"5"' } });
    expect((await member())?.archivedAt).toBeNull();
    // A value the engine refuses is refused the same way.
    expect((await f.scim('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: 'nope' }] })).status).toBe(400);
    // The member followed, and the GET answers what the PATCH did.
    expect((await f.scim('GET', `/Users/${id}`)).body).toEqual(restored.body);
    // With If-Match, or any other change, the general path: the locked read, then the write.
    const other = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'title', value: 'Head' }] }));
    expect(other.res.body).toMatchObject({ active: false, title: 'Head' });
    expect(kinds(other.statements).slice(0, env.platform.database.kind === 'postgres' ? 2 : 1)).toEqual(inOneTransaction(['scim user locked read']).slice(0, env.platform.database.kind === 'postgres' ? 2 : 1));
  });

  it('a member that refuses the change (removed under the user): nothing written, the general path says why', async () => {
    const f = await scimFixture(env);
    const made = await f.scim('POST', '/Users', { userName: 'dee@example.test' });
    const id = made.body.id as string;
    await env.contexts.signin.members.remove(env.platform.db, f.t.tenantId, id, systemActor, 'scim');
    const res = await f.scim('PATCH', `/Users/${id}`, patchActive(false));
    expect(res.status).toBe(404);
    const [user] = await env.platform.db.select().from(scimUsers).where(eq(scimUsers.memberId, id));
    expect(user).toMatchObject({ active: true, version: 1 });
  });

  it('in a group linked to the record the listeners hear the change: the same statement in a transaction, with their jobs', async () => {
    const f = await scimFixture(env);
    const org = await call(env.app, 'POST', '/api/record/organisations', { headers: f.t.owner.headers, body: { name: 'Linked School', type: 'maintained' } });
    expect(org.status).toBe(201);
    expect((await call(env.app, 'PUT', `/api/integration/groups/${f.groupId}/link`, { headers: f.t.owner.headers, body: { organisationId: org.body.id } })).status).toBe(200);
    await warm(f);
    const jobsOf = async (memberId: string) =>
      (await env.platform.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data::text LIKE $2`, [IMPORT_NEW_MEMBERS_JOB, `%${memberId}%`])).rows[0]!.n;
    const { res, statements } = await statementsOf(() => f.scim('POST', '/Users', { userName: 'eve@example.test' }));
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    // (The tenant's groups in use are read once more first: the link dropped what was known.)
    const opening = (list: string[]) => kinds(list).filter((k) => !/integration_/.test(k)).slice(0, env.platform.database.kind === 'postgres' ? 2 : 1);
    expect(opening(statements)).toEqual(inOneTransaction(['member + audit + scim user insert']).slice(0, env.platform.database.kind === 'postgres' ? 2 : 1));
    expect(await jobsOf(id)).toBe(1);
    expect((await f.scim('PATCH', `/Users/${id}`, patchActive(false))).body).toMatchObject({ active: false });
    // Restored in a linked group: imported again (the people listener), in the change's transaction.
    const back = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, patchActive(true)));
    expect(back.res.body).toMatchObject({ active: true, meta: { version: 'W/"3"' } });
    expect(opening(back.statements)).toEqual(inOneTransaction(['scim user locked, member + audit update, scim user set']).slice(0, env.platform.database.kind === 'postgres' ? 2 : 1));
    expect(await jobsOf(id)).toBe(2);
  });

  it('active false of an unknown or removed user is a 404, in any case of its id', async () => {
    const f = await scimFixture(env);
    const made = await f.scim('POST', '/Users', { userName: 'cy@example.test' });
    const id = made.body.id as string;
    expect((await f.scim('PATCH', `/Users/${id.toUpperCase()}`, patchActive(false))).body).toMatchObject({ active: false });
    expect((await f.scim('PATCH', '/Users/00000000-0000-4000-8000-000000000000', patchActive(false))).status).toBe(404);
    expect((await f.scim('PATCH', '/Users/not-a-uuid', patchActive(false))).status).toBe(404);
    expect((await f.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await f.scim('PATCH', `/Users/${id}`, patchActive(true))).status).toBe(404);
  });
});
