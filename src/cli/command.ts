import type { ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Database } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import type { Platform } from '../platform/platform.js';
import { systemActor, type Actor } from '../platform/audit/audit.js';

/** What a command may use. Everything is opened lazily and closed by main.ts afterwards. */
export type CliContext = {
  config: Config;
  /** Logs to stderr (stdout carries only the final JSON). */
  log: Logger;
  /** The database, opened (and locked, on PGlite) but not migrated. */
  database(): Promise<Database>;
  /** The platform on the migrated database (migrates first when needed). */
  platform(): Promise<Platform>;
  /** Progress for people, on stderr. */
  progress(message: string): void;
};

/** The audit actor of changes made from the command line. */
export const cliActor: Actor = { ...systemActor, label: 'cli' };

/** Wrong usage: exit code 2 with the command's usage line. */
export class UsageError extends Error {}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

type CommandDef<A> = {
  /** The words that select the command, e.g. `tenant create`. */
  name: string;
  summary: string;
  /** Options as node:util parseArgs takes them. */
  options: OptionSpecs;
  /** Validates and types the parsed options; a failure is a usage error naming the option. */
  args: z.ZodType<A>;
  run(ctx: CliContext, args: A): Promise<object>;
};

export type Command = {
  name: string;
  summary: string;
  options: OptionSpecs;
  usage: string;
  run(ctx: CliContext, values: Record<string, unknown>): Promise<object>;
};

function usageOf(name: string, options: OptionSpecs, args: z.ZodType): string {
  const shape = args instanceof z.ZodObject ? (args.shape as Record<string, z.ZodType>) : {};
  const parts = Object.entries(options).map(([key, spec]) => {
    const field = key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const optional = shape[field]?.safeParse(undefined).success ?? true;
    const text = spec.type === 'boolean' ? `--${key}` : `--${key} ${key.split('-').at(-1)!.toUpperCase()}`;
    return optional ? `[${text}]` : text;
  });
  return `${name} ${parts.join(' ')}`.trim();
}

/**
 * A command: parseArgs options plus a zod schema over them (kebab-case options arrive
 * camelCased). Add a file under commands/ and one entry in commands/index.ts.
 */
export function defineCommand<A>(def: CommandDef<A>): Command {
  const usage = usageOf(def.name, def.options, def.args);
  return {
    name: def.name,
    summary: def.summary,
    options: def.options,
    usage,
    async run(ctx, values) {
      const camel = Object.fromEntries(Object.entries(values).map(([k, v]) => [k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
      const parsed = def.args.safeParse(camel);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const option = String(issue.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
        throw new UsageError(`${option ? `--${option}: ` : ''}${issue.message}`);
      }
      return def.run(ctx, parsed.data);
    },
  };
}
