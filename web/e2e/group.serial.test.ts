import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, scopedUser, setScopes } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { makeGroup, makeSite } from '../../test/signin-factories.js';
import { axe, E2E_TEST_TIMEOUT, findChromiumOrSkip, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

/** A repeat group's page: its roster imported from a CSV, members archived and restored, a question at sign-in. */
describe.skipIf(!chromiumPath)('a group page (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  const e2e = useE2e(chromiumPath);

  it('imports a roster (a bad row first), archives and restores a member, and adds a question that turns people away', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const h = tenant.owner.headers;
    const site = await makeSite(env, tenant, { name: 'Main office' });
    const group = await makeGroup(env, tenant, { name: 'Volunteers' }, [site.id]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'threshold-roster-'));
    const bad = path.join(dir, 'roster-bad.csv');
    writeFileSync(bad, 'fullName,role,email\nAda Lovelace,Reader,ada@northgate.test\nBob Builder,Gardener,not-an-email\n');
    const good = path.join(dir, 'roster.csv');
    writeFileSync(good, 'fullName,role,email\nAda Lovelace,Reader,ada@northgate.test\nBob Builder,Gardener,bob@northgate.test\n');

    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/signin/groups/${group.id}`);
    await page.getByRole('heading', { name: 'Volunteers' }).waitFor();

    // The preview names the bad row; nothing is imported.
    await page.locator('input[type="file"]').setInputFiles(bad);
    const problems = page.getByRole('alert').filter({ hasText: 'nothing will be imported until every row is right' });
    await problems.getByRole('row').filter({ has: page.getByRole('cell', { name: '3', exact: true }) }).getByRole('cell', { name: 'email', exact: true }).waitFor();
    expect((await call(env.app, 'GET', `/api/signin/groups/${group.id}/members`, { headers: h })).body.total).toBe(0);

    // The right file: checked, then imported, and the roster shows it.
    await page.locator('input[type="file"]').setInputFiles(good);
    await page.getByRole('button', { name: 'Import 2 members' }).click();
    await page.getByText('2 members imported.').waitFor();
    await page.getByRole('cell', { name: 'Bob Builder', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'Ada Lovelace', exact: true }).waitFor();

    // Archive Bob: he leaves the active roster and is found among the archived, from where he comes back.
    await page.getByRole('row').filter({ hasText: 'Bob Builder' }).getByRole('button', { name: 'Archive' }).click();
    await page.getByRole('cell', { name: 'Bob Builder', exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('textbox', { name: 'Show' }).click();
    await page.getByRole('option', { name: 'Archived' }).click();
    await page.getByRole('row').filter({ hasText: 'Bob Builder' }).getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('cell', { name: 'Bob Builder', exact: true }).waitFor({ state: 'detached' });
    const bob = (await call(env.app, 'GET', `/api/signin/groups/${group.id}/members?q=Bob`, { headers: h })).body.items[0];
    expect(bob.archived).toBe(false);

    // A yes/no question; "yes" turns the person away with a message.
    await page.getByRole('button', { name: 'Add a question' }).click();
    await page.getByRole('textbox', { name: 'Question' }).fill('Do you have a fever?');
    await page.getByRole('textbox', { name: 'Reject the sign-in on this answer' }).click();
    await page.getByRole('option', { name: 'yes', exact: true }).click();
    await page.getByRole('textbox', { name: 'Message shown' }).fill('Please go home and rest.');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = (await call(env.app, 'GET', `/api/signin/groups/${group.id}`, { headers: h })).body.options.customFields;
    expect(saved).toEqual([{ id: 'q1', label: 'Do you have a fever?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Please go home and rest.' } }]);
  });

  it('a new group says no kiosk shows it until it is on a site and leads there; an empty roster says how to fill it; the pairing code names the kiosk address', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    await makeSite(env, tenant, { name: 'Riverside campus' });
    const group = await makeGroup(env, tenant, { name: 'Coaches' });
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/signin/groups/${group.id}`);
    await page.getByRole('heading', { name: 'Coaches' }).waitFor();
    const notOnASite = page.getByRole('alert').filter({ hasText: 'No kiosk shows this group until it is added to a site.' });
    await notOnASite.waitFor();
    await page.getByText('No members yet: add them one by one above, or import a CSV').waitFor();
    await page.getByRole('textbox', { name: 'Search members' }).fill('nobody');
    await page.getByText('No member matches “nobody”.').waitFor();

    await notOnASite.getByRole('link', { name: 'Sign-in › Sites' }).click();
    const site = page.getByRole('region', { name: 'Site Riverside campus' });
    await site.getByRole('textbox', { name: 'Add a group to Riverside campus' }).click();
    await page.getByRole('option', { name: 'Coaches' }).click();
    await site.getByRole('button', { name: 'Save groups' }).click();
    await site.getByRole('button', { name: 'Pair a kiosk' }).click();
    await expect(site.getByTestId('kiosk-address').textContent()).resolves.toBe(`${e2e.url}/kiosk`);

    await page.goto(`${e2e.url}/signin/groups/${group.id}`);
    await page.getByText('Shown on the kiosks of:').getByRole('link', { name: 'Riverside campus' }).waitFor();
    expect(await notOnASite.count()).toBe(0);

    // "Safety check settings" lands on a page, and a navigation item, that say "Safety check" (it said "Block list").
    await page.getByRole('link', { name: 'Safety check settings' }).click();
    await page.getByRole('heading', { name: 'Safety check, block list and retention' }).waitFor();
    await expect(page.getByRole('navigation', { name: 'Main navigation' }).locator('[aria-current="page"]').textContent()).resolves.toBe('Safety check');
  });

  it('offers as contacts only the active people who reach the group’s sites, and marks one who no longer does, or is disabled, until taken off', async () => {
    const tenant = await e2e.createTenant({ kind: 'trust' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config, contexts: e2e.server.contexts } as TestEnv;
    const h = tenant.owner.headers;
    const north = await makeSite(env, tenant, { name: 'North' });
    const south = await makeSite(env, tenant, { name: 'South' });
    const group = await makeGroup(env, tenant, { name: 'Visitors' }, [north.id]);
    const whole = await tenant.as('admin');
    const northOffice = await scopedUser(env, tenant, 'manager', [{ kind: 'site', refId: north.id, level: 'edit' }]);
    const southOffice = await scopedUser(env, tenant, 'manager', [{ kind: 'site', refId: south.id, level: 'edit' }]);
    const gone = await tenant.as('viewer');
    expect((await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: h, body: { contactIds: [northOffice.id, gone.id] } })).status).toBe(200);
    // North's office moves to South after being made a contact, and the viewer's account is disabled: neither is told.
    await setScopes(env, tenant, northOffice.id, [{ kind: 'site', refId: south.id, level: 'edit' }]);
    expect((await call(env.app, 'PATCH', `/api/users/${gone.id}`, { headers: h, body: { disabled: true } })).status).toBe(200);

    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/signin/groups/${group.id}`);
    await page.getByRole('heading', { name: 'Visitors' }).waitFor();
    const notTold = page.getByTestId('contacts-not-told');
    await notTold.filter({ hasText: `${northOffice.email}: reaches none of the sites this group is shown at` }).waitFor();
    await notTold.filter({ hasText: `${gone.email}: their account is disabled` }).waitFor();

    // Saved as it is, the server refuses the disabled contact first; the picker says who.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const picker = page.getByRole('textbox', { name: "Contacts (notified of this group's events)" });
    const disabledRefusal = page.getByText(`${gone.email}: A contact's account is disabled: they would never be told`);
    await disabledRefusal.waitFor();
    expect(await axe(page)).toEqual([]);
    await picker.click();
    await page.getByRole('option', { name: `${gone.email} — account disabled: remove` }).click();
    await page.keyboard.press('Escape');
    await disabledRefusal.waitFor({ state: 'detached' });
    await notTold.filter({ hasText: gone.email }).waitFor({ state: 'detached' });

    // Saved again, the server refuses the moved contact; the picker says who.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const refusal = page.getByText(`${northOffice.email}: A contact's account does not reach any site this group is shown at`);
    await refusal.waitFor();
    expect(await axe(page)).toEqual([]);

    // Only the people who reach North are offered: the unscoped admin, not South's office.
    await picker.click();
    await page.getByRole('option', { name: whole.email }).click();
    expect(await page.getByRole('option', { name: southOffice.email }).count()).toBe(0);
    // The moved contact is listed, marked, and taken off.
    await page.getByRole('option', { name: `${northOffice.email} — reaches none of this group’s sites: remove` }).click();
    await page.keyboard.press('Escape');
    await refusal.waitFor({ state: 'detached' });
    await notTold.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await call(env.app, 'GET', `/api/signin/groups/${group.id}`, { headers: h })).body.contactIds).toEqual([whole.id]);
  });
});
