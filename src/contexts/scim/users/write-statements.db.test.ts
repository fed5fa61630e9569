import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { waitFor } from '../../../../test/wait.js';
import { scimFixture, type ScimFixture } from '../fixtures/setup.js';

// Every statement sent through the database adapter.
const sent: string[] = [];
const env = useTestEnv({ onStatement: (sql) => sent.push(sql) });

/** The statements a SCIM write sent (the SCIM request log and rate limits, written behind, apart). */
async function statementsOf<T>(fn: () => Promise<T>) {
  const from = sent.length;
  const res = await fn();
  return { res, statements: sent.slice(from).filter((sql) => !/scim_request_log|rate_counters|scim_token_buckets/i.test(sql)) };
}

/**
 * Until the group's credential is served from memory: a lookup overtaken by the notification of the
 * fixture's new token is (rightly) not kept, so one warm-up request is not always enough.
 */
async function warm(f: ScimFixture) {
  await waitFor(async () => (await statementsOf(() => f.scim('GET', '/Users?count=1'))).statements.every((s) => !/from "(groups|scim_tokens)"/i.test(s)), { what: 'the SCIM credential cached' });
}

describe('SCIM writes send few statements (decision 025)', () => {
  it('a create in an unlinked group: no savepoint, no group read apart, no import job', async () => {
    const f = await scimFixture(env);
    await warm(f);
    const { res, statements } = await statementsOf(() => f.scim('POST', '/Users', { userName: 'ada@example.test', name: { givenName: 'Ada', familyName: 'L' } }));
    expect(res.status).toBe(201);
    expect(statements.filter((s) => /savepoint/i.test(s))).toEqual([]);
    expect(statements.filter((s) => /pgboss\.job/i.test(s) && /insert/i.test(s))).toEqual([]);
    expect(statements.filter((s) => /insert into "members"/i.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /insert into "audit_log"/i.test(s))).toHaveLength(1);
  });

  it('active false: the member is checked and archived by one UPDATE, no savepoint, no member or group read, one SCIM column set', async () => {
    const f = await scimFixture(env);
    const made = await f.scim('POST', '/Users', { userName: 'bob@example.test' });
    await warm(f);
    const { res, statements } = await statementsOf(() => f.scim('PATCH', `/Users/${made.body.id as string}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] }));
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect(statements.filter((s) => /savepoint/i.test(s))).toEqual([]);
    expect(statements.filter((s) => /^\s*select\b.*\bfrom "(members|groups)"/is.test(s))).toEqual([]);
    expect(statements.filter((s) => /^\s*update "members"/i.test(s))).toHaveLength(1);
    // Only the column that changed is set on the SCIM user.
    const scimUpdates = statements.filter((s) => /^\s*update "scim_users"/i.test(s));
    expect(scimUpdates).toHaveLength(1);
    expect(scimUpdates[0]).toMatch(/set "active" = \$1, "version" = /);
  });
});
