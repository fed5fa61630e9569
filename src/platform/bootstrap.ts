import path from 'node:path';
import type { Config } from '../config.js';
import { openDatabase, type Database } from './db/database.js';
import { createLogger, type Logger } from './logger.js';
import { createJobQueue } from './jobs/pgboss.js';
import { localDiskStorage } from './storage/storage.js';
import { createMailer } from './notifications/mailer.js';
import type { Platform } from './platform.js';

export type PlatformOptions = {
  database?: Database;
  log?: Logger;
  now?: () => Date;
};

/** Builds the platform every process shares: database, logger, job queue, storage, mailer. */
export async function createPlatform(config: Config, opts: PlatformOptions = {}): Promise<Platform> {
  const log = opts.log ?? createLogger(config.logLevel);
  const database =
    opts.database ??
    (await openDatabase(
      config.database.kind === 'postgres'
        ? { kind: 'postgres', url: config.database.url }
        : { kind: 'pglite', dataDir: config.database.dataDir, wasmCompiler: config.database.wasmCompiler },
    ));
  const jobs = createJobQueue(database, log, { pollingIntervalSeconds: config.jobPollSeconds });
  return {
    config,
    database,
    db: database.db,
    log,
    jobs,
    storage: localDiskStorage(path.join(config.dataDir, 'files')),
    mailer: createMailer(config, log),
    now: opts.now ?? (() => new Date()),
  };
}
