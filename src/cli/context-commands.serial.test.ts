import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson as json, runCli } from '../../test/cli.js';

// The contexts' CLI commands share one migrated data folder (a migration costs a fresh PGlite).
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threshold-cli-contexts-'));
const cli = (...args: string[]) => runCli(dataDir, args, { PUBLIC_URL: 'https://sign-in.example.org/' });
let tenantId = '';

beforeAll(async () => {
  json(await cli('db', 'migrate'));
  tenantId = json(await cli('tenant', 'create', '--name', 'Cli School', '--owner-email', 'owner@cli-contexts.test', '--owner-password', 'a long cli password')).tenantId!;
}, 300_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('sign-in CLI commands', () => {
  it('creates a group and a member, and refuses a wrong type and a SCIM group', async () => {
    const group = json(await cli('group', 'create', '--tenant', tenantId, '--name', 'Contractors', '--type', 'repeat'));
    expect(group.groupId).toMatch(/^[0-9a-f-]{36}$/);
    const member = json(await cli('member', 'create', '--tenant', tenantId, '--group', group.groupId!, '--name', 'Ada Lovelace', '--email', 'ada@example.org', '--role', 'Electrician'));
    expect(member.memberId).toMatch(/^[0-9a-f-]{36}$/);
    const wrongType = await cli('group', 'create', '--tenant', tenantId, '--name', 'X', '--type', 'vip');
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain('--type');
    const scim = json(await cli('group', 'create', '--tenant', tenantId, '--name', 'Okta', '--type', 'scim'));
    const refused = await cli('member', 'create', '--tenant', tenantId, '--group', scim.groupId!, '--name', 'Manual');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('identity provider');
  }, 600_000);
});

describe('scim token (CLI)', () => {
  it('prints the base URL and a new token; a wrong group fails', async () => {
    const group = json(await cli('group', 'create', '--tenant', tenantId, '--name', 'Okta staff', '--type', 'scim'));
    const first = json(await cli('scim', 'token', '--tenant', tenantId, '--group', group.groupId!));
    expect(first).toEqual({ baseUrl: `https://sign-in.example.org/scim/v2/groups/${group.groupId}`, token: expect.stringMatching(/^thr_scim_/) });
    expect(first.baseUrl).not.toContain('_');
    const second = json(await cli('scim', 'token', '--tenant', tenantId, '--group', group.groupId!));
    expect(second.token).not.toBe(first.token);
    const wrong = await cli('scim', 'token', '--tenant', tenantId, '--group', tenantId);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    const usage = await cli('scim', 'token', '--tenant', tenantId);
    expect(usage.code).toBe(2);
  }, 600_000);
});
