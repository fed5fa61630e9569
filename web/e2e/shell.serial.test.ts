import { describe, expect, it } from 'vitest';
import { call, scopedUser } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { makeSite } from '../../test/signin-factories.js';
import { recordTenant } from '../../test/record-fixtures.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

describe.skipIf(!chromiumPath)('web app shell (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  const e2e = useE2e(chromiumPath);

  it('opens the sign-in page and signs in without an error in the browser console (nobody is signed in yet: no 401)', async () => {
    const tenant = await e2e.createTenant();
    const page = await e2e.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
    const asked: string[] = [];
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/auth/')) asked.push(`${r.status()} ${r.request().method()} ${u.pathname}`);
    });

    // A first-time user opens the app: it asks whether this browser is signed in, and shows the sign-in page.
    await page.goto(`${e2e.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(asked).toContain('200 GET /api/auth/session');
    // Signing in (an unsafe call, which first looks for a CSRF token) adds none either.
    await signIn(page, e2e.url, tenant.owner);
    await page.waitForLoadState('networkidle');
    expect(asked.filter((a) => !a.startsWith('2'))).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a school’s office manager (an admin limited to their site) is not offered what the server refuses them: the tenant’s settings, API keys, audit, webhooks, adding sites, the block list; adds a group at their site', async () => {
    const tenant = await e2e.createTenant({ kind: 'trust' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, contexts: e2e.server.contexts, config: e2e.server.platform.config } as TestEnv;
    const north = await makeSite(env, tenant, { name: 'North' });
    const office = await scopedUser(env, tenant, 'admin', [{ kind: 'site', refId: north.id }]);
    const page = await e2e.newPage();
    await signIn(page, e2e.url, office);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });

    await page.goto(`${e2e.url}/settings/users`);
    await page.getByRole('heading', { name: 'Users & roles' }).waitFor();
    await nav.getByRole('link', { name: 'My account' }).waitFor();
    for (const label of ['Security', 'Identity provider', 'API keys', 'Audit log']) await expect(nav.getByRole('link', { name: label, exact: true }).count(), label).resolves.toBe(0);
    // They read who is who, but the invitation button is not theirs.
    await expect(page.getByRole('button', { name: 'Invite a user' }).count()).resolves.toBe(0);

    // A page opened by its address says why (the same admin unscoped would have it).
    await page.goto(`${e2e.url}/settings/api-keys`);
    await page.getByText('Not available to your account').waitFor();

    // Scoped to their site alone, they reach no organisation: the Central Record is not offered, and opened by its address says why.
    await expect(nav.getByText('Central Record', { exact: true }).count()).resolves.toBe(0);
    await expect(nav.getByText('Sign-in', { exact: true }).count()).resolves.toBe(1);
    await page.goto(`${e2e.url}/record/profiles`);
    await page.getByTestId('out-of-reach').getByText(/reaches no organisation/).waitFor();

    await page.goto(`${e2e.url}/signin/safety`);
    await page.getByTestId('tenant-wide-only').waitFor();
    await expect(page.getByRole('button', { name: 'Block', exact: true }).count()).resolves.toBe(0);
    await expect(page.getByLabel(/Days \(empty/).isDisabled()).resolves.toBe(true);
    await expect(nav.getByRole('link', { name: 'Webhooks', exact: true }).count()).resolves.toBe(0);

    // Their site is theirs to arrange; adding a site is the trust's.
    await page.goto(`${e2e.url}/signin/sites`);
    await page.getByRole('heading', { name: 'North' }).waitFor();
    await expect(page.getByRole('form', { name: 'Add a site' }).count()).resolves.toBe(0);

    // A group of their own is added at their site (the server refuses one shown nowhere).
    await page.goto(`${e2e.url}/signin/groups`);
    const add = page.getByRole('form', { name: 'Add a group' });
    await add.getByRole('textbox', { name: 'Name' }).fill('North supply staff');
    await add.getByRole('button', { name: 'Add group' }).click();
    await add.getByText('Choose one or more of your sites').waitFor();
    await add.getByRole('textbox', { name: 'Shown at' }).click();
    await page.getByRole('option', { name: 'North' }).click();
    await add.getByRole('button', { name: 'Add group' }).click();
    await page.getByRole('heading', { name: 'North supply staff' }).waitFor();
    await page.close();
  });

  it('a user limited to a school’s organisation alone is not offered sign-in (they reach no site); its pages opened by address say why', async () => {
    const tenant = await e2e.createTenant({ kind: 'trust' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, contexts: e2e.server.contexts, config: e2e.server.platform.config } as TestEnv;
    const { org } = await recordTenant(env, tenant);
    const school = await scopedUser(env, tenant, 'manager', [{ kind: 'organisation', refId: org.id, level: 'edit' }]);
    const page = await e2e.newPage();
    await signIn(page, e2e.url, school);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByText('Central Record', { exact: true }).waitFor();
    for (const area of ['Sign-in', 'SCIM']) await expect(nav.getByText(area, { exact: true }).count(), area).resolves.toBe(0);
    await page.goto(`${e2e.url}/signin/visits`);
    await page.getByTestId('out-of-reach').getByText(/reaches no site/).waitFor();
    await page.close();
  });

  it('signs in, shows the shell and navigation, invites a user, signs out', async () => {
    const tenant = await e2e.createTenant({ name: 'Oakfield <b>Primary</b>' });
    const page = await e2e.newPage();

    // Signed out: any app address leads to the sign-in page.
    await page.goto(`${e2e.url}/settings/users`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');

    await signIn(page, e2e.url, tenant.owner);
    // Back where we were going, in the shell, with every area in the navigation.
    await page.getByRole('heading', { name: 'Users & roles' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    for (const area of ['Sign-in', 'SCIM', 'Central Record', 'Integrations', 'Settings']) {
      await expect(nav.getByText(area, { exact: true }).count()).resolves.toBe(1);
    }
    // Data is text, never markup.
    await expect(page.getByTestId('tenant-name').textContent()).resolves.toBe('Oakfield <b>Primary</b>');
    await expect(page.getByRole('row').filter({ hasText: tenant.owner.email }).count()).resolves.toBe(1);
    await screenshot(page, 'users');

    // Invite a user and see the link to send them.
    await page.getByRole('button', { name: 'Invite a user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a user' });
    await dialog.getByRole('textbox', { name: 'Email' }).fill('new.teacher@example.test');
    await dialog.getByRole('textbox', { name: 'Name' }).fill('New Teacher');
    await dialog.getByRole('textbox', { name: 'Role' }).click();
    await page.getByRole('option', { name: /^Manager/ }).click();
    await dialog.getByRole('button', { name: 'Create invitation' }).click();
    const link = page.getByRole('textbox', { name: 'Invitation link' });
    await link.waitFor();
    const inviteUrl = await link.inputValue();
    expect(inviteUrl).toMatch(/^http:\/\/threshold\.test\/invite\/\S+$/);
    await screenshot(page, 'invite');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row').filter({ hasText: 'new.teacher@example.test' }).waitFor(); // listed as pending

    // Sign out: back to sign-in, and the app is closed again.
    await page.getByRole('button', { name: /^Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
    expect(me).toBe(401);
    await page.close();
  });

  it('works on a phone-sized screen: navigation behind the burger', async () => {
    const tenant = await e2e.createTenant();
    const page = await e2e.newPage({ width: 390, height: 844 });
    await signIn(page, e2e.url, tenant.owner);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    const burger = page.getByRole('button', { name: 'Open navigation' });
    await burger.waitFor();
    const navLeft = async () => (await nav.boundingBox())!.x;
    const navRight = async () => {
      const box = (await nav.boundingBox())!;
      return box.x + box.width;
    };
    expect(await navRight()).toBeLessThanOrEqual(0); // off-screen until the burger opens it
    await burger.click();
    await page.getByRole('button', { name: 'Close navigation' }).waitFor();
    await expect.poll(navLeft).toBe(0); // after the slide-in transition
    await screenshot(page, 'phone-nav');
    // An area with several pages opens as a group; choosing one of its pages navigates.
    // By keyboard (the heading is a button): a click can find it below the fold of the drawer's own scroll on a small screen.
    await nav.getByRole('button', { name: 'Settings', exact: true }).press('Enter');
    await nav.getByRole('link', { name: 'My account' }).press('Enter');
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    // Choosing a page closes the navigation again.
    await page.getByRole('button', { name: 'Open navigation' }).waitFor();
    await expect.poll(navRight).toBeLessThanOrEqual(0);
    // No sideways scrolling at 390px.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone');
    await page.close();
  });

  it('accepts an invitation: choose a password, land in the app with the invited role', async () => {
    const tenant = await e2e.createTenant();
    const owner = await e2e.newPage();
    await signIn(owner, e2e.url, tenant.owner);
    const inviteUrl = await owner.evaluate(async () => {
      const me = await (await fetch('/api/auth/me')).json();
      const res = await fetch('/api/users/invite', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ email: 'viewer.person@example.test', role: 'viewer', name: 'Vi <i>Ewer</i>' }),
      });
      return (await res.json()).inviteUrl as string;
    });
    await owner.close();

    const page = await e2e.newPage({ width: 390, height: 844 });
    await page.goto(e2e.local(inviteUrl));
    await page.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
    await expect(page.getByRole('textbox', { name: 'Your name' }).inputValue()).resolves.toBe('Vi <i>Ewer</i>');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('a long new password');
    await page.getByRole('textbox', { name: 'Repeat the password' }).fill('a long new password');
    await screenshot(page, 'accept-invite');
    await page.getByRole('button', { name: 'Create my account' }).click();
    // A viewer sees the areas they may read, not Users & roles.
    await page.waitForURL((u) => !u.pathname.startsWith('/invite/'));
    // On a Settings page the Settings group of the navigation is open by itself: no toggle to click
    // (clicking it on a phone-sized screen while the drawer slides in was flaky).
    await page.goto(`${e2e.url}/settings/account`);
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'My account', includeHidden: true }).waitFor({ state: 'attached' });
    await expect(nav.getByRole('link', { name: 'Users & roles', includeHidden: true }).count()).resolves.toBe(0);
    // The link worked once.
    const again = await page.evaluate(async (url) => (await fetch(url)).status, `/api/invites/${inviteUrl.split('/invite/')[1]}`);
    expect(again).toBe(404);
    await page.close();
  });

  it('changes a user\'s role and disables them', async () => {
    const tenant = await e2e.createTenant();
    const manager = await tenant.as('manager');
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/settings/users`);
    const row = page.getByRole('row').filter({ hasText: manager.email });
    await row.getByRole('textbox', { name: `Role of ${manager.email}` }).click();
    await page.getByRole('option', { name: 'Viewer' }).click();
    await page.getByText(`${manager.email} is now viewer.`).waitFor();
    await row.getByRole('button', { name: `Disable ${manager.email}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await row.getByText('disabled').waitFor();
    const users = await page.evaluate(async () => (await (await fetch('/api/users')).json()).items as { email: string; role: string; disabled: boolean }[]);
    expect(users.find((u) => u.email === manager.email)).toMatchObject({ role: 'viewer', disabled: true });
    await page.close();
  });

  it('refuses a role change made from a list another admin changed meanwhile: it says so and shows the role now', async () => {
    const tenant = await e2e.createTenant();
    const manager = await tenant.as('manager');
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/settings/users`);
    const row = page.getByRole('row').filter({ hasText: manager.email });
    const role = row.getByRole('textbox', { name: `Role of ${manager.email}` });
    await expect(role.inputValue()).resolves.toBe('Manager');
    // Another admin makes them an admin while this page still lists them as a manager.
    expect((await call(e2e.server.app, 'PATCH', `/api/users/${manager.id}`, { headers: tenant.owner.headers, body: { role: 'admin' } })).status).toBe(200);
    await role.click();
    await page.getByRole('option', { name: 'Viewer' }).click();
    await page.getByText(/Someone else changed the role of .* \(now admin\); nothing was saved/).waitFor();
    await row.getByRole('textbox', { name: `Role of ${manager.email}` }).and(page.locator('[value="Admin"]')).waitFor();
    const users = await page.evaluate(async () => (await (await fetch('/api/users')).json()).items as { email: string; role: string }[]);
    expect(users.find((u) => u.email === manager.email)?.role).toBe('admin');
    await page.close();
  });

  it('asks for a password reset link, and refuses an unknown reset link next to the form', async () => {
    const tenant = await e2e.createTenant();
    const page = await e2e.newPage({ width: 390, height: 844 });
    await page.goto(`${e2e.url}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    // The sign-in page has an Email field too: wait for the reset page before filling in.
    await page.getByRole('button', { name: 'Send the link' }).waitFor();
    await page.getByRole('textbox', { name: 'Email' }).fill(tenant.owner.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText('Check your email').waitFor();

    await page.goto(`${e2e.url}/reset/not-a-real-token`);
    await page.getByRole('textbox', { name: 'New password', exact: true }).fill('another long password');
    await page.getByRole('textbox', { name: 'Repeat the password' }).fill('another long password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('alert').waitFor();
    await screenshot(page, 'reset-bad-token');
    await page.close();
  });
});
