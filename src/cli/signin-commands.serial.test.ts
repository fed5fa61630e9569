import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const TSX = path.resolve('node_modules/.bin/tsx');
const MAIN = path.resolve('src/cli/main.ts');
const SPAWN_TIMEOUT = 120_000;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-cli-signin-'));

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [MAIN, ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', SECRET_KEY: '', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
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

describe('sign-in CLI commands', () => {
  it('creates a group and a member, and refuses a wrong type and a SCIM group', async () => {
    json(await cli('db', 'migrate'));
    const tenant = json(await cli('tenant', 'create', '--name', 'Cli School', '--owner-email', 'owner@cli-signin.test', '--owner-password', 'a long cli password'));
    const group = json(await cli('group', 'create', '--tenant', tenant.tenantId!, '--name', 'Contractors', '--type', 'repeat'));
    expect(group.groupId).toMatch(/^[0-9a-f-]{36}$/);
    const member = json(await cli('member', 'create', '--tenant', tenant.tenantId!, '--group', group.groupId!, '--name', 'Ada Lovelace', '--email', 'ada@example.org', '--role', 'Electrician'));
    expect(member.memberId).toMatch(/^[0-9a-f-]{36}$/);
    const wrongType = await cli('group', 'create', '--tenant', tenant.tenantId!, '--name', 'X', '--type', 'vip');
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain('--type');
    const scim = json(await cli('group', 'create', '--tenant', tenant.tenantId!, '--name', 'Okta', '--type', 'scim'));
    const refused = await cli('member', 'create', '--tenant', tenant.tenantId!, '--group', scim.groupId!, '--name', 'Manual');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('identity provider');
  }, SPAWN_TIMEOUT * 7);
});
