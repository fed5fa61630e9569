import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { WasmCompiler } from './platform/db/database.js';

/**
 * Environment → one validated, frozen Config. A bad variable stops the process at boot with one
 * line naming it (see `loadConfig` callers in main.ts / worker.ts / cli).
 */
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .transform((v) => v?.replace(/\/+$/, '')),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' || v === 'false' ? false : v === 'true' ? true : v)),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PGLITE_WASM_COMPILER: z.enum(['baseline', 'optimising']).default('baseline'),
  SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
    .optional(),
  SEED_DEMO: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
  WORKER: z.enum(['inline', 'off']).default('inline'),
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  AUTH_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  SMTP_HOST: z.string().optional(),
  SMTP_PORT: z.coerce.number().int().positive().default(587),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().default('Threshold <no-reply@localhost>'),
  SMTP_SECURE: bool.default(false),
  WONDE_API_URL: z.url().default('https://api.wonde.com'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(5),
  WEBHOOK_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
  OFFLINE_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(72),
});

/** Every environment variable the config reads (README's configuration table lists each one). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  trustProxy: boolean | string;
  /**
   * PGlite's compiler choice (decision 045): `baseline` (V8's Liftoff alone) keeps ~60 MB of
   * optimising-compiler memory out of the process; `optimising` lets hot functions tier up.
   */
  database: { kind: 'pglite'; dataDir: string; wasmCompiler: WasmCompiler } | { kind: 'postgres'; url: string };
  dataDir: string;
  secretKey: Buffer;
  seedDemo: boolean;
  logLevel: string;
  bodyLimit: number;
  worker: 'inline' | 'off';
  /** How often an idle job worker polls its queue, in seconds (pg-boss's minimum is 0.5). */
  jobPollSeconds: number;
  /** API requests per minute per client IP across all instances; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** How long a resolved session or API key is kept in memory (0: not at all); changes through the API invalidate at once. */
  authCacheSeconds: number;
  smtp:
    | { host: string; port: number; user?: string; password?: string; from: string; secure: boolean }
    | undefined;
  wondeApiUrl: string;
  /**
   * Outbound webhooks: per-attempt timeout, retries after the first attempt, first retry delay
   * (doubling), and whether private and loopback receivers are allowed (off by default; link-local
   * and cloud metadata addresses never are: docs/decisions/003 and 043).
   */
  webhooks: { timeoutMs: number; retryLimit: number; retryDelaySeconds: number; allowPrivateNetworks: boolean };
  /** Offline kiosks and roll call phones wipe their copy after this many hours without contact. */
  offlineMaxHours: number;
}>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`invalid configuration: ${variable}: ${reason}`);
  }
}

/** Reads or creates the PGlite-mode secret key file in the data folder. */
function secretKeyFromDataDir(dataDir: string): Buffer {
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new ConfigError('SECRET_KEY', `${file} is not 64 hex characters`);
    return Buffer.from(hex, 'hex');
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600 });
  return key;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  // An empty variable means unset (e.g. `DATABASE_URL= npm start`).
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? '?'), issue.message);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const database = e.DATABASE_URL
    ? ({ kind: 'postgres', url: e.DATABASE_URL } as const)
    : ({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite'), wasmCompiler: e.PGLITE_WASM_COMPILER } as const);
  let secretKey: Buffer;
  if (e.SECRET_KEY) secretKey = Buffer.from(e.SECRET_KEY, 'hex');
  else if (database.kind === 'pglite') secretKey = secretKeyFromDataDir(dataDir);
  else throw new ConfigError('SECRET_KEY', 'required when DATABASE_URL is set (64 hex characters)');
  if (e.SMTP_PASSWORD && !e.SMTP_HOST) throw new ConfigError('SMTP_HOST', 'required when SMTP_PASSWORD is set');
  const config: Config = {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    trustProxy: e.TRUST_PROXY,
    database,
    dataDir,
    secretKey,
    seedDemo: e.SEED_DEMO ?? database.kind === 'pglite',
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    worker: e.WORKER,
    jobPollSeconds: e.JOB_POLL_SECONDS,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    authCacheSeconds: e.AUTH_CACHE_SECONDS,
    smtp: e.SMTP_HOST
      ? {
          host: e.SMTP_HOST,
          port: e.SMTP_PORT,
          user: e.SMTP_USER,
          password: e.SMTP_PASSWORD,
          from: e.SMTP_FROM,
          secure: e.SMTP_SECURE,
        }
      : undefined,
    wondeApiUrl: e.WONDE_API_URL.replace(/\/+$/, ''),
    webhooks: { timeoutMs: e.WEBHOOK_TIMEOUT_MS, retryLimit: e.WEBHOOK_RETRY_LIMIT, retryDelaySeconds: e.WEBHOOK_RETRY_DELAY_SECONDS, allowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS },
    offlineMaxHours: e.OFFLINE_MAX_HOURS,
    ...overrides,
  };
  return Object.freeze(config);
}
