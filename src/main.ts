import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createPlatform } from './platform/bootstrap.js';
import { runMigrations } from './platform/db/migrate.js';
import { analyzeDatabase } from './platform/db/analyze.js';
import { installJobSchema } from './platform/jobs/pgboss.js';
import { AppError } from './platform/errors.js';
import { seedDemoIfEmpty } from './seed/demo.js';
import { registerJobs } from './contexts/jobs.js';
import { composeContexts } from './contexts/compose.js';

/** Starts the server (and, unless WORKER=off, the job worker) from the environment. */
async function main() {
  const config = loadConfig();
  const platform = await createPlatform(config);
  const { log } = platform;
  await runMigrations(platform.database);
  await installJobSchema(platform.database, log);
  // One graph of contexts for the HTTP app, the inline worker and the demo seed.
  const contexts = composeContexts(platform);
  if (config.seedDemo) {
    const demo = await seedDemoIfEmpty(platform, contexts);
    if (demo) {
      process.stdout.write(
        `\nDemo tenant created. Sign in at ${config.publicUrl} with\n  email:    ${demo.email}\n  password: ${demo.password}\n(shown once)\nThe kiosk PIN of the Contractors group is ${demo.contractorsPin}.\n\n`,
      );
    }
  }
  // PGlite has no autovacuum: give its planner fresh table sizes now (and hourly, ANALYZE_JOB).
  if (platform.database.kind === 'pglite') await analyzeDatabase(platform.database);
  const app = await buildApp(platform, { contexts });
  if (config.worker === 'inline') {
    await registerJobs(platform, contexts);
    await platform.jobs.start();
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
      await platform.jobs.stop();
      await platform.database.close();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  if (err instanceof AppError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
