import { afterAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { inTransaction } from '../db/tx.js';
import { createNotifier, type Notifier } from './notify.js';

const env = useTestEnv();
const notifiers: Notifier[] = [];
afterAll(async () => {
  for (const n of notifiers) await n.close();
});

async function waitFor<T>(get: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('notify', () => {
  it('delivers a notification sent in a transaction after it commits, never when it rolls back', async () => {
    const notifier = createNotifier(env.platform.database, env.platform.log);
    notifiers.push(notifier);
    const got: string[] = [];
    const unsubscribe = await notifier.subscribe('thr_test_channel', (p) => got.push(p));
    await inTransaction(env.platform.db, async (tx) => {
      await notifier.notify(tx, 'thr_test_channel', 'rolled-back');
      throw new Error('roll back');
    }).catch(() => undefined);
    await inTransaction(env.platform.db, async (tx) => {
      await notifier.notify(tx, 'thr_test_channel', '{"seq":1}');
      expect(got).toEqual([]); // not before commit
    });
    await waitFor(() => (got.length > 0 ? got : undefined));
    expect(got).toEqual(['{"seq":1}']);
    unsubscribe();
    await inTransaction(env.platform.db, (tx) => notifier.notify(tx, 'thr_test_channel', 'after'));
    // A second subscriber proves delivery still happens, and the first no longer hears it.
    const other: string[] = [];
    await notifier.subscribe('thr_test_channel', (p) => other.push(p));
    await inTransaction(env.platform.db, (tx) => notifier.notify(tx, 'thr_test_channel', 'again'));
    await waitFor(() => (other.includes('again') ? other : undefined));
    expect(got).toEqual(['{"seq":1}']);
  });

  it('refuses channel names that are not plain identifiers', async () => {
    const notifier = createNotifier(env.platform.database, env.platform.log);
    notifiers.push(notifier);
    await expect(notifier.subscribe('bad"; DROP', () => undefined)).rejects.toThrow(/invalid notify channel/);
  });
});
