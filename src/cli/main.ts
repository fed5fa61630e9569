import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { AppError } from '../platform/errors.js';
import { openDatabase, type Database } from '../platform/db/database.js';
import { migrationsCurrent, runMigrations } from '../platform/db/migrate.js';
import { installJobSchema } from '../platform/jobs/pgboss.js';
import { createPlatform } from '../platform/bootstrap.js';
import type { Platform } from '../platform/platform.js';
import { composeContexts, type Contexts } from '../contexts/compose.js';
import { commandHelp, UsageError, type CliContext, type Command } from './command.js';
import { commands } from './commands/index.js';

/**
 * `npm run --silent cli -- <command> [options]`. stdout carries only the final JSON line;
 * progress and errors go to stderr. Exit codes: 0 ok, 1 error, 2 wrong usage, 78 bad config.
 */

const EXIT = { ok: 0, error: 1, usage: 2, config: 78 } as const;

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return ['Usage: npm run --silent cli -- <command> [options]', '', 'Commands:', ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n  ${' '.repeat(width)}  ${c.usage}`)].join('\n');
}

/** The command named by the leading words of argv (the longest name that matches). */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

function makeContext(config: Config): { ctx: CliContext; close(): Promise<void> } {
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, base: { service: 'threshold-cli' } }, pino.destination(2));
  let database: Promise<Database> | undefined;
  let platform: Promise<Platform> | undefined;
  let contexts: Promise<Contexts> | undefined;
  const progress = (message: string) => process.stderr.write(`${message}\n`);
  const openDb = () =>
    (database ??= openDatabase(
      config.database.kind === 'postgres' ? { kind: 'postgres', url: config.database.url, max: 2 } : { kind: 'pglite', dataDir: config.database.dataDir, wasmCompiler: config.database.wasmCompiler },
    ));
  const ctx: CliContext = {
    config,
    log,
    progress,
    database: openDb,
    platform: () =>
      (platform ??= (async () => {
        const db = await openDb();
        if (!(await migrationsCurrent(db))) {
          progress('Migrating the database first…');
          await runMigrations(db);
          await installJobSchema(db, log);
        }
        return createPlatform(config, { database: db, log });
      })()),
    contexts: () => (contexts ??= ctx.platform().then((p) => composeContexts(p))),
  };
  return {
    ctx,
    async close() {
      const db = await database?.catch(() => undefined);
      await db?.close();
    },
  };
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    process.stderr.write(`${usage()}\n`);
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    process.stderr.write(`Unknown command: ${argv.join(' ')}\n\n${usage()}\n`);
    return EXIT.usage;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return EXIT.ok;
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\nUsage: ${command.usage}\n`);
    return EXIT.usage;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.config;
    }
    throw err;
  }
  const { ctx, close } = makeContext(config);
  try {
    const result = await command.run(ctx, values);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    if (err instanceof AppError) {
      process.stderr.write(`${JSON.stringify({ error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } })}\n`);
      return EXIT.error;
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.error;
  } finally {
    await close().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT.error);
  },
);
