import { ConfigError, loadConfig } from './config.js';
import { createPlatform } from './platform/bootstrap.js';
import { runMigrations } from './platform/db/migrate.js';
import { installJobSchema } from './platform/jobs/pgboss.js';
import { AppError } from './platform/errors.js';
import { stopOnSignals } from './platform/shutdown.js';
import { registerJobs } from './contexts/jobs.js';

/**
 * `npm run worker`: works background jobs in a process of its own, beside servers started with
 * WORKER=off. Needs PostgreSQL: the embedded database is one process's alone.
 */
async function main() {
  const config = loadConfig();
  if (config.database.kind !== 'postgres') {
    throw new AppError(
      409,
      'database_locked',
      'database_locked: a separate worker needs PostgreSQL (set DATABASE_URL). ' +
        'With the embedded database (PGlite) only the server may open it, and it works jobs itself (WORKER=inline).',
    );
  }
  const platform = await createPlatform(config);
  const { log } = platform;
  await runMigrations(platform.database);
  await installJobSchema(platform.database, log);
  await registerJobs(platform);
  await platform.jobs.start();
  log.info('job worker started');
  stopOnSignals(log, 'job worker shutting down', [() => platform.jobs.stop(), () => platform.database.close()]);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof AppError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(err instanceof ConfigError ? 78 : 1);
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
