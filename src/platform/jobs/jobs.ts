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
export type JobBatchHandler<T> = (jobs: ReadonlyArray<{ id: string; data: T }>) => Promise<Array<{ id: string; error: unknown }>>;

export interface JobQueue {
  send<T extends object>(tx: DbOrTx, name: string, data: T, options?: JobOptions): Promise<string | null>;
  /**
   * `send` for many jobs of one queue at once, in a few statements however many there are (one
   * lock of all their singleton keys, one read of those already queued, one INSERT): a job whose
   * key is queued already, or given earlier in the list, is dropped, as `send` one by one would.
   * Returns how many jobs were queued.
   */
  sendMany<T extends object>(tx: DbOrTx, name: string, jobs: ReadonlyArray<{ data: T; singletonKey?: string }>, options?: Omit<JobOptions, 'singletonKey' | 'startAfter'>): Promise<number>;
  /**
   * Fails, for good (no retry), the active jobs of `name` with this singleton key: their worker
   * is known to be gone (e.g. it stopped sending heartbeats), so pg-boss's expiry need not be awaited.
   * Returns how many were failed.
   */
  failActive(tx: DbOrTx, name: string, singletonKey: string, message: string): Promise<number>;
  /** Registers a handler; runs only in a process that works jobs. */
  work<T extends object>(name: string, handler: JobHandler<T>, options?: { batchSize?: number }): Promise<void>;
  /**
   * Registers a handler of up to `batchSize` jobs at once (what one fetch brought), for work done
   * set-wise. It answers the jobs that failed, each failed (and retried) on its own while the rest
   * complete; a handler that throws fails them all.
   */
  workMany<T extends object>(name: string, handler: JobBatchHandler<T>, options: { batchSize: number }): Promise<void>;
  /** Cron schedule (UTC) for a recurring job. */
  schedule(name: string, cron: string, data?: object): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
