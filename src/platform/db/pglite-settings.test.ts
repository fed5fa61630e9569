import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

describe('PGlite settings', () => {
  it('runs with 32 MB of shared buffers (its 128 MB default was a third of the resident memory at ready)', async () => {
    const database = await openDatabase({ kind: 'pglite' });
    try {
      const { rows } = await database.query<{ shared_buffers: string }>('SHOW shared_buffers');
      expect(rows[0]!.shared_buffers).toBe('32MB');
      // PGlite's own start parameters are kept (one process, no parallel workers).
      const { rows: workers } = await database.query<{ max_parallel_workers: string }>('SHOW max_parallel_workers');
      expect(workers[0]!.max_parallel_workers).toBe('0');
    } finally {
      await database.close();
    }
  }, 60_000);
});
