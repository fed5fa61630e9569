import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { call } from '../../test/factories.js';
import { waitFor } from '../../test/wait.js';
import { readXlsx } from '../../src/platform/xlsx.js';
import { addPeriod, todayIn, ukDate } from '../../src/contexts/record/rules/dates.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

describe.skipIf(!chromiumPath)('central record (Chromium)', { timeout: E2E_TEST_TIMEOUT * 2 }, () => {
  const e2e = useE2e(chromiumPath);

  it('creates a profile, records its checks until Inspector ready, sees an expiring check on the dashboard, exports the record', async () => {
    const tenant = await e2e.createTenant({ name: 'Northgate Learning Trust', kind: 'trust' });
    const org = await call(e2e.server.app, 'POST', '/api/record/organisations', { headers: tenant.owner.headers, body: { name: 'Northgate Primary', type: 'maintained' } });
    expect(org.status).toBe(201);
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);

    // Create a profile.
    await page.goto(`${e2e.url}/record/profiles`);
    await page.getByRole('button', { name: 'Add profile' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add profile' });
    await dialog.getByLabel('Organisation').selectOption({ label: 'Northgate Primary' });
    await dialog.getByLabel('Profile type').selectOption({ label: 'Teaching Staff' });
    await dialog.getByRole('textbox', { name: 'First name' }).fill('Ada');
    await dialog.getByRole('textbox', { name: 'Last name' }).fill('Lovelace');
    await dialog.getByRole('textbox', { name: 'Role' }).fill('Year 6 teacher');
    await dialog.getByRole('button', { name: 'Create profile' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await page.getByLabel('Inspector ready: not ready').waitFor();

    // Answer the facts about the post, then record the checks.
    await page.getByLabel('Lived or worked outside the UK', { exact: true }).selectOption('no');
    await page.getByRole('button', { name: 'Save facts' }).click();
    await page.getByRole('table', { name: 'Version history' }).getByText('About the post: Lived or worked outside the UK', { exact: true }).waitFor();
    const today = todayIn(new Date());
    const fill = (label: string, value: string) => page.getByLabel(label, { exact: true }).fill(value);
    await fill('Identity check', '2024-09-01');
    await fill('Identity check: evidence seen', 'Passport');
    await fill('Enhanced DBS', '2024-08-20');
    await fill('Enhanced DBS: certificate number', '001234567890');
    await fill("Children's barred list", '2024-08-20');
    await fill('Prohibition from teaching', '2024-08-21');
    await fill('Professional qualifications', '2024-08-21');
    await fill('Right to work', '2024-09-01');
    await fill('Safeguarding training', addPeriod(addPeriod(today, -1, 'years'), 12, 'days'));
    await page.getByRole('button', { name: 'Save checks' }).click();
    await page.getByLabel('Inspector ready: ready').waitFor();
    await page.getByRole('table', { name: 'Version history' }).getByText('Enhanced DBS', { exact: true }).waitFor();
    await page.getByRole('textbox', { name: 'Role', exact: true }).fill('Head of Year 6');
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.getByRole('table', { name: 'Version history' }).getByRole('row').filter({ hasText: 'Head of Year 6' }).waitFor();
    await screenshot(page, 'record-profile');

    // The dashboard shows the check that runs out soon.
    await page.goto(`${e2e.url}/record`);
    const expiring = page.getByRole('table', { name: 'Expiring checks' });
    await expiring.getByRole('row').filter({ hasText: 'Safeguarding training' }).filter({ hasText: 'Ada Lovelace' }).waitFor();
    await page.getByRole('img', { name: 'Ready and not ready per rating system' }).waitFor();
    await screenshot(page, 'record-dashboard');

    // Export the record.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export XLSX' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^single-central-record-trust-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const sheets = await readXlsx(readFileSync((await download.path())!));
    expect(sheets.map((s) => s.name)).toEqual(['Northgate Primary']);
    const row = sheets[0]!.rows.find((r) => r[0] === 'Lovelace, Ada')!;
    expect(row).toContain('001234567890');

    // The list filters on ready overall (every mandatory rating system: Inspector ready).
    await page.goto(`${e2e.url}/record/profiles`);
    await page.getByLabel('Ready', { exact: true }).selectOption('false');
    await page.getByText('No profiles match.').waitFor();
    await page.getByLabel('Ready', { exact: true }).selectOption('true');
    await page.getByRole('table', { name: 'Profiles' }).getByRole('link', { name: 'Lovelace, Ada' }).waitFor();
    await page.close();
  });

  it('sets a person\'s facts and the checks that apply change; previews and applies a rule set version', async () => {
    const tenant = await e2e.createTenant({ name: 'Eastfield Trust', kind: 'trust' });
    const h = tenant.owner.headers;
    const org = await call(e2e.server.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'Eastfield Primary', type: 'maintained' } });
    const types = (await call(e2e.server.app, 'GET', '/api/record/profile-types', { headers: h })).body.items as Array<{ id: string; key: string }>;
    const made = await call(e2e.server.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: org.body.id, profileTypeId: types.find((t) => t.key === 'support')!.id, firstName: 'Tom', lastName: 'Okafor', role: 'Teaching assistant' } });
    expect(made.status).toBe(201);
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/record/profiles/${made.body.id}`);
    await page.getByRole('heading', { name: 'About the post' }).waitFor();
    await page.getByText('Facts to confirm').waitFor();
    // Support staff do not teach by default: no prohibition check.
    expect(await page.getByLabel('Prohibition from teaching', { exact: true }).count()).toBe(0);
    await page.getByLabel('Teaches', { exact: true }).selectOption('yes');
    await page.getByLabel('Lived or worked outside the UK', { exact: true }).selectOption('no');
    await page.getByRole('button', { name: 'Save facts' }).click();
    await page.getByLabel('Prohibition from teaching', { exact: true }).waitFor();
    expect(await page.getByLabel('Overseas checks', { exact: true }).count()).toBe(0);
    await screenshot(page, 'record-facts');

    // Preview going to the earlier version: the person's rating changes, by name; nothing written until applied.
    await page.goto(`${e2e.url}/record/settings`);
    // The organisation type picker offers non-maintained special schools (KCSIE 2025.3 and later rate them).
    await page.getByRole('tab', { name: 'Organisations' }).click();
    const addOrganisation = page.getByRole('form', { name: 'Add an organisation' });
    await addOrganisation.getByLabel('Type').selectOption('non_maintained_special');
    expect(await addOrganisation.getByLabel('Type').locator('option:checked').textContent()).toBe('Non-maintained special school');
    await page.getByRole('tab', { name: 'Rule set' }).click();
    await page.getByTestId('rule-set-version').getByText('KCSIE 2025.4').waitFor();
    await page.getByLabel('Move to').selectOption('KCSIE 2025');
    await page.getByRole('button', { name: 'Preview' }).click();
    const people = page.getByRole('table', { name: 'Profiles whose rating changes' });
    await people.getByRole('row').filter({ hasText: 'Tom Okafor' }).filter({ hasText: 'no longer needs Prohibition from teaching' }).waitFor();
    expect((await call(e2e.server.app, 'GET', '/api/record/rule-set', { headers: h })).body.version).toBe('KCSIE 2025.4');
    await screenshot(page, 'record-rule-set-preview');
    await page.getByRole('button', { name: 'Apply KCSIE 2025' }).click();
    await page.getByRole('status').getByText('Now running KCSIE 2025').waitFor();
    await page.getByTestId('rule-set-version').getByText('KCSIE 2025', { exact: true }).waitFor();
    await waitFor(async () => (await call(e2e.server.app, 'GET', '/api/record/rule-set', { headers: h })).body.version === 'KCSIE 2025');
    await page.close();
  });

  it('rates the profiles list and a profile on a chosen date: starters come in, a check in date runs out; the date goes along to the profile', async () => {
    const tenant = await e2e.createTenant({ name: 'Westbrook Trust', kind: 'trust' });
    const h = tenant.owner.headers;
    const org = await call(e2e.server.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'Westbrook Primary', type: 'maintained' } });
    const types = (await call(e2e.server.app, 'GET', '/api/record/profile-types', { headers: h })).body.items as Array<{ id: string; key: string }>;
    const teaching = types.find((t) => t.key === 'teaching')!.id;
    const today = todayIn(new Date());
    const startsLater = addPeriod(today, 30, 'days');
    // Safeguarding training lasts 12 months: in date today, run out two months from now.
    const trained = addPeriod(today, -11, 'months');
    const expires = addPeriod(trained, 12, 'months');
    for (const body of [
      { firstName: 'Alan', lastName: 'Turing', startDate: '2020-09-01' },
      { firstName: 'Grace', lastName: 'Hopper', startDate: startsLater, checks: { safeguarding_training: { value: trained } } },
    ]) {
      expect((await call(e2e.server.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: org.body.id, profileTypeId: teaching, role: 'Teacher', ...body } })).status).toBe(201);
    }
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/record/profiles`);
    const table = page.getByRole('table', { name: 'Profiles' });
    const grace = table.getByRole('link', { name: 'Hopper, Grace' });
    await grace.waitFor();

    // Before Grace starts she is not on the record that day.
    const beforeStart = addPeriod(today, 10, 'days');
    await page.getByLabel('Ready on').fill(beforeStart);
    await table.getByRole('columnheader', { name: `Ratings on ${ukDate(beforeStart)}` }).waitFor();
    await waitFor(async () => (await grace.count()) === 0, { what: 'Grace to leave the list before her start date' });
    await table.getByRole('link', { name: 'Turing, Alan' }).waitFor();
    expect(new URL(page.url()).searchParams.get('asOf')).toBe(beforeStart);

    // After her start and after her training runs out: listed, and her profile opens on that date.
    const later = addPeriod(expires, 5, 'days');
    await page.getByLabel('Ready on').fill(later);
    await grace.waitFor();
    await grace.click();
    await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    expect(new URL(page.url()).searchParams.get('asOf')).toBe(later);
    await page.getByText(`As of ${ukDate(later)}`).waitFor();
    await page.getByText(`Safeguarding training expired on ${ukDate(expires)}`).first().waitFor();
    // Today (date cleared) the training is in date.
    await page.getByLabel('Ready on').fill('');
    await page.getByText(`As of ${ukDate(today)}`).waitFor();
    expect(await page.getByText('Safeguarding training expired on').count()).toBe(0);
    await screenshot(page, 'record-profile-as-of');
    await page.close();
  });

  it('sets the record up: an organisation, a trust check with a condition built visually; statutory checks stay on', async () => {
    const tenant = await e2e.createTenant({ kind: 'trust' });
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/record/settings`);
    await page.getByRole('textbox', { name: 'Name' }).fill('Northgate Academy');
    await page.getByLabel('Type', { exact: true }).selectOption('academy');
    await page.getByRole('button', { name: 'Add organisation' }).click();
    await page.getByRole('table', { name: 'Organisations' }).getByText('Northgate Academy').waitFor();

    await page.getByRole('tab', { name: 'Checks' }).click();
    await expect(page.getByRole('switch', { name: 'Use Enhanced DBS' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Add a check' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a check' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Lanyard issued');
    // A school's own check with no school chosen: the server's message lands on the School field.
    await dialog.getByLabel('For', { exact: true }).selectOption('organisation');
    await dialog.getByRole('button', { name: 'Add check' }).click();
    await dialog.getByText('A school’s own check names its organisation').waitFor();
    await waitFor(async () => (await dialog.getByLabel('School', { exact: true }).getAttribute('aria-invalid')) === 'true', { what: 'the School field to carry the error' });
    await dialog.getByLabel('For', { exact: true }).selectOption('tenant');
    await dialog.getByLabel('Kind of value').selectOption('yesno');
    await dialog.getByRole('button', { name: 'Add condition' }).click();
    await dialog.getByRole('textbox', { name: 'Value 1' }).fill('teacher');
    await dialog.getByRole('button', { name: 'Add check' }).click();
    await page.getByRole('table', { name: 'Checks' }).getByText('Lanyard issued').waitFor();
    const checks = await call(e2e.server.app, 'GET', '/api/record/checks', { headers: tenant.owner.headers });
    const lanyard = checks.body.items.find((c: { name: string }) => c.name === 'Lanyard issued');
    expect(lanyard.condition.conditions).toHaveLength(1);
    expect(lanyard.condition.conditions[0].value).toBe('teacher');
    await screenshot(page, 'record-settings');

    // Rating systems: the mandatory one stays on; a rule per profile type can name its checks.
    await page.getByRole('tab', { name: 'Rating systems' }).click();
    await page.getByLabel('School ready rule for Volunteers').selectOption('list');
    // Each tick is saved, then shown from the saved rating system.
    for (const name of ['Enhanced DBS', 'Written risk assessment']) {
      await page.getByRole('checkbox', { name }).click();
      await page.getByRole('checkbox', { name, checked: true }).waitFor();
    }
    const rulesOf = async () => (await call(e2e.server.app, 'GET', '/api/record/rating-systems', { headers: tenant.owner.headers })).body.items.find((x: { key: string }) => x.key === 'school_ready').rules;
    const want = { volunteer: { require: ['enhanced_dbs', 'risk_assessment'] } };
    await waitFor(async () => JSON.stringify(await rulesOf()) === JSON.stringify(want), { what: 'the named-checks rule to be saved' });
    expect(await rulesOf()).toEqual(want);
    await expect(page.getByRole('switch', { name: 'Enabled' }).first().isDisabled()).resolves.toBe(true);

    // Access: a manager given edit on this school alone reaches only it.
    const manager = await tenant.as('manager');
    await page.getByRole('tab', { name: 'Access' }).click();
    await page.getByLabel(`${manager.email} access to Northgate Academy`).selectOption('edit');
    const scopesOf = async () => (await call(e2e.server.app, 'GET', '/api/users', { headers: tenant.owner.headers })).body.items.find((u: { id: string }) => u.id === manager.id).scopes;
    await waitFor(async () => (await scopesOf()).length === 1, { what: 'the scope to be saved' });
    const academy = (await call(e2e.server.app, 'GET', '/api/record/organisations', { headers: tenant.owner.headers })).body.items.find((o: { name: string }) => o.name === 'Northgate Academy');
    expect(await scopesOf()).toEqual([{ kind: 'organisation', refId: academy.id, level: 'edit' }]);
    await page.getByRole('table', { name: 'Record access' }).getByText('1 school').waitFor();
    await page.close();
  });
});
