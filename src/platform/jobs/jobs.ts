import type { DbOrTx } from '../db/database.js';

/**
 * The job queue every context uses (pg-boss underneath). `send` takes the transaction of the
 * write that causes the job, so the job exists if and only if the write commits.
 */
export type JobOptions = {
  /** Deduplicates: a second job with the same key while one is queued is dropped. */
  singletonKey?: string;
  startAfter?: Date | number;
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
};

export type JobHandler<T> = (job: { id: string; data: T }) => Promise<void>;

export interface JobQueue {
  send<T extends object>(tx: DbOrTx, name: string, data: T, options?: JobOptions): Promise<string | null>;
  /**
   * Fails, for good (no retry), the active jobs of `name` with this singleton key: their worker
   * is known to be gone (e.g. it stopped sending heartbeats), so pg-boss's expiry need not be awaited.
   * Returns how many were failed.
   */
  failActive(tx: DbOrTx, name: string, singletonKey: string, message: string): Promise<number>;
  /** Registers a handler; runs only in a process that works jobs. */
  work<T extends object>(name: string, handler: JobHandler<T>, options?: { batchSize?: number }): Promise<void>;
  /** Cron schedule (UTC) for a recurring job. */
  schedule(name: string, cron: string, data?: object): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
