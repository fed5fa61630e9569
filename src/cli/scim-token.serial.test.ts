import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const TSX = path.resolve('node_modules/.bin/tsx');
const MAIN = path.resolve('src/cli/main.ts');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-cli-scim-'));

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [MAIN, ...args], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', SECRET_KEY: '', LOG_LEVEL: 'warn', PUBLIC_URL: 'https://sign-in.example.org/' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function json(out: { stdout: string; stderr: string; code: number | null }) {
  expect(out.code, out.stderr).toBe(0);
  const lines = out.stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, string>;
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('scim token (CLI)', () => {
  it('prints the base URL and a new token; a wrong group fails', async () => {
    json(await cli('db', 'migrate'));
    const tenant = json(await cli('tenant', 'create', '--name', 'Cli SCIM', '--owner-email', 'owner@cli-scim.test', '--owner-password', 'a long cli password'));
    const group = json(await cli('group', 'create', '--tenant', tenant.tenantId!, '--name', 'Okta staff', '--type', 'scim'));
    const first = json(await cli('scim', 'token', '--tenant', tenant.tenantId!, '--group', group.groupId!));
    expect(first).toEqual({ baseUrl: `https://sign-in.example.org/scim/v2/groups/${group.groupId}`, token: expect.stringMatching(/^thr_scim_/) });
    expect(first.baseUrl).not.toContain('_');
    const second = json(await cli('scim', 'token', '--tenant', tenant.tenantId!, '--group', group.groupId!));
    expect(second.token).not.toBe(first.token);
    const wrong = await cli('scim', 'token', '--tenant', tenant.tenantId!, '--group', tenant.tenantId!);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    const usage = await cli('scim', 'token', '--tenant', tenant.tenantId!);
    expect(usage.code).toBe(2);
  }, 600_000);
});
