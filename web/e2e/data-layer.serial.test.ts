import { describe, expect, it } from 'vitest';
import type { TestEnv } from '../../test/harness.js';
import { makeGroup, makeSite } from '../../test/signin-factories.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

/** The two pages that show the web data layer's pattern (queries, mutations, @mantine/form, QueryState). */
describe.skipIf(!chromiumPath)('pages on the data layer (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  const e2e = useE2e(chromiumPath);

  it('API keys: a server field error lands on its field; a new key shows once and joins the list; revoking updates the row', async () => {
    const tenant = await e2e.createTenant();
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/settings/api-keys`);
    await page.getByText('No API keys yet.').waitFor();

    const name = page.getByRole('textbox', { name: 'Name' });
    await name.fill('x'.repeat(101)); // the server allows 100
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').count()).toBe(0); // on the field, not at the top of the form

    await name.fill('HR system export');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('Key “HR system export” created').waitFor();
    const secret = await page.getByRole('textbox', { name: 'API key' }).inputValue();
    expect(secret.length).toBeGreaterThan(20);
    expect(await name.inputValue()).toBe('');
    const table = page.getByRole('table', { name: 'API keys' });
    await table.getByRole('cell', { name: 'HR system export', exact: true }).waitFor();

    await table.getByRole('button', { name: 'Revoke HR system export' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await table.getByText('revoked').waitFor();
    await screenshot(page, 'api-keys-revoked');
    await page.close();
  });

  it('Audit log: a filter shows only its entries, one that matches nothing says so, and Clear brings back the rest', async () => {
    const tenant = await e2e.createTenant();
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/settings/api-keys`);
    await page.getByRole('textbox', { name: 'Name' }).fill('Audit me');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('Key “Audit me” created').waitFor();

    await page.goto(`${e2e.url}/settings/audit`);
    const table = page.getByRole('table', { name: 'Audit log entries' });
    await table.getByText('apikey.created').waitFor();
    const action = page.getByRole('textbox', { name: 'Action' });
    await action.fill('nothing.*');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No entries match.').waitFor();
    await action.fill('apikey.*');
    await page.getByRole('button', { name: 'Filter' }).click();
    await table.getByText('API key Audit me created').waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Clear' }).click();
    expect(await action.inputValue()).toBe('');
    await table.getByText('apikey.created').waitFor();
    await page.close();
  });

  it('Sites: adding a site shows it at once; a group added and saved stays after a reload', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const existing = await makeSite(env, tenant, { name: 'Main building' });
    await makeGroup(env, tenant, { name: 'Visitors' }, []);
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/signin/sites`);
    await page.getByRole('region', { name: `Site ${existing.name}` }).waitFor();

    await page.getByRole('textbox', { name: 'Name' }).fill('Sports hall');
    await page.getByRole('textbox', { name: 'Address' }).fill('1 Field Lane');
    await page.getByRole('button', { name: 'Add site' }).click();
    const hall = page.getByRole('region', { name: 'Site Sports hall' });
    await hall.getByText('1 Field Lane').waitFor();
    expect(await page.getByRole('textbox', { name: 'Name' }).inputValue()).toBe('');

    const save = hall.getByRole('button', { name: 'Save groups' });
    expect(await save.isDisabled()).toBe(true);
    await hall.getByRole('textbox', { name: 'Add a group to Sports hall' }).click();
    await page.getByRole('option', { name: 'Visitors' }).click();
    await hall.getByText('Visitors').waitFor();
    await save.click();
    await expect.poll(() => save.isDisabled()).toBe(true);

    await page.reload();
    await page.getByRole('region', { name: 'Site Sports hall' }).getByText('Visitors').waitFor();
    await page.close();
  });
});
