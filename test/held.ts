import type { Tx } from '../src/platform/db/database.js';
import type { TestEnv } from './harness.js';
import { waitFor } from './wait.js';

/**
 * Runs `fn` in a transaction on a connection of its own and keeps the transaction open (its locks
 * held) until `commit()`: for tests that order two writes by hand on PostgreSQL, e.g. a group's
 * archive held open while a write into the group starts on another connection.
 */
export async function heldTransaction<T>(env: TestEnv, fn: (tx: Tx) => Promise<T>): Promise<{ value: T; commit(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let ran!: (value: T) => void;
  const done = new Promise<T>((resolve) => (ran = resolve));
  const ended = env.platform.db.transaction(async (tx) => {
    ran(await fn(tx));
    await released;
  });
  const value = await Promise.race([done, ended.then(() => Promise.reject(new Error('the held transaction ended early')))]);
  return {
    value,
    async commit() {
      release();
      await ended;
    },
  };
}

/**
 * Until `n` connections of the test's database wait for a lock (a row another transaction holds):
 * how a test knows a request it started is blocked where it expects, without sleeping.
 */
export async function untilWaitingForLock(env: TestEnv, n = 1): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await env.platform.database.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
      );
      return rows[0]!.n >= n;
    },
    { what: `${n} connection(s) waiting for a lock` },
  );
}
