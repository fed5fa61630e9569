import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { call, scopedUser, setScopes } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { makeSite } from '../../test/signin-factories.js';
import { recordTenant } from '../../test/record-fixtures.js';
import { axe, E2E_TEST_TIMEOUT, findChromiumOrSkip, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

describe.skipIf(!chromiumPath)('a user’s reach, edited in Settings › Users (Chromium)', { timeout: E2E_TEST_TIMEOUT * 2 }, () => {
  const e2e = useE2e(chromiumPath);

  /** The areas the main navigation offers, of those a reach decides (the manager keeps their organisation throughout, so its area is awaited first). */
  async function areasOffered(page: Page): Promise<string[]> {
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByText('Central Record', { exact: true }).waitFor({ state: 'attached' });
    const offered: string[] = [];
    for (const area of ['Sign-in', 'Central Record']) if ((await nav.getByText(area, { exact: true }).count()) > 0) offered.push(area);
    return offered;
  }

  it('a trust admin gives a manager a site and an organisation (warned while only one is chosen); the manager sees both areas; Record settings keeps the site; with the site taken away, sign-in is gone', async () => {
    const tenant = await e2e.createTenant({ kind: 'trust' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, contexts: e2e.server.contexts, config: e2e.server.platform.config } as TestEnv;
    await makeSite(env, tenant, { name: 'North' });
    await recordTenant(env, tenant); // Northgate Primary
    const manager = await tenant.as('manager');
    const admin = await tenant.as('admin');

    let page = await e2e.newPage();
    await signIn(page, e2e.url, admin);
    await page.goto(`${e2e.url}/settings/users`);
    const row = page.getByRole('row').filter({ hasText: manager.email });
    await row.getByText('Whole trust').waitFor();
    // The owner reaches the whole trust and cannot be limited: their row offers no editor.
    const ownerRow = page.getByRole('row').filter({ hasText: tenant.owner.email });
    await ownerRow.getByText('Whole trust').waitFor();
    await expect(ownerRow.getByRole('button', { name: /^Edit the reach of/ }).count()).resolves.toBe(0);

    await row.getByRole('button', { name: /^Edit the reach of/ }).click();
    let dialog = page.getByRole('dialog', { name: /^Reach of/ });
    await dialog.getByRole('radio', { name: 'Only the sites and organisations chosen' }).check();
    // Limited to nothing would be saved as the whole trust: refused on the field.
    await dialog.getByRole('button', { name: 'Save reach' }).click();
    await dialog.getByText('Choose at least one site or organisation, or the whole trust').waitFor();
    await dialog.getByRole('textbox', { name: 'Organisations' }).click();
    await page.getByRole('option', { name: 'Northgate Primary' }).click();
    await dialog.getByText(/^This person will not see Sign-in/).waitFor();
    await dialog.getByRole('textbox', { name: 'Sites' }).click();
    await page.getByRole('option', { name: 'North', exact: true }).click();
    await expect(dialog.getByText(/will not see/).count()).resolves.toBe(0);
    await dialog.getByRole('combobox', { name: 'Level at Northgate Primary' }).selectOption('administer');
    // The editor, with both lists and their levels shown, has no serious accessibility problem (the users table under it neither).
    expect(await axe(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save reach' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('Sites: North (edit)').waitFor();
    await row.getByText('Organisations: Northgate Primary (administer)').waitFor();

    // Record settings › Access changes the organisation's level and keeps the site scope, and points to Settings › Users for sites.
    await page.goto(`${e2e.url}/record/settings`);
    await page.getByRole('tab', { name: 'Access' }).click();
    await page.getByRole('link', { name: 'Settings › Users' }).waitFor();
    const accessRow = page.getByRole('row').filter({ hasText: manager.email });
    await accessRow.getByText('North (edit)').waitFor();
    expect(await axe(page)).toEqual([]);
    await accessRow.getByRole('combobox', { name: `${manager.email} access to Northgate Primary` }).selectOption('view');
    await page.goto(`${e2e.url}/settings/users`);
    await row.getByText('Organisations: Northgate Primary (view)').waitFor();
    await row.getByText('Sites: North (edit)').waitFor();
    await page.close();

    page = await e2e.newPage();
    await signIn(page, e2e.url, manager);
    expect(await areasOffered(page)).toEqual(['Sign-in', 'Central Record']);
    await page.close();

    // The site taken away: warned, saved, and the manager is no longer offered sign-in.
    page = await e2e.newPage();
    await signIn(page, e2e.url, admin);
    await page.goto(`${e2e.url}/settings/users`);
    const again = page.getByRole('row').filter({ hasText: manager.email });
    await again.getByText('Sites: North (edit)').waitFor();
    await again.getByRole('button', { name: /^Edit the reach of/ }).click();
    dialog = page.getByRole('dialog', { name: /^Reach of/ });
    await dialog.getByRole('textbox', { name: 'Sites' }).click();
    await page.getByRole('option', { name: 'North', exact: true }).click(); // chosen already: unchosen
    await dialog.getByText(/^This person will not see Sign-in/).waitFor();
    await dialog.getByRole('button', { name: 'Save reach' }).click();
    await dialog.waitFor({ state: 'detached' });
    await again.getByText('Sites: No sites').waitFor();
    await page.close();

    page = await e2e.newPage();
    await signIn(page, e2e.url, manager);
    expect(await areasOffered(page)).toEqual(['Central Record']);
    await page.close();
  });

  it('two admins change one person’s reach at once: the later save is refused and says so, in the editor and in Record settings, and goes through once reloaded', async () => {
    const tenant = await e2e.createTenant({ kind: 'trust' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, contexts: e2e.server.contexts, config: e2e.server.platform.config } as TestEnv;
    const north = await makeSite(env, tenant, { name: 'North' });
    const south = await makeSite(env, tenant, { name: 'South' });
    const { org } = await recordTenant(env, tenant); // Northgate Primary
    const manager = await tenant.as('manager');
    const admin = await tenant.as('admin');
    const scopesOf = async () => (await call(env.app, 'GET', `/api/users/${manager.id}`, { headers: tenant.owner.headers })).body.scopes as Array<{ kind: string; refId: string; level: string }>;

    const page = await e2e.newPage();
    await signIn(page, e2e.url, admin);
    await page.goto(`${e2e.url}/settings/users`);
    const row = page.getByRole('row').filter({ hasText: manager.email });
    await row.getByText('Whole trust').waitFor();
    await row.getByRole('button', { name: /^Edit the reach of/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Reach of/ });
    await dialog.getByRole('radio', { name: 'Only the sites and organisations chosen' }).check();
    await dialog.getByRole('textbox', { name: 'Sites' }).click();
    await page.getByRole('option', { name: 'North', exact: true }).click();
    await page.keyboard.press('Escape');
    // Meanwhile the owner limits the manager to South.
    await setScopes(env, tenant, manager.id, [{ kind: 'site', refId: south.id, level: 'edit' }]);

    await dialog.getByRole('button', { name: 'Save reach' }).click();
    const refusal = dialog.getByRole('alert').filter({ hasText: 'Someone else changed this person’s reach' });
    await refusal.getByText(/reach was changed by someone else while this editor was open, so your change was not saved\. Reload to see their change/).waitFor();
    expect(await axe(page)).toEqual([]);
    expect(await scopesOf()).toEqual([{ kind: 'site', refId: south.id, level: 'edit' }]);
    // Reloaded, the editor shows South, and North added to it is saved.
    await refusal.getByRole('button', { name: 'Reload their reach' }).click();
    await refusal.waitFor({ state: 'detached' });
    await dialog.getByRole('table', { name: 'Sites and levels' }).getByRole('cell', { name: 'South', exact: true }).waitFor();
    await dialog.getByRole('textbox', { name: 'Sites' }).click();
    await page.getByRole('option', { name: 'North', exact: true }).click();
    await page.keyboard.press('Escape');
    await dialog.getByRole('button', { name: 'Save reach' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await scopesOf()).map((x) => x.refId).sort()).toEqual([north.id, south.id].sort());

    // Record settings › Access: the table read, then the owner takes South away; the level chosen from the stale table is refused, and the table shows the owner's change.
    await page.goto(`${e2e.url}/record/settings`);
    await page.getByRole('tab', { name: 'Access' }).click();
    const accessRow = page.getByRole('row').filter({ hasText: manager.email });
    await accessRow.getByText(/^(North \(edit\), South \(edit\)|South \(edit\), North \(edit\))$/).waitFor();
    await setScopes(env, tenant, manager.id, [{ kind: 'site', refId: north.id, level: 'edit' }]);
    const level = accessRow.getByRole('combobox', { name: `${manager.email} access to Northgate Primary` });
    await level.selectOption('view');
    await page.getByRole('alert').filter({ hasText: 'Someone else changed this person’s reach' }).getByText(/so your change was not saved\. The table now shows their reach: make your change again\./).waitFor();
    await accessRow.getByText('North (edit)', { exact: true }).waitFor();
    expect(await scopesOf()).toEqual([{ kind: 'site', refId: north.id, level: 'edit' }]);
    await level.selectOption('view');
    await accessRow.getByText('1 school', { exact: true }).waitFor();
    expect(await scopesOf()).toEqual(expect.arrayContaining([{ kind: 'site', refId: north.id, level: 'edit' }, { kind: 'organisation', refId: org.id, level: 'view' }]));
    await page.close();
  });

  it('a scoped admin reads reaches but is offered no editor (changing scopes is the trust’s central team’s)', async () => {
    const tenant = await e2e.createTenant({ kind: 'trust' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, contexts: e2e.server.contexts, config: e2e.server.platform.config } as TestEnv;
    const north = await makeSite(env, tenant, { name: 'North' });
    const office = await scopedUser(env, tenant, 'admin', [{ kind: 'site', refId: north.id, level: 'administer' }]);
    const manager = await tenant.as('manager');
    const page = await e2e.newPage();
    await signIn(page, e2e.url, office);
    await page.goto(`${e2e.url}/settings/users`);
    await page.getByRole('row').filter({ hasText: office.email }).getByText('Sites: North (administer)').waitFor();
    await page.getByRole('row').filter({ hasText: manager.email }).getByText('Whole trust').waitFor();
    await expect(page.getByRole('button', { name: /^Edit the reach of/ }).count()).resolves.toBe(0);
    await page.close();
  });

  it('an admin invites an office manager limited to one site (warned of what they will not see); the invitation lists that reach; accepted in a fresh browser, the new user is offered Sign-in alone', async () => {
    const tenant = await e2e.createTenant({ kind: 'trust' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, contexts: e2e.server.contexts, config: e2e.server.platform.config } as TestEnv;
    await makeSite(env, tenant, { name: 'North' });
    await recordTenant(env, tenant); // Northgate Primary
    const admin = await tenant.as('admin');
    const email = 'office.north@example.test';

    let page = await e2e.newPage();
    await signIn(page, e2e.url, admin);
    await page.goto(`${e2e.url}/settings/users`);
    await page.getByRole('button', { name: 'Invite a user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a user' });
    await dialog.getByRole('textbox', { name: 'Email' }).fill(email);
    await dialog.getByRole('textbox', { name: 'Role' }).click();
    await page.getByRole('option', { name: /^Manager/ }).click();
    await dialog.getByRole('radio', { name: 'Only the sites and organisations chosen' }).check();
    // Limited to nothing would be the whole trust: refused on the field.
    await dialog.getByRole('button', { name: 'Create invitation' }).click();
    await dialog.getByText('Choose at least one site or organisation, or the whole trust').waitFor();
    await dialog.getByRole('textbox', { name: 'Organisations' }).click();
    await page.getByRole('option', { name: 'Northgate Primary' }).click();
    await dialog.getByText(/^This person will not see Sign-in/).waitFor();
    await page.getByRole('option', { name: 'Northgate Primary' }).click(); // chosen already: unchosen
    await dialog.getByRole('textbox', { name: 'Sites' }).click();
    await page.getByRole('option', { name: 'North', exact: true }).click();
    await dialog.getByText(/^This person will not see the Central Record/).waitFor();
    expect(await axe(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Create invitation' }).click();
    const link = page.getByRole('textbox', { name: 'Invitation link' });
    await link.waitFor();
    const inviteUrl = await link.inputValue();
    await page.getByRole('button', { name: 'Done' }).click();
    const pending = page.getByRole('table', { name: 'Invitations not yet accepted' }).getByRole('row').filter({ hasText: email });
    await pending.getByText('Sites: North (edit)').waitFor();
    await pending.getByText('Organisations: No organisations').waitFor();
    await page.close();

    page = await e2e.newPage();
    await page.goto(e2e.local(inviteUrl));
    await page.getByText('You will reach the sites North.').waitFor();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Olive Office');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('a long new password');
    await page.getByRole('textbox', { name: 'Repeat the password' }).fill('a long new password');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/invite/'));
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByText('Sign-in', { exact: true }).waitFor({ state: 'attached' });
    await expect(nav.getByText('Central Record', { exact: true }).count()).resolves.toBe(0);
    await page.close();
  });
});
