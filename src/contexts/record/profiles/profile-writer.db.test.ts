import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { createTestTenant } from '../../../../test/factories.js';
import { recordTenant } from '../../../../test/record-fixtures.js';
import { recordProfileHistory } from '../record.tables.js';
import { createRecordPort } from '../port.js';
import { inTransaction } from '../../../platform/db/tx.js';

const env = useTestEnv();

describe("the record's one profile writer, set-wise", () => {
  it('many profiles with different values of the same columns: each gets its own values, version and history; a stale ifVersion in the batch is a 409', async () => {
    const t = await createTestTenant(env);
    const r = await recordTenant(env, t);
    const port = createRecordPort({ db: env.platform.db });
    const db = env.platform.db;
    const made = await port.createProfiles(
      db,
      t.tenantId,
      ['Ann', 'Ben', 'Cat', 'Dan'].map((firstName) => ({ organisationId: r.org.id, profileTypeId: r.typeId('teaching'), firstName, lastName: 'Old', role: 'Teacher' })),
    );
    const [ann, ben, cat, dan] = made;
    const at = new Date();
    // Cat and Dan are checked against a version in the same statement: Dan's is stale, so the
    // port refuses the whole change with a 409 and the caller's transaction keeps nothing.
    const refused = await inTransaction(db, (tx) =>
      port.applyPatches(
        tx,
        t.tenantId,
        [
          { profile: ann!, patch: { set: { lastName: 'Alpha', role: 'Head' }, at } },
          { profile: cat!, patch: { set: { lastName: 'Gamma', role: 'Caretaker' }, at, ifVersion: cat!.version } },
          { profile: dan!, patch: { set: { lastName: 'Delta', role: 'Chef' }, at, ifVersion: dan!.version + 5 } },
        ],
        { id: null, label: 'test' },
      ),
    ).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 409, code: 'version_conflict' });
    expect((await port.profiles(db, t.tenantId, [ann!.id, cat!.id, dan!.id])).map((p) => [p.lastName, p.version])).toEqual([
      ['Old', 1],
      ['Old', 1],
      ['Old', 1],
    ]);

    const ok = await port.applyPatches(
      db,
      t.tenantId,
      [
        { profile: ann!, patch: { set: { lastName: 'Alpha', role: 'Head' }, at } },
        { profile: ben!, patch: { set: { lastName: 'Beta', role: 'Cook' }, at } },
        { profile: cat!, patch: { set: { lastName: 'Gamma' }, at } },
      ],
      { id: null, label: 'test' },
    );
    expect(ok.map((p) => [p.firstName, p.lastName, p.role, p.version])).toEqual([
      ['Ann', 'Alpha', 'Head', 2],
      ['Ben', 'Beta', 'Cook', 2],
      ['Cat', 'Gamma', 'Teacher', 2],
    ]);
    const lines = await db
      .select()
      .from(recordProfileHistory)
      .where(and(eq(recordProfileHistory.tenantId, t.tenantId), inArray(recordProfileHistory.profileId, [ann!.id, ben!.id, cat!.id])));
    const of = (id: string) => lines.filter((l) => l.profileId === id).map((l) => [l.field, l.before, l.after, l.version]).sort();
    expect(of(ann!.id)).toEqual([
      ['lastName', 'Old', 'Alpha', 2],
      ['role', 'Teacher', 'Head', 2],
    ]);
    expect(of(ben!.id)).toEqual([
      ['lastName', 'Old', 'Beta', 2],
      ['role', 'Teacher', 'Cook', 2],
    ]);
    expect(of(cat!.id)).toEqual([['lastName', 'Old', 'Gamma', 2]]);
    expect((await port.profile(db, t.tenantId, dan!.id))!.lastName).toBe('Old');
  });
});
