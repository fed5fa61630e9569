import type { Config } from '../config.js';
import type { Database, Db } from './db/database.js';
import type { JobQueue } from './jobs/jobs.js';
import type { Logger } from './logger.js';
import type { FileStorage } from './storage/storage.js';
import type { Mailer } from './notifications/mailer.js';

/** What every context may depend on. Built once in main.ts (or by the test harness). */
export type Platform = {
  config: Config;
  database: Database;
  db: Db;
  log: Logger;
  jobs: JobQueue;
  storage: FileStorage;
  mailer: Mailer;
  /** Injected so tests can move time; production is `() => new Date()`. */
  now: () => Date;
};
