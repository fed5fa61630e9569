import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createPlatform } from './platform/bootstrap.js';
import { runMigrations } from './platform/db/migrate.js';
import { analyzeDatabase } from './platform/db/analyze.js';
import { installJobSchema } from './platform/jobs/pgboss.js';
import { AppError } from './platform/errors.js';
import { stopOnSignals } from './platform/shutdown.js';
import { isNewPgliteFolder, runFirstStartInChild, seedDemoAndTell } from './setup.js';
import { registerJobs } from './contexts/jobs.js';
import { composeContexts } from './contexts/compose.js';

const JOBS_AFTER_START_MS = 2_000;
const ANALYZE_AFTER_START_MS = 60_000;

/** Starts the server (and, unless WORKER=off, the job worker) from the environment. */
async function main() {
  // Milliseconds since the process started at the end of each phase, logged once listening.
  const phases: Record<string, number> = { modules: Math.round(performance.now()) };
  const phase = (name: string) => (phases[name] = Math.round(performance.now()));
  const config = loadConfig();
  if (isNewPgliteFolder(config)) {
    // A new PGlite folder is made in a process of its own, so its memory is not kept (setup.ts).
    const code = runFirstStartInChild();
    if (code !== 0) process.exit(code);
    phase('first start');
  }
  const platform = await createPlatform(config);
  phase('database');
  const { log } = platform;
  const migrations = await runMigrations(platform.database);
  await installJobSchema(platform.database, log);
  phase('migrations');
  // One graph of contexts for the HTTP app, the inline worker and the demo seed.
  const contexts = composeContexts(platform);
  await seedDemoAndTell(platform, contexts);
  const app = await buildApp(platform, { contexts });
  phase('app');
  const stopping = stopOnSignals(log, 'shutting down', [() => app.close(), () => platform.jobs.stop(), () => platform.database.close()]);
  await app.listen({ port: config.port, host: config.host });
  phase('listening');
  log.info({ startupMs: phases, migrations }, 'ready');
  // After listening (decision 010, start-up): the job worker's start (pg-boss's maintenance, its
  // queues and schedules: a few dozen statements) is not needed to answer, and on PGlite's one
  // connection it would queue ahead of /ready and the first requests, so it begins a little later.
  if (config.worker === 'inline') {
    setTimeout(() => {
      if (stopping()) return;
      registerJobs(platform, contexts)
        .then(() => platform.jobs.start())
        .catch((err: unknown) => {
          log.fatal({ err }, 'the job worker could not start');
          process.exit(1);
        });
    }, JOBS_AFTER_START_MS).unref();
  }
  // PGlite has no autovacuum: give its planner fresh table sizes (and hourly, ANALYZE_JOB). Its
  // statistics are kept on disk, so this is for a new or much changed database and waits a minute:
  // PGlite has one connection, and an ANALYZE run now would hold up the first requests and /ready.
  if (platform.database.kind === 'pglite') {
    setTimeout(() => {
      if (!stopping()) analyzeDatabase(platform.database).catch((err: unknown) => log.warn({ err }, 'ANALYZE after start failed'));
    }, ANALYZE_AFTER_START_MS).unref();
  }
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
