import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../config.js';
import { useTestEnv } from '../../test/harness.js';
import { call } from '../../test/factories.js';
import { createLogger } from '../platform/logger.js';
import { integrationTenant } from '../contexts/integration/test/integration.testkit.js';
import { fakeEmployee, startFakeWonde, type FakeWonde } from '../contexts/integration/wonde/test/fake-wonde.js';
import type { CliContext } from './command.js';
import { commands } from './commands/index.js';
import { randomUUID } from 'node:crypto';

/** The integration commands run in-process on the test platform: progress on stderr, the run as JSON. */
let fake: FakeWonde;
const overrides: Partial<Config> = {};
beforeAll(async () => {
  fake = await startFakeWonde();
  Object.assign(overrides, { wondeApiUrl: fake.url });
});
afterAll(() => fake.close());
const env = useTestEnv({ configOverrides: overrides });

function context() {
  const lines: string[] = [];
  const ctx: CliContext = {
    config: env.config,
    log: createLogger('silent'),
    database: async () => env.platform.database,
    platform: async () => env.platform,
    contexts: async () => env.contexts,
    progress: (m) => lines.push(m),
  };
  return { ctx, lines };
}
const command = (name: string) => commands.find((c) => c.name === name)!;

describe('integration CLI commands', () => {
  it('import (per organisation), push into a linked group, merge-all and wonde-sync run the job with progress lines', async () => {
    const x = await integrationTenant(env);
    const staff = await x.group({ name: 'Staff', type: 'repeat', isStaffGroup: true });
    await x.link(staff.id);
    await x.member(staff.id, { fullName: 'Ann Import', email: 'ann@school.test', role: 'Teacher' });
    await x.member(staff.id, { fullName: 'Bob Import', email: 'bob@school.test', role: 'Teacher' });
    await x.profile({ firstName: 'Ann', lastName: 'Import', email: 'ann@school.test' });

    const usage = command('integration import').run(context().ctx, { tenant: 'nope' });
    await expect(usage).rejects.toMatchObject({ code: 'tenant_not_found' });
    await expect(command('integration import').run(context().ctx, {})).rejects.toThrow(/^Missing option: --tenant$/);

    const imp = context();
    const run = (await command('integration import').run(imp.ctx, { tenant: x.t.tenantId, organisation: x.rec.org.id })) as Record<string, unknown>;
    expect(run).toMatchObject({ kind: 'import', status: 'done', total: 2, done: 2, percent: 100 });
    expect(imp.lines[0]).toMatch(/^import: run [0-9a-f-]{36} started$/);
    expect(imp.lines).toContain('import: 2/2 (100%) created 2, updated 0, skipped 0, failed 0');
    expect(imp.lines.at(-1)).toBe('import: done, 2/2');

    // The duplicate (same email) was queued; merge-all merges it.
    const merged = context();
    expect(await command('integration merge-all').run(merged.ctx, { tenant: x.t.tenantId })).toMatchObject({ kind: 'merge_all', status: 'done', total: 1 });
    expect(merged.lines.some((l) => /^merge all: 1\/1 \(100%\)/.test(l))).toBe(true);

    const contractors = await x.group({ name: 'Contractors', type: 'repeat' });
    await x.link(contractors.id);
    await x.profile({ firstName: 'Cy', lastName: 'Support', email: 'cy@school.test', typeKey: 'support' });
    const push = context();
    const pushed = await command('integration push').run(push.ctx, { tenant: x.t.tenantId, group: contractors.id, 'profile-types': x.rec.typeId('support') });
    expect(pushed).toMatchObject({ kind: 'push', status: 'done', total: 1, created: 1 });
    const listed = (await call(env.app, 'GET', `/api/signin/groups/${contractors.id}/members`, { headers: x.h })).body;
    expect(JSON.stringify(listed)).toContain('Cy Support');
    await expect(command('integration push').run(context().ctx, { tenant: x.t.tenantId, group: contractors.id, 'profile-types': 'teaching' })).rejects.toThrow(/^--profile-types: /);

    const school = fake.addSchool({ id: `CLI${Date.now()}`, employees: [fakeEmployee({ id: 'WC1', forename: 'Wyn', surname: 'Wonde', email: 'wyn@school.test' })] });
    await call(env.app, 'PUT', `/api/integration/organisations/${x.rec.org.id}/wonde`, { headers: x.h, body: { schoolId: school.id, token: school.token } });
    const w = context();
    expect(await command('integration wonde-sync').run(w.ctx, { tenant: x.t.tenantId, organisation: x.rec.org.id })).toMatchObject({ kind: 'wonde_sync', status: 'done', created: 1 });
    expect(w.lines.at(-1)).toBe('wonde sync: done, 1/1');
  });

  it('--tenant takes the tenant name where it is unique; an ambiguous or unknown name is a clear error', async () => {
    const accounts = env.contexts.accounts.service;
    const name = `Cli Named ${randomUUID().slice(0, 8)}`;
    const { tenant } = await accounts.createTenant({ name, ownerEmail: `owner.${randomUUID().slice(0, 8)}@cli.test`, ownerPassword: 'a long enough password' });
    const { ctx } = context();
    const made = (await command('group create').run(ctx, { tenant: name.toUpperCase(), name: 'By name', type: 'repeat' })) as { groupId: string };
    const groups = await env.contexts.signin.groups.list(tenant.id, null);
    expect(groups.map((g: { id: string }) => g.id)).toContain(made.groupId);
    await accounts.createTenant({ name, ownerEmail: `owner.${randomUUID().slice(0, 8)}@cli.test`, ownerPassword: 'a long enough password' });
    await expect(command('group create').run(ctx, { tenant: name, name: 'Twice', type: 'repeat' })).rejects.toMatchObject({ code: 'tenant_name_ambiguous', status: 409 });
    await expect(command('group create').run(ctx, { tenant: 'No Such Tenant Anywhere', name: 'X', type: 'repeat' })).rejects.toMatchObject({ code: 'tenant_not_found', status: 404 });
  });
});
