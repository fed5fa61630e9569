import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../../test/cli.js';

// scripts/cli.mjs (what `npm run cli` runs) answers a wrong command from build/cli/usage.json
// without loading the CLI's modules; its answer must be the CLI's own, word for word.
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-cli-usage-'));
const manifest = path.resolve('build/cli/usage.json');
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(manifest, { force: true });
});

function runScript(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/cli.mjs', ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', SECRET_KEY: '', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run cli with a wrong command', () => {
  it('answers as the CLI does, from the usage file written after a build, and runs the CLI for anything else', async () => {
    expect(spawnSync(process.execPath, ['scripts/build-server.mjs', '--quiet']).status).toBe(0);
    rmSync(manifest, { force: true });
    for (const args of [['no', 'such', 'command'], [], ['tenant']]) {
      const fast = await runScript(args);
      const real = await runCli(dataDir, args);
      expect(fast.code).toBe(2);
      expect({ code: fast.code, stderr: fast.stderr, stdout: fast.stdout }).toEqual({ code: real.code, stderr: real.stderr, stdout: real.stdout });
    }
    expect(existsSync(manifest)).toBe(true);
    expect((JSON.parse(readFileSync(manifest, 'utf8')) as { names: string[] }).names).toContain('tenant create');

    // The answer comes from the file (a marked one here), and a known command or --help still runs the CLI.
    writeFileSync(manifest, JSON.stringify({ names: ['tenant create'], noArgs: 'FROM THE FILE\n' }));
    expect(await runScript(['nope'])).toEqual({ code: 2, stdout: '', stderr: 'Unknown command: nope\n\nFROM THE FILE\n' });
    const help = await runScript(['--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toContain('tenant create');
    const known = await runScript(['tenant', 'create', '--bogus-option']);
    expect(known.code).toBe(2);
    expect(known.stderr).toContain('Usage: tenant create');
  }, 180_000);
});
