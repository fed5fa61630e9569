import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call } from '../../../../test/factories.js';
import { scimFixture, type ScimFixture } from '../fixtures/setup.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { JOB_SCHEMA } from '../../../platform/jobs/pgboss.js';
import { IMPORT_NEW_MEMBERS_JOB } from '../../integration/index.js';
import { createScimUsersService, type ScimCaller } from './users.service.js';

// Every statement sent through the database adapter: which PATCHes shared a statement.
const sent: string[] = [];
const env = useTestEnv({ onStatement: (sql) => sent.push(sql) });

/** A many-user `active` statement (decision 048): the users locked by an array of ids. */
const isBatch = (sql: string) => /from "scim_users" where .*= any\(\$\d+::uuid\[\]\).* for update/is.test(sql);
const patchActive = (active: boolean) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active } }] });

async function users(f: ScimFixture, prefix: string, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await f.scim('POST', '/Users', { userName: `${prefix}${i}@example.test` })).body.id as string);
  return ids;
}

const auditsOf = (f: ScimFixture, id: string) =>
  env.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, f.t.tenantId), eq(auditLog.targetId, id)));

describe('SCIM PATCHes of active that arrive together are written together (decision 048)', () => {
  it('each PATCH gets what it would alone: changed users archived once with their own request id, unknown, removed and other groups’ users 404, a user twice changed once', async () => {
    const f = await scimFixture(env);
    const other = await scimFixture(env, f.t);
    const ids = await users(f, 'p', 7);
    const theirs = (await users(other, 'theirs', 1))[0]!;
    expect((await f.scim('PATCH', `/Users/${ids[6]}`, patchActive(false))).status).toBe(200); // already inactive
    expect((await f.scim('DELETE', `/Users/${ids[5]}`)).status).toBe(204);
    const s = createScimUsersService({ db: env.platform.db, database: env.platform.database, now: env.platform.now, members: env.contexts.signin.members });
    const c = (requestId: string): ScimCaller => ({ tenantId: f.t.tenantId, groupId: f.groupId, actor: { kind: 'scim', id: null, label: 'SCIM (Staff)', requestId } });
    const base = `http://threshold.test${f.base}`;
    const asked = [ids[0]!, ids[1]!, ids[2]!.toUpperCase(), ids[0]!.toUpperCase(), '00000000-0000-4000-8000-000000000000', ids[5]!, theirs, ids[6]!, 'not-a-uuid', ids[3]!, ids[4]!];
    const from = sent.length;
    const settled = await Promise.allSettled(asked.map((id, i) => s.patchActive(c(`req-${i}`), id, patchActive(false), undefined, base)));
    expect(sent.slice(from).filter(isBatch).length).toBeGreaterThan(0);
    const shown = settled.map((r) => (r.status === 'fulfilled' ? JSON.parse(r.value!.json) : { status: (r.reason as { status: number }).status }));
    for (const i of [0, 1, 2, 3, 9, 10]) expect(shown[i]).toMatchObject({ id: asked[i]!.toLowerCase(), active: false, meta: { version: 'W/"2"' } });
    for (const i of [4, 5, 6, 8]) expect(shown[i]).toEqual({ status: 404 });
    expect(shown[7]).toMatchObject({ id: ids[6], active: false, meta: { version: 'W/"2"' } });
    for (const [i, id] of [ids[0]!, ids[1]!, ids[2]!, ids[3]!, ids[4]!].entries()) {
      expect(JSON.parse((await s.get(c('x'), id, base)).json)).toEqual(shown[[0, 1, 2, 9, 10][i]!]);
      const member = await env.contexts.signin.members.get(env.platform.db, f.t.tenantId, id);
      expect(member?.archivedAt).toBeInstanceOf(Date);
      const archived = (await auditsOf(f, id)).filter((a) => a.action === 'member.archived');
      expect(archived).toHaveLength(1);
      expect(archived[0]!.requestId).toBe(`req-${[0, 1, 2, 9, 10][i]}`);
    }
    // The already inactive user: nothing written, no second audit row.
    expect((await auditsOf(f, ids[6]!)).filter((a) => a.action === 'member.archived')).toHaveLength(1);
    // Another group's user is untouched.
    expect(JSON.parse((await s.get({ ...c('x'), groupId: other.groupId }, theirs, `http://threshold.test${other.base}`)).json)).toMatchObject({ active: true, meta: { version: 'W/"1"' } });

    // False and true together: each value its own batch, each PATCH its own answer.
    const back = await Promise.all([ids[0]!, ids[1]!, ids[2]!].map((id, i) => s.patchActive(c(`back-${i}`), id, patchActive(true), undefined, base)));
    const more = await Promise.all([
      ...[ids[0]!, ids[1]!].map((id) => s.patchActive(c('off'), id, patchActive(false), undefined, base)),
      ...[ids[3]!, ids[4]!].map((id) => s.patchActive(c('on'), id, patchActive(true), undefined, base)),
    ]);
    expect(back.map((b) => JSON.parse(b!.json) as { active: boolean; meta: { version: string } }).map((b) => [b.active, b.meta.version])).toEqual([
      [true, 'W/"3"'],
      [true, 'W/"3"'],
      [true, 'W/"3"'],
    ]);
    expect(more.map((b) => JSON.parse(b!.json) as { active: boolean; meta: { version: string } }).map((b) => [b.active, b.meta.version])).toEqual([
      [false, 'W/"4"'],
      [false, 'W/"4"'],
      [true, 'W/"3"'],
      [true, 'W/"3"'],
    ]);
    for (const id of [ids[3]!, ids[4]!]) expect((await env.contexts.signin.members.get(env.platform.db, f.t.tenantId, id))?.archivedAt).toBeNull();
  });

  it('through HTTP, PATCHes sent together answer as alone (batched on PostgreSQL), each audit row naming its own request', async () => {
    const f = await scimFixture(env);
    const ids = await users(f, 'h', 8);
    const from = sent.length;
    const answers = await Promise.all(ids.map((id) => f.scim('PATCH', `/Users/${id}`, patchActive(false))));
    for (const [i, a] of answers.entries()) {
      expect(a.status).toBe(200);
      expect(a.body).toMatchObject({ id: ids[i], active: false, meta: { version: 'W/"2"' } });
      expect(a.headers.etag).toBe('W/"2"');
      expect((await f.scim('GET', `/Users/${ids[i]}`)).body).toEqual(a.body);
      const archived = (await auditsOf(f, ids[i]!)).filter((x) => x.action === 'member.archived');
      expect(archived.map((x) => x.requestId)).toEqual([a.headers['x-request-id']]);
    }
    // PGlite runs a statement to its end before another request gets as far: no batch there.
    expect(sent.slice(from).some(isBatch)).toBe(env.platform.database.kind === 'postgres');
    // The batches wrote: fewer PATCHes were written alone than were sent (a failed batch leaves all).
    const alone = sent.slice(from).filter((st) => /^with "b" as \(select .* from "scim_users" .*"member_id" = \$\d+\) for update/is.test(st.trim())).length;
    expect(alone < ids.length).toBe(env.platform.database.kind === 'postgres');
  });

  it('in a group linked to the record, members restored in one batch are each imported again (the listeners hear them all)', async () => {
    const f = await scimFixture(env);
    const org = await call(env.app, 'POST', '/api/record/organisations', { headers: f.t.owner.headers, body: { name: 'Linked School', type: 'maintained' } });
    expect((await call(env.app, 'PUT', `/api/integration/groups/${f.groupId}/link`, { headers: f.t.owner.headers, body: { organisationId: org.body.id } })).status).toBe(200);
    const ids = await users(f, 'l', 4);
    const s = createScimUsersService({ db: env.platform.db, database: env.platform.database, now: env.platform.now, members: env.contexts.signin.members });
    const c: ScimCaller = { tenantId: f.t.tenantId, groupId: f.groupId, actor: { kind: 'scim', id: null, label: 'SCIM (Staff)' } };
    const base = `http://threshold.test${f.base}`;
    await Promise.all(ids.map((id) => s.patchActive(c, id, patchActive(false), undefined, base)));
    const from = sent.length;
    const back = await Promise.all(ids.map((id) => s.patchActive(c, id, patchActive(true), undefined, base)));
    expect(sent.slice(from).filter(isBatch).length).toBeGreaterThan(0);
    // Begun in one tick: two alone (the batches under way), the rest in a batch that wrote.
    expect(sent.slice(from).filter((st) => /^with "b" as \(select .* from "scim_users" .*"member_id" = \$\d+\) for update/is.test(st.trim())).length).toBeLessThan(ids.length);
    expect(back.map((b) => (JSON.parse(b!.json) as { active: boolean }).active)).toEqual([true, true, true, true]);
    for (const id of ids) {
      const { rows } = await env.platform.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data::text LIKE $2`, [IMPORT_NEW_MEMBERS_JOB, `%${id}%`]);
      expect(rows[0]!.n).toBe(2); // made, then restored
    }
  });
});
