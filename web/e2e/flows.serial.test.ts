import { describe, expect, it } from 'vitest';
import { call } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { waitFor } from '../../test/wait.js';
import { makeGroup } from '../../test/signin-factories.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

/** The seed's flows around a linked repeat group: a member added and edited in the UI, its profile made by a job. */
describe.skipIf(!chromiumPath)('linked group flows (Chromium)', { timeout: E2E_TEST_TIMEOUT * 2 }, () => {
  const e2e = useE2e(chromiumPath);

  it('a member added to a linked group has a profile within seconds; members can be edited; Settings shows the tenant id', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const h = tenant.owner.headers;
    const org = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'Northgate Primary', type: 'maintained' } });
    const staff = await makeGroup(env, tenant, { name: 'Staff', isStaffGroup: true });
    expect((await call(env.app, 'PUT', `/api/integration/groups/${staff.id}/link`, { headers: h, body: { organisationId: org.body.id } })).status).toBe(200);

    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/signin/groups/${staff.id}`);
    const add = page.getByRole('form', { name: 'Add a member' });
    await add.getByRole('textbox', { name: 'Full name' }).fill('Nia Newcomer');
    await add.getByRole('textbox', { name: 'Role' }).fill('Teacher');
    await add.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('cell', { name: 'Nia Newcomer', exact: true }).waitFor();

    // The import job makes her profile without anyone pressing Import.
    const profile = await waitFor(
      async () => ((await call(env.app, 'GET', `/api/record/profiles?organisationId=${org.body.id}`, { headers: h })).body.items as Array<{ id: string; firstName: string; role: string }>).find((p) => p.firstName === 'Nia'),
      { what: "the new member's profile" },
    );
    expect(profile.role).toBe('Teacher');

    // Edit her: a bad email lands on its field; a good edit saves and reaches her profile by the sync job.
    await page.getByRole('button', { name: 'Edit Nia Newcomer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Nia Newcomer' });
    await dialog.getByRole('textbox', { name: 'Email' }).fill('not-an-email');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.locator('[aria-invalid="true"]').first().waitFor();
    await dialog.getByRole('textbox', { name: 'Email' }).fill('nia@northgate.test');
    await dialog.getByRole('textbox', { name: 'Role' }).fill('Head of Year 3');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('cell', { name: 'Head of Year 3', exact: true }).waitFor();
    await waitFor(async () => (await call(env.app, 'GET', `/api/record/profiles/${profile.id}`, { headers: h })).body.role === 'Head of Year 3', { what: 'the edit to reach the profile' });

    // The tenant id the CLI takes, with a copy button.
    await page.goto(`${e2e.url}/settings/security`);
    await expect(page.getByRole('textbox', { name: 'Tenant id' }).inputValue()).resolves.toBe(tenant.tenantId);
    await page.getByRole('button', { name: 'Copy tenant id' }).waitFor();
  });
});
