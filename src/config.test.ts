import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.js';
import { wasmCompilerFlag } from './platform/db/database.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'threshold-config-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const KEY = 'b'.repeat(64);

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('names a bad PORT in one line', () => {
    const err = configError({ PORT: 'eighty', DATA_DIR: tempDir() });
    expect(err.variable).toBe('PORT');
    expect(err.message).toMatch(/^invalid configuration: PORT: /);
    expect(err.message).not.toContain('\n');
    expect(configError({ PORT: '70000', DATA_DIR: tempDir() }).variable).toBe('PORT');
  });

  it('requires SECRET_KEY with DATABASE_URL', () => {
    expect(configError({ DATABASE_URL: 'postgres://db.example/threshold' }).variable).toBe('SECRET_KEY');
    expect(configError({ DATABASE_URL: 'postgres://db.example/threshold', SECRET_KEY: 'short' }).variable).toBe('SECRET_KEY');
    expect(configError({ DATABASE_URL: 'mysql://db.example/threshold', SECRET_KEY: KEY }).variable).toBe('DATABASE_URL');
    const ok = loadConfig({ DATABASE_URL: 'postgres://db.example/threshold', SECRET_KEY: KEY });
    expect(ok.database).toEqual({ kind: 'postgres', url: 'postgres://db.example/threshold' });
    expect(ok.secretKey.equals(Buffer.from(KEY, 'hex'))).toBe(true);
    expect(ok.seedDemo).toBe(false);
  });

  it('on PGlite generates secret.key in the data folder once and reuses it', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const file = path.join(dir, 'secret.key');
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o077).toBe(0);
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.secretKey.equals(first.secretKey)).toBe(true);
    expect(first.database).toEqual({ kind: 'pglite', dataDir: path.join(dir, 'pglite'), wasmCompiler: 'baseline' });
    expect(first.seedDemo).toBe(true);
    const other = loadConfig({ DATA_DIR: tempDir() });
    expect(other.secretKey.equals(first.secretKey)).toBe(false);
  });

  it("chooses PGlite's WebAssembly compiler: V8's baseline alone unless asked", () => {
    expect(loadConfig({ DATA_DIR: tempDir() }).database).toMatchObject({ kind: 'pglite', wasmCompiler: 'baseline' });
    expect(loadConfig({ DATA_DIR: tempDir(), PGLITE_WASM_COMPILER: 'optimising' }).database).toMatchObject({ kind: 'pglite', wasmCompiler: 'optimising' });
    expect(configError({ DATA_DIR: tempDir(), PGLITE_WASM_COMPILER: 'turbofan' }).variable).toBe('PGLITE_WASM_COMPILER');
    expect(wasmCompilerFlag('baseline')).toBe('--liftoff-only');
    expect(wasmCompilerFlag('optimising')).toBe('--no-liftoff-only');
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig({ DATA_DIR: tempDir(), DATABASE_URL: '', PORT: '', SECRET_KEY: '', SMTP_HOST: '', PUBLIC_URL: '' });
    expect(c.database.kind).toBe('pglite');
    expect(c.port).toBe(3000);
    expect(c.smtp).toBeUndefined();
    expect(c.publicUrl).toBe('http://localhost:3000');
  });

  it('trims trailing slashes from PUBLIC_URL and rejects a non-http one', () => {
    expect(loadConfig({ DATA_DIR: tempDir(), PUBLIC_URL: 'https://threshold.example.org//' }).publicUrl).toBe('https://threshold.example.org');
    expect(configError({ DATA_DIR: tempDir(), PUBLIC_URL: 'ftp://threshold.example.org' }).variable).toBe('PUBLIC_URL');
  });

  it('reads the job poll interval and the API rate limit', () => {
    const d = loadConfig({ DATA_DIR: tempDir() });
    expect(d.jobPollSeconds).toBe(2);
    expect(d.rateLimitPerMinute).toBe(600);
    const c = loadConfig({ DATA_DIR: tempDir(), JOB_POLL_SECONDS: '0.5', RATE_LIMIT_PER_MINUTE: '0' });
    expect(c.jobPollSeconds).toBe(0.5);
    expect(c.rateLimitPerMinute).toBe(0);
    expect(configError({ DATA_DIR: tempDir(), JOB_POLL_SECONDS: '0.1' }).variable).toBe('JOB_POLL_SECONDS');
  });
});

describe('README', () => {
  it('documents every configuration variable in its configuration table', () => {
    const readme = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const table = readme.split('## Configuration')[1]!.split('\n## ')[0]!;
    const missing = CONFIG_VARIABLES.filter((v) => !table.includes(`\`${v}\``));
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
