import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { systemActor } from '../../platform/audit/audit.js';
import { scimFixture, type ScimFixture } from './fixtures/setup.js';
import { createScimUsersService, type ScimCaller } from './users/users.service.js';
import { columnsFromDoc } from './users/users.repo.js';
import { members } from '../signin/signin.tables.js';
import { scimUsers } from './scim.tables.js';

/**
 * Issue 13 item 10: what a client walking 1,000 users sees when one user is added and another
 * (already seen) removed in the middle of the walk — with startIndex paging (what the README
 * describes) and with cursor paging (RFC 9865, exact).
 */
const env = useTestEnv();
const N = 1000;
const PAGE = 100;

/**
 * A SCIM group of 1,000 users. Test setup writes the rows in two statements (as fixtures/setup.ts
 * writes the group), so the test spends its time walking, not creating; the mid-walk changes go
 * through the SCIM service as an identity provider's would. The members are written straight into
 * sign-in's table (not through the MembersPort, one transaction each, at the clock's time) because
 * the walk needs 1,000 rows with creation times a second apart, in one statement.
 */
async function groupOf1000(): Promise<{ f: ScimFixture; ids: string[]; add: (userName: string) => Promise<string> }> {
  const f = await scimFixture(env);
  const service = createScimUsersService({ db: env.platform.db, database: env.platform.database, now: env.platform.now, members: env.contexts.signin.members });
  const caller: ScimCaller = { tenantId: f.t.tenantId, groupId: f.groupId, actor: systemActor };
  const add = async (userName: string) => (await service.create(caller, { userName }, f.base)).id;
  const start = Date.now() - N * 1000;
  const names = Array.from({ length: N }, (_, i) => `user${String(i).padStart(4, '0')}@example.test`);
  const rows = await env.platform.db
    .insert(members)
    .values(names.map((fullName, i) => ({ tenantId: f.t.tenantId, groupId: f.groupId, fullName, qrToken: `paging-${f.groupId}-${i}`, createdAt: new Date(start + i * 1000) })))
    .returning({ id: members.id });
  const ids = rows.map((r) => r.id);
  await env.platform.db.insert(scimUsers).values(
    names.map((userName, i) => {
      const at = new Date(start + i * 1000);
      return { ...columnsFromDoc({ userName }), memberId: ids[i]!, tenantId: f.t.tenantId, groupId: f.groupId, createdAt: at, updatedAt: at };
    }),
  );
  return { f, ids, add };
}

type Page = { totalResults: number; Resources: Array<{ id: string }>; nextCursor?: string };

async function walkByIndex(f: ScimFixture, midWalk: () => Promise<void>): Promise<{ seen: string[]; totals: number[] }> {
  const seen: string[] = [];
  const totals: number[] = [];
  for (let start = 1; ; start += PAGE) {
    const res = await f.scim('GET', `/Users?startIndex=${start}&count=${PAGE}`);
    expect(res.status).toBe(200);
    const page = res.body as Page;
    totals.push(page.totalResults);
    seen.push(...page.Resources.map((r) => r.id));
    if (start === 1 + 4 * PAGE) await midWalk(); // after the 5th page
    if (page.Resources.length < PAGE) break;
  }
  return { seen, totals };
}

async function walkByCursor(f: ScimFixture, midWalk: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '';
  for (let pageNo = 1; ; pageNo++) {
    const res = await f.scim('GET', `/Users?cursor=${cursor}&count=${PAGE}`);
    expect(res.status).toBe(200);
    const page = res.body as Page;
    seen.push(...page.Resources.map((r) => r.id));
    if (pageNo === 5) await midWalk();
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return seen;
}

describe('paging 1,000 users while they change', () => {
  it('startIndex paging skips one unseen user when a seen one leaves; cursor paging sees everyone once', { timeout: 300_000 }, async () => {
    const { f, ids, add } = await groupOf1000();

    // startIndex: after users 401–500, one joins and one already seen (the 50th) leaves.
    let joined = '';
    const byIndex = await walkByIndex(f, async () => {
      joined = await add('joined-during-index-walk@example.test');
      expect((await f.scim('DELETE', `/Users/${ids[49]}`)).status).toBe(204);
    });
    expect(byIndex.totals[0]).toBe(N);
    expect(byIndex.totals.at(-1)).toBe(N); // one in, one out
    expect(new Set(byIndex.seen).size).toBe(byIndex.seen.length); // nothing twice
    // Everything after the gap moved up one place, so the 501st user was on no page at all.
    expect(ids.filter((id) => !byIndex.seen.includes(id))).toEqual([ids[500]]);
    expect(byIndex.seen).toContain(ids[49]); // seen before it left
    expect(byIndex.seen.at(-1)).toBe(joined); // the newcomer sorts last (creation order)

    // Cursor (RFC 9865): the same kind of change, nothing skipped or repeated.
    let joined2 = '';
    const byCursor = await walkByCursor(f, async () => {
      joined2 = await add('joined-during-cursor-walk@example.test');
      expect((await f.scim('DELETE', `/Users/${ids[99]}`)).status).toBe(204);
    });
    expect(new Set(byCursor).size).toBe(byCursor.length);
    const present = [...ids.filter((id) => id !== ids[49]), joined];
    expect(present.filter((id) => !byCursor.includes(id))).toEqual([]);
    expect(byCursor).toContain(ids[99]); // seen before it left
    expect(byCursor.at(-1)).toBe(joined2);
    expect(byCursor).toHaveLength(N + 1);
  });
});
