import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { createTestTenant } from '../../../../test/factories.js';
import { makeGroup, makeMember } from '../../../../test/signin-factories.js';

const env = useTestEnv();

/** The error PostgreSQL gave a statement (drizzle wraps it: the driver's error is its cause). */
async function refusal(statement: Promise<unknown>): Promise<{ code?: string; constraint?: string }> {
  try {
    await statement;
  } catch (err) {
    const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
    return { code: e.cause?.code ?? e.code, constraint: e.cause?.constraint ?? e.constraint };
  }
  throw new Error('the statement was not refused');
}

describe('members and SCIM users name their group’s tenant (decision 047)', () => {
  it('the database refuses a member or SCIM user whose tenant is not its group’s', async () => {
    const [a, b] = [await createTestTenant(env), await createTestTenant(env)];
    const g = await makeGroup(env, a);
    const db = env.platform.db;
    // A member of tenant a's group written as tenant b's: both ids exist, only the pair is wrong.
    expect(
      await refusal(db.execute(sql`insert into members (tenant_id, group_id, full_name, qr_token) values (${b.tenantId}, ${g.id}, 'Wrong Tenant', ${`qr-${g.id}`})`)),
    ).toMatchObject({ code: '23503', constraint: 'members_group_fk' });
    const m = await makeMember(env, a, g.id);
    expect(
      await refusal(db.execute(sql`insert into scim_users (member_id, tenant_id, group_id, user_name) values (${m.id}, ${b.tenantId}, ${g.id}, 'wrong@example.org')`)),
    ).toMatchObject({ code: '23503', constraint: 'scim_users_group_fk' });
    // Moving a member to another tenant's group is refused the same way.
    const other = await makeGroup(env, b);
    expect(await refusal(db.execute(sql`update members set group_id = ${other.id} where id = ${m.id}`))).toMatchObject({ code: '23503', constraint: 'members_group_fk' });
  });
});
