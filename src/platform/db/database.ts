import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { citext } from '@electric-sql/pglite/contrib/citext';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { AppError } from '../errors.js';

/** The query handle every repo takes: the database itself or an open transaction. */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = PgTransaction<PgQueryResultHKT, Record<string, never>, ExtractTablesWithRelations<Record<string, never>>>;
export type DbOrTx = Db | Tx;

export type Database = {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Raw parameterised query on a connection of its own (outside any drizzle transaction). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Several statements without parameters. */
  exec(text: string): Promise<void>;
  /**
   * A statement prepared once and run many times, its rows as arrays (decision 028). On
   * PostgreSQL a named statement, parsed and planned once per connection. PGlite parses and plans
   * every statement it is sent, most of what a short read costs there, so it runs `PREPARE` once
   * per session and then `EXECUTE` with the values written as literals (`sqlLiteral`).
   * `name`: lower case letters, digits and underscores, one text per name.
   */
  prepare(name: string, text: string): PreparedStatement;
  pglite?: PGlite;
  pool?: pg.Pool;
  close(): Promise<void>;
};

export const PGLITE_EXTENSIONS = { pg_trgm, citext };

/** A prepared statement: its parameters in order ($1, $2, …) → its rows, each an array of column values. */
export type PreparedStatement = (params: readonly unknown[]) => Promise<unknown[][]>;

/**
 * A value as a SQL literal, as PostgreSQL's `quote_literal` writes it (an `E''` string when it
 * holds a backslash, so the literal means the same whatever `standard_conforming_strings` says):
 * strings, safe integers, booleans and null only, or a one-dimensional array of them. Text with a NUL character cannot be a
 * PostgreSQL value at all: refused, as the database refuses it as a parameter.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new TypeError('a SQL literal cannot hold a NUL character');
    const quoted = `'${value.replaceAll("'", "''")}'`;
    return value.includes('\\') ? `E${quoted.replaceAll('\\', '\\\\')}` : quoted;
  }
  // An array of those (one dimension): its text form (`{"a\\"b",NULL}`, every element quoted but
  // NULL) as a literal of unknown type, which the parameter's own array type (`$1::uuid[]`) reads.
  if (Array.isArray(value)) return sqlLiteral(`{${value.map(arrayElement).join(',')}}`);
  throw new TypeError(`no SQL literal for a ${typeof value}`);
}

/** One element of an array's text form: NULL, or quoted with `"` and `\\` escaped. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) throw new TypeError('no SQL literal for an array of arrays');
  sqlLiteral(value); // refuses, as for a value alone, what has no literal (NUL, objects, fractions)
  const text = String(value);
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

const PREPARED_NAME = /^[a-z][a-z0-9_]*$/;

/** `Database.prepare` for PGlite: one `PREPARE` per name for the session, then `EXECUTE name(literals…)` through `query`. */
function pglitePrepared(query: (text: string) => Promise<unknown[][]>): Database['prepare'] {
  const made = new Map<string, { text: string; ready?: Promise<void> }>();
  return (name, text) => {
    if (!PREPARED_NAME.test(name)) throw new Error(`not a statement name: ${name}`);
    const known = made.get(name);
    if (known && known.text !== text) throw new Error(`statement ${name} is already prepared with another text`);
    const entry = known ?? { text };
    made.set(name, entry);
    const ready = () =>
      (entry.ready ??= query(`PREPARE ${name} AS ${text}`).then(
        () => undefined,
        (err: unknown) => {
          entry.ready = undefined;
          throw err;
        },
      ));
    return async (params) => {
      await ready();
      const call = `EXECUTE ${name}${params.length > 0 ? `(${params.map(sqlLiteral).join(', ')})` : ''}`;
      try {
        return await query(call);
      } catch (err) {
        // Gone from the session (DEALLOCATE / DISCARD by hand): prepared again, once.
        if ((err as { code?: string }).code !== '26000') throw err;
        entry.ready = undefined;
        await ready();
        return query(call);
      }
    };
  };
}

/**
 * The settings every session runs with, whatever the server's, the database's or the role's
 * defaults say: the drivers read dates, timestamps and intervals in these forms only (a server
 * set to `DateStyle = 'SQL, DMY'` sent `06/12/2026`, which node-postgres and drizzle misread), and
 * SQL that names a day (`now()::date`, `date_trunc`) counts it in UTC on every install, as the
 * tests run it. Sent as start-up options, so a connection without them never exists; behind a
 * connection pooler, let `options` through (PgBouncer: not in `ignore_startup_parameters`).
 */
export const SESSION_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ['DateStyle', 'ISO,MDY'],
  ['IntervalStyle', 'postgres'],
  ['TimeZone', 'UTC'],
];

/**
 * How the pool connects to `url`: the start-up `options` the operator gave (the URL's, else the
 * `PGOPTIONS` environment variable, which pg reads only when no `options` is set) kept, with
 * `SESSION_SETTINGS` after them (pg would let the URL's `options` replace a separate one, so they
 * are joined here).
 */
export function connectionConfig(url: string, env: NodeJS.ProcessEnv = process.env): { connectionString: string; options: string } {
  const ours = SESSION_SETTINGS.map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const joined = (own: string | null | undefined) => (own ? `${own} ${ours}` : ours);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { connectionString: url, options: joined(env.PGOPTIONS) };
  }
  const own = parsed.searchParams.get('options');
  if (own === null) return { connectionString: url, options: joined(env.PGOPTIONS) };
  parsed.searchParams.delete('options');
  return { connectionString: parsed.toString(), options: joined(own) };
}

/**
 * PGlite's own settings on top of its defaults. Its shared_buffers default (128 MB) is touched
 * whole when it starts, so it alone was a third of the server's resident memory at ready;
 * 32 MB keeps a school's working set (a few thousand members and profiles) in memory and saves
 * about 100 MB (decision 010, start-up and memory). `SESSION_SETTINGS` are pinned as on a server
 * (a folder's postgresql.conf could say otherwise).
 */
export const PGLITE_START_PARAMS: readonly string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB', ...SESSION_SETTINGS.flatMap(([k, v]) => ['-c', `${k}=${v}`])];

/**
 * A PGlite folder may be opened by one process at a time. The lock file holds the pid; a lock
 * left by a dead process is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, '.threshold.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) rmSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new AppError(
          409,
          'database_locked',
          `database_locked: the embedded database in ${dataDir} is in use by process ${pid}. ` +
            'Stop that process first, or set DATABASE_URL to use a PostgreSQL server shared by several processes.',
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new AppError(409, 'database_locked', `database_locked: could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sees every statement sent through the handle (drizzle's and raw ones), before it is sent. */
export type StatementObserver = (sql: string) => void;

/**
 * How V8 compiles PGlite's WebAssembly (decision 045). `baseline`: Liftoff alone. V8 otherwise
 * recompiles PGlite's hot functions with its optimising compiler (TurboFan), whose code and
 * compile-time memory held ~60 MB more at the peak of a start and ~25–45 MB more after it, for
 * SQL ~10–15 % faster in WebAssembly. `optimising`: V8's default.
 */
export type WasmCompiler = 'baseline' | 'optimising';

/** The V8 flag that gives a compiler choice (set before PGlite compiles its module; it holds for the process). */
export function wasmCompilerFlag(choice: WasmCompiler): string {
  return choice === 'baseline' ? '--liftoff-only' : '--no-liftoff-only';
}

export type OpenOptions = (
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob; lock?: boolean; wasmCompiler?: WasmCompiler }
  | { kind: 'postgres'; url: string; max?: number }
) & { onStatement?: StatementObserver };

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.kind === 'postgres') {
    const pool = new pg.Pool({ ...connectionConfig(opts.url), max: opts.max ?? 10 });
    pool.on('error', () => {
      /* idle client errors surface on the next query */
    });
    const seen = opts.onStatement ?? (() => {});
    const db = drizzlePg({ client: pool, casing: 'snake_case', logger: opts.onStatement && { logQuery: (q) => seen(q) } }) as unknown as Db;
    return {
      kind: 'postgres',
      db,
      pool,
      query: async <T,>(text: string, params?: unknown[]) => {
        seen(text);
        const res = await pool.query(text, params);
        return { rows: res.rows as T[] };
      },
      exec: async (text) => {
        seen(text);
        await pool.query(text);
      },
      prepare: (name, text) => {
        if (!PREPARED_NAME.test(name)) throw new Error(`not a statement name: ${name}`);
        return async (params) => {
          seen(text);
          return (await pool.query<unknown[]>({ name, text, values: [...params], rowMode: 'array' })).rows;
        };
      },
      close: () => pool.end(),
    };
  }
  let release: (() => void) | undefined;
  if (opts.dataDir && opts.lock !== false) {
    release = acquireDataDirLock(path.dirname(opts.dataDir));
  }
  try {
    if (opts.dataDir && !existsSync(opts.dataDir)) mkdirSync(opts.dataDir, { recursive: true });
    // Process-wide, and read when the module is compiled: PGlite compiles its module on create.
    if (opts.wasmCompiler) v8.setFlagsFromString(wasmCompilerFlag(opts.wasmCompiler));
    const pglite = await PGlite.create({
      dataDir: opts.dataDir,
      loadDataDir: opts.loadDataDir,
      extensions: PGLITE_EXTENSIONS,
      startParams: [...PGLITE_START_PARAMS],
    });
    const seen = opts.onStatement ?? (() => {});
    const db = drizzlePglite({ client: pglite, casing: 'snake_case', logger: opts.onStatement && { logQuery: (q) => seen(q) } }) as unknown as Db;
    return {
      kind: 'pglite',
      db,
      pglite,
      query: async <T,>(text: string, params?: unknown[]) => {
        seen(text);
        const res = await pglite.query<T>(text, params);
        return { rows: res.rows };
      },
      exec: async (text) => {
        seen(text);
        await pglite.exec(text);
      },
      prepare: pglitePrepared(async (text) => {
        seen(text);
        return (await pglite.query<unknown[]>(text, [], { rowMode: 'array' })).rows;
      }),
      close: async () => {
        try {
          await pglite.close();
        } finally {
          release?.();
        }
      },
    };
  } catch (err) {
    release?.();
    throw err;
  }
}
