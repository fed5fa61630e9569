import type { ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Database } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import type { Platform } from '../platform/platform.js';
import type { Contexts } from '../contexts/compose.js';
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
  /** The contexts composed once on that platform (src/contexts/compose.ts), as the server and the worker build them. */
  contexts(): Promise<Contexts>;
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

/** --tenant: the tenant's id, or its name where no other tenant has it (resolved by the command). */
export const tenantRef = z.string().trim().min(1, 'the tenant id or name is empty');

/** One plain sentence per wrong option (every missing one named at once), instead of zod's wording. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], given: Record<string, unknown>): string {
  const missing: string[] = [];
  const wrong: string[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const key = String(issue.path[0] ?? '');
    if (seen.has(key)) continue;
    seen.add(key);
    const option = key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : '';
    if (key && given[key] === undefined) {
      missing.push(option);
      continue;
    }
    wrong.push(`${option ? `${option}: ` : ''}${plainMessage(issue)}`);
  }
  const lines = [];
  if (missing.length) lines.push(`Missing ${missing.length === 1 ? 'option' : 'options'}: ${missing.join(', ')}`);
  return [...lines, ...wrong].join('\n');
}

function plainMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'email' ? 'must be an email address' : issue.format === 'uuid' ? 'must be an id (a UUID, e.g. 6f1c7a52-5d7e-4a8e-9a51-2a7c1e0f7b11)' : `must be a valid ${issue.format}`;
    case 'too_small':
      return issue.origin === 'string' ? (Number(issue.minimum) <= 1 ? 'must not be empty' : `must have at least ${String(issue.minimum)} characters`) : issue.message;
    case 'too_big':
      return issue.origin === 'string' ? `must have at most ${String(issue.maximum)} characters` : issue.message;
    default:
      return issue.message;
  }
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
      if (!parsed.success) throw new UsageError(describeIssues(parsed.error.issues, camel));
      return def.run(ctx, parsed.data);
    },
  };
}

/** `<command> --help`: what it does, its usage line, and how --tenant is named. */
export function commandHelp(command: Command): string {
  const lines = [command.summary, '', `Usage: npm run --silent cli -- ${command.usage}`];
  if ('tenant' in command.options) lines.push('', '--tenant takes the tenant id (Settings › Security shows it) or the tenant name, where no other tenant has it.');
  lines.push('Options in [brackets] are optional. Prints JSON on stdout; progress and errors go to stderr.');
  return lines.join('\n');
}
