import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { recordTenant } from '../../test/record-fixtures.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

/**
 * Central Record › Import: a school's own spreadsheet, uploaded, its columns guessed and corrected,
 * every row checked (nothing imported while a row is wrong), then imported all at once.
 */
describe.skipIf(!chromiumPath)('the record import (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  const e2e = useE2e(chromiumPath);

  it('uploads a CSV, corrects a guessed column, refuses a bad row until it is fixed, imports, and the profiles are there', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const h = tenant.owner.headers;
    const { org } = await recordTenant(env, tenant);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'threshold-import-'));
    // "Job description" is not a column name the import knows: it is left for the admin to map (to Role).
    const header = 'Forename,Surname,Email,Job description,Staff type,Date of birth';
    const bad = path.join(dir, 'staff-bad.csv');
    writeFileSync(bad, `${header}\nAda,Lovelace,ada@northgate.test,Maths teacher,Teaching,31/01/1990\nAlan,Turing,alan@northgate.test,Caretaker,Support,the 32nd of May\n`);
    const good = path.join(dir, 'staff.csv');
    writeFileSync(good, `${header}\nAda,Lovelace,ada@northgate.test,Maths teacher,Teaching,31/01/1990\nAlan,Turing,alan@northgate.test,Caretaker,Support,31-May-1985\n`);

    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/record/import`);
    await page.getByRole('heading', { name: 'Import a spreadsheet' }).waitFor();
    await page.getByRole('combobox', { name: 'Import into' }).selectOption({ label: 'Northgate Primary' });

    // A row with a date nobody can read: the preview names it and nothing can be imported.
    await page.locator('input[type="file"]').setInputFiles(bad);
    await page.getByRole('button', { name: 'Read the file' }).click();
    await page.getByText('We guessed what each column holds.').waitFor();
    await page.getByRole('combobox', { name: 'Job description' }).selectOption({ label: 'Role' });
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const problems = page.getByRole('table', { name: 'Rows with problems' });
    await problems.getByRole('row').filter({ hasText: 'Row 3' }).filter({ hasText: 'the 32nd of May' }).waitFor();
    await expect(page.getByRole('button', { name: 'Import 2 profiles' }).isDisabled()).resolves.toBe(true);

    // The fixed file: back to the first step, read again (the corrected column is asked again).
    await page.locator('.mantine-Stepper-step').filter({ hasText: 'File' }).click();
    await page.locator('input[type="file"]').setInputFiles(good);
    await page.getByRole('button', { name: 'Read the file' }).click();
    await page.getByText('We guessed what each column holds.').waitFor();
    await page.getByRole('combobox', { name: 'Job description' }).selectOption({ label: 'Role' });
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByText('All 2 rows are valid.').waitFor();
    await page.getByRole('table', { name: 'Sample rows' }).getByRole('cell', { name: 'Alan', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Import 2 profiles' }).click();

    // The summary says what was made, and leads to the profiles.
    await page.getByText('2 profiles were added.').waitFor();
    await screenshot(page, 'record-import-done');
    await page.getByRole('link', { name: 'See them' }).click();
    await page.waitForURL('**/record/profiles');
    await page.getByRole('link', { name: 'Lovelace, Ada' }).waitFor();
    await page.getByRole('link', { name: 'Turing, Alan' }).waitFor();

    // As the file said: the role from the corrected column, the dates read the UK way.
    const list = (await call(env.app, 'GET', `/api/record/profiles?organisationId=${org.id}`, { headers: h })).body.items as Array<{ id: string }>;
    const profiles = await Promise.all(list.map(async (p) => (await call(env.app, 'GET', `/api/record/profiles/${p.id}`, { headers: h })).body as { firstName: string; role: string; dateOfBirth: string | null }));
    expect(profiles.map((p) => `${p.firstName}:${p.role}:${p.dateOfBirth}`).sort()).toEqual(['Ada:Maths teacher:1990-01-31', 'Alan:Caretaker:1985-05-31']);
  });
});
