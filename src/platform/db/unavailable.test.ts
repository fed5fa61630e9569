import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './unavailable.js';

/** A statement through drizzle on a pool whose server is not there (nothing listens on port 1). */
async function failedOnNoServer(): Promise<unknown> {
  const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2_000 });
  try {
    await drizzle(pool).execute(sql`select 1`);
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await pool.end();
  }
}

describe('isDatabaseUnavailable', () => {
  it('is true for a refused connection as drizzle throws it (the driver error in its cause)', async () => {
    const err = await failedOnNoServer();
    expect(err).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it("is true for the server's shutdown, start-up and full-house codes, class 08 and the pool's time-out; false for a statement's own errors", () => {
    const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const code of ['57P01', '57P02', '57P03', '53300', '08006', '08001', 'ECONNRESET']) expect(isDatabaseUnavailable(pgError(code)), code).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('Failed query: select 1'), { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
    for (const code of ['23505', '22P02', '40001', '57014']) expect(isDatabaseUnavailable(pgError(code)), code).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
