import { count, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { createTestTenant } from '../../../test/factories.js';
import { auditLog } from '../audit/audit.tables.js';
import { recordAudit, systemActor } from '../audit/audit.js';
import { inTransaction } from './tx.js';
import { preparedStatement } from './prepared.js';

const env = useTestEnv();

describe('preparedStatement (built once, run on the database or in a transaction)', () => {
  it("runs in the caller's transaction, on its connection, and maps rows as drizzle does", async () => {
    const { db } = env.platform;
    const t = await createTestTenant(env);
    const counted = preparedStatement(db, 'test_prepared_audit_count', (d) => d.select({ n: count() }).from(auditLog).where(eq(auditLog.tenantId, sql.placeholder('tenantId'))));
    const rows = preparedStatement(db, 'test_prepared_audit_rows', (d) => d.select().from(auditLog).where(eq(auditLog.tenantId, sql.placeholder('tenantId'))));
    const before = (await counted.execute(db, { tenantId: t.tenantId }))[0]!.n;
    await inTransaction(db, async (tx) => {
      await recordAudit(tx, t.tenantId, systemActor, { action: 'test.prepared', summary: 'in the transaction' });
      // The transaction's own uncommitted row is seen: the statement ran on its connection.
      expect((await counted.execute(tx, { tenantId: t.tenantId }))[0]!.n).toBe(before + 1);
      const mine = (await rows.execute(tx, { tenantId: t.tenantId })).find((r) => r.action === 'test.prepared');
      expect(mine?.at).toBeInstanceOf(Date);
      expect(mine?.data).toEqual({});
      // On PostgreSQL another connection does not see it yet (PGlite has one connection).
      if (env.platform.database.kind === 'postgres') expect((await counted.execute(db, { tenantId: t.tenantId }))[0]!.n).toBe(before);
      throw new Error('roll back');
    }).catch((err: Error) => expect(err.message).toBe('roll back'));
    expect((await counted.execute(db, { tenantId: t.tenantId }))[0]!.n).toBe(before);
    // Again in a second transaction (a new connection session, the same statement).
    await inTransaction(db, async (tx) => {
      await recordAudit(tx, t.tenantId, systemActor, { action: 'test.prepared', summary: 'kept' });
      expect((await counted.execute(tx, { tenantId: t.tenantId }))[0]!.n).toBe(before + 1);
    });
    expect((await counted.execute(db, { tenantId: t.tenantId }))[0]!.n).toBe(before + 1);
  });
});
