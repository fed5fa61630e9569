import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { openDatabase } from '../platform/db/database.js';
import { createPlatform } from '../platform/bootstrap.js';
import { createLogger } from '../platform/logger.js';
import { testConfig } from '../../test/harness.js';
import { cliJson as json, runCli } from '../../test/cli.js';

const SPAWN_TIMEOUT = 120_000;
const dirs: string[] = [];

function tempDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threshold-cli-'));
  dirs.push(dir);
  return dir;
}

const cli = (dataDir: string, ...args: string[]) => runCli(dataDir, args);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the CLI', () => {
  const dataDir = tempDir();
  let tenantId = '';
  let apiKey = '';
  let userId = '';

  it('migrates, creates a tenant, a user and an API key, printing only JSON on stdout', async () => {
    const migrated = json(await cli(dataDir, 'db', 'migrate'));
    expect(migrated.migrated).toBe(true);
    const tenant = json(
      await cli(dataDir, 'tenant', 'create', '--name', 'Cli Academy', '--owner-email', 'owner@cli.test', '--owner-password', 'a long cli password', '--kind', 'trust'),
    );
    expect(tenant.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(tenant.userId).toMatch(/^[0-9a-f-]{36}$/);
    tenantId = tenant.tenantId!;
    const user = json(await cli(dataDir, 'user', 'create', '--tenant', tenantId, '--email', 'viewer@cli.test', '--password', 'a long cli password', '--role', 'viewer'));
    userId = user.userId!;
    const key = await cli(dataDir, 'apikey', 'create', '--tenant', tenantId, '--name', 'from the cli');
    apiKey = json(key).apiKey!;
    expect(apiKey).toMatch(/^thr_key_/);
    expect(key.stderr).toContain('shown only now');
  }, SPAWN_TIMEOUT * 4);

  it('answers database_locked while another process holds the folder; the key works against an app on it', async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
    const platform = await createPlatform(testConfig(dataDir), { database, log: createLogger('silent') });
    const app = await buildApp(platform, { logger: false, serveWeb: false });
    try {
      const locked = await cli(dataDir, 'user', 'create', '--tenant', tenantId, '--email', 'late@cli.test', '--password', 'a long cli password', '--role', 'viewer');
      expect(locked.code).toBe(1);
      expect(locked.stdout).toBe('');
      expect(JSON.parse(locked.stderr.trim().split('\n').at(-1)!).error.code).toBe('database_locked');
      const res = await app.inject({ method: 'GET', url: '/api/users', headers: { authorization: `Bearer ${apiKey}` } });
      expect(res.statusCode).toBe(200);
      const emails = (res.json() as { items: { id: string; email: string; role: string }[] }).items.map((u) => `${u.email}:${u.role}`);
      expect(emails.sort()).toEqual(['owner@cli.test:owner', 'viewer@cli.test:viewer']);
      expect(res.json().items.some((u: { id: string }) => u.id === userId)).toBe(true);
      const audit = await database.query<{ action: string; actor_label: string }>(
        'SELECT action, actor_label FROM audit_log WHERE tenant_id = $1 ORDER BY at',
        [tenantId],
      );
      expect(audit.rows).toEqual([
        { action: 'tenant.created', actor_label: 'cli' },
        { action: 'user.created', actor_label: 'cli' },
        { action: 'apikey.created', actor_label: 'cli' },
      ]);
    } finally {
      await app.close();
      await database.close();
    }
  }, SPAWN_TIMEOUT);

  it('backs up and restores the embedded database, refusing to overwrite one unless --force', async () => {
    const file = path.join(tempDir(), 'threshold.tgz');
    const backup = json(await cli(dataDir, 'db', 'backup', '--to', file));
    expect(backup.backup).toBe(file);
    expect(statSync(file).size).toBeGreaterThan(1000);
    const refused = await cli(dataDir, 'db', 'restore', '--from', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('restore_target_not_empty');
    const elsewhere = tempDir();
    json(await cli(elsewhere, 'db', 'restore', '--from', file));
    expect(existsSync(path.join(elsewhere, 'pglite', 'PG_VERSION'))).toBe(true);
    const restored = await openDatabase({ kind: 'pglite', dataDir: path.join(elsewhere, 'pglite') });
    try {
      const { rows } = await restored.query<{ name: string }>('SELECT name FROM tenants WHERE id = $1', [tenantId]);
      expect(rows).toEqual([{ name: 'Cli Academy' }]);
    } finally {
      await restored.close();
    }
  }, SPAWN_TIMEOUT * 4);

  it('exits 2 on wrong usage, naming the problem on stderr', async () => {
    const missing = await cli(dataDir, 'tenant', 'create', '--name', 'No Owner');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('--owner-email');
    expect(missing.stderr).toContain('Usage: tenant create');
    expect(missing.stderr).toContain('Missing options: --owner-email, --owner-password');
  }, SPAWN_TIMEOUT);

  it('prints a command\'s help with --help (exit 0), without needing its options', async () => {
    const help = await cli(tempDir(), 'group', 'create', '--help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: npm run --silent cli -- group create --tenant TENANT --name NAME --type TYPE');
    expect(help.stdout).toContain('--tenant takes the tenant id');
  }, SPAWN_TIMEOUT);
});
