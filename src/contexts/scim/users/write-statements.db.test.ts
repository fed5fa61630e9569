import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { scimFixture, type ScimFixture } from '../fixtures/setup.js';

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

describe('SCIM writes send few statements (decisions 025, 029)', () => {
  it('a create in a group the integration does not use: the member with its audit row, the SCIM user, in one transaction', async () => {
    const f = await scimFixture(env);
    // The first write of a tenant reads which of its groups are linked (kept in memory after).
    expect((await f.scim('POST', '/Users', { userName: 'first@example.test' })).status).toBe(201);
    await warm(f);
    const { res, statements } = await statementsOf(() => f.scim('POST', '/Users', { userName: 'ada@example.test', name: { givenName: 'Ada', familyName: 'L' } }));
    expect(res.status).toBe(201);
    expect(kinds(statements)).toEqual(inOneTransaction(['member + audit insert', 'scim user insert']));
  });

  it('active false: the user locked and set in one statement, the member archived with its audit row', async () => {
    const f = await scimFixture(env);
    const made = await f.scim('POST', '/Users', { userName: 'bob@example.test' });
    await warm(f);
    const id = made.body.id as string;
    const { res, statements } = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, patchActive(false)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: false, meta: { version: 'W/"2"' } });
    expect(kinds(statements)).toEqual(inOneTransaction(['scim user locked and active set', 'member + audit update']));
    const member = () => env.contexts.signin.members.get(env.platform.db, f.t.tenantId, id);
    expect((await member())?.archivedAt).toBeInstanceOf(Date);
    // Again: nothing changes (no version, no member write, no audit row).
    const again = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, patchActive(false)));
    expect(again.res.body).toMatchObject({ active: false, meta: { version: 'W/"2"' } });
    expect(kinds(again.statements)).toEqual(inOneTransaction(['scim user locked and active set']));
    // And back: the member restored.
    const back = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, patchActive(true)));
    expect(back.res.body).toMatchObject({ active: true, meta: { version: 'W/"3"' } });
    expect(kinds(back.statements)).toEqual(inOneTransaction(['scim user locked and active set', 'member + audit update']));
    expect((await member())?.archivedAt).toBeNull();
    // Entra's form ("path": "active", "value": "False") takes the same path.
    const entra = await statementsOf(() => f.scim('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }));
    expect(entra.res.body).toMatchObject({ active: false, meta: { version: 'W/"4"' } });
    expect(kinds(entra.statements)).toEqual(inOneTransaction(['scim user locked and active set', 'member + audit update']));
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
