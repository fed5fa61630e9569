import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { recordTenant } from '../../test/record-fixtures.js';
import { fakeEmployee, startFakeWonde, type FakeWonde } from '../../src/contexts/integration/wonde/test/fake-wonde.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

/**
 * Integrations › Wonde against the protocol-faithful fake Wonde server (its URL is the server's
 * WONDE_API_URL): connect a school, map a field, sync, and see what the sync made.
 */
describe.skipIf(!chromiumPath)('the Wonde connector (Chromium, fake Wonde)', { timeout: E2E_TEST_TIMEOUT }, () => {
  let fake: FakeWonde;
  // Before the server starts: its config takes the fake's address.
  beforeAll(async () => {
    fake = await startFakeWonde({ mode: 'cursor' });
  });
  afterAll(async () => {
    await fake?.close();
  });
  const e2e = useE2e(chromiumPath, { env: () => ({ WONDE_API_URL: fake.url }) });

  it('connects a school with its token, maps first names to the legal forename, syncs, and shows the run and the people it made', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const h = tenant.owner.headers;
    const { org, typeId } = await recordTenant(env, tenant);
    // Three employees (the fake pages by cursor, as Wonde does), one of them support staff.
    const school = fake.addSchool({
      id: 'A1930499544',
      employees: [
        fakeEmployee({ id: 'W1', upi: 'UPI-W1', forename: 'Sandy', legal_forename: 'Alexandra', surname: 'Brown', email: 'sandy@northgate.test', teaching: true }),
        fakeEmployee({ id: 'W2', upi: 'UPI-W2', forename: 'Chris', surname: 'Green', email: 'chris@northgate.test', teaching: false, role: 'Librarian' }),
        fakeEmployee({ id: 'W3', upi: 'UPI-W3', forename: 'Dee', surname: 'Grey', email: 'dee@northgate.test', teaching: true }),
      ],
    });

    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/integrations/wonde`);
    await page.getByRole('heading', { name: 'Wonde' }).waitFor();
    // The only organisation is chosen; no connection yet, so nothing to sync.
    await page.getByRole('textbox', { name: 'Wonde school id' }).fill(school.id);
    await page.getByLabel('API token', { exact: true }).fill(school.token);
    // First name: the legal forename where there is one, else the forename.
    const firstName = page.getByRole('textbox', { name: 'Wonde fields for First name' });
    await firstName.click();
    await page.getByRole('option', { name: 'legal_forename', exact: true }).click();
    await page.getByRole('option', { name: 'forename', exact: true }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save connection' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    // The token is stored, never shown again.
    await page.getByText('A token is saved; it is never shown.', { exact: false }).waitFor();
    const saved = (await call(env.app, 'GET', `/api/integration/organisations/${org.id}/wonde`, { headers: h })).body.connection;
    expect(saved).toMatchObject({ schoolId: school.id, hasToken: true, enabled: true, mapping: { fields: { firstName: ['legal_forename', 'forename'] } } });
    expect(JSON.stringify(saved)).not.toContain(school.token);

    // Sync now: the live progress bar runs to done, with what the run did.
    fake.requests.length = 0;
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('[data-run-status="done"]').waitFor({ timeout: 30_000 });
    await page.getByText('Created 3 · updated 0 · skipped 0 · failed 0').waitFor();
    // The fake saw the token the way Wonde expects it, on every page of the listing.
    expect(fake.requests.filter((r) => r.path === `/v1.0/schools/${school.id}/employees`).length).toBeGreaterThanOrEqual(1);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${school.token}`)).toBe(true);

    // The last sync's log names the people it made, each linking to the profile.
    const log = page.getByRole('table', { name: 'Sync log' });
    for (const name of ['Alexandra Brown', 'Chris Green', 'Dee Grey']) await log.getByRole('link', { name }).waitFor();
    await screenshot(page, 'wonde-synced');
    await log.getByRole('link', { name: 'Alexandra Brown' }).click();
    await page.waitForURL('**/record/profiles/*');

    // In the record: the mapping chose the legal forename; teaching and support staff get their types.
    const profiles = (await call(env.app, 'GET', `/api/record/profiles?organisationId=${org.id}`, { headers: h })).body.items as Array<{ firstName: string; lastName: string; profileTypeId: string }>;
    expect(profiles.map((p) => `${p.firstName} ${p.lastName}`).sort()).toEqual(['Alexandra Brown', 'Chris Green', 'Dee Grey']);
    expect(profiles.find((p) => p.lastName === 'Green')!.profileTypeId).toBe(typeId('support'));
    expect(profiles.find((p) => p.lastName === 'Brown')!.profileTypeId).toBe(typeId('teaching'));
  });
});
