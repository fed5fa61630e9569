// The first start on a new PGlite folder, in a process of its own (run by main.ts): create the
// database, migrate, install the job schema and seed the demo, then exit. PGlite's WebAssembly
// memory grows to hold initdb, the migrations and the seed (about 800 MB at its peak) and never
// shrinks; done here, that memory goes with this process, and the server opens the folder as on
// any later start (about 270 MB resident at ready instead of 400). `node build/setup.js`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { loadConfig, type Config } from './config.js';
import { createPlatform } from './platform/bootstrap.js';
import type { Platform } from './platform/platform.js';
import { runMigrations } from './platform/db/migrate.js';
import { installJobSchema } from './platform/jobs/pgboss.js';
import { seedDemoIfEmpty } from './seed/demo.js';
import { composeContexts, type Contexts } from './contexts/compose.js';

/** True when the server is about to create its PGlite database (no folder yet, or an empty one). */
export function isNewPgliteFolder(config: Config): boolean {
  return config.database.kind === 'pglite' && !existsSync(path.join(config.database.dataDir, 'PG_VERSION'));
}

/** Seeds the demo when the database is empty (and demo seeding is on), printing its sign-in once. */
export async function seedDemoAndTell(platform: Platform, contexts: Contexts): Promise<void> {
  if (!platform.config.seedDemo) return;
  const demo = await seedDemoIfEmpty(platform, contexts);
  if (demo) {
    process.stdout.write(
      [
        '',
        `Demo tenant created. Sign in at ${platform.config.publicUrl} with`,
        `  email:    ${demo.email}`,
        `  password: ${demo.password}`,
        '(shown once; lost it? "Forgot your password?" on the sign-in page: without SMTP the reset link is written to this log)',
        `A kiosk: Sign-in › Sites › "Pair a kiosk", then open ${platform.config.publicUrl}/kiosk on the tablet and type the code.`,
        `The kiosk PIN of the Contractors group is ${demo.contractorsPin}.`,
        `Staff sign in against the Central Record: ${demo.uncheckedStaff} is refused (no enhanced DBS check recorded); everyone else signs in.`,
        '',
        '',
      ].join('\n'),
    );
  }
}

/** Runs this file as a child process (with the parent's loader flags, so tsx in development) and returns its exit code. */
export function runFirstStartInChild(): number {
  const self = fileURLToPath(import.meta.url);
  const res = spawnSync(process.execPath, [...process.execArgv, self], { stdio: 'inherit', env: process.env });
  return res.status ?? 1;
}

async function firstStart(): Promise<void> {
  const config = loadConfig();
  const platform = await createPlatform(config);
  try {
    await runMigrations(platform.database);
    await installJobSchema(platform.database, platform.log);
    await seedDemoAndTell(platform, composeContexts(platform));
  } finally {
    await platform.database.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  firstStart().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
