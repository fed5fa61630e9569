import { describe, expect, it } from 'vitest';
import { codeAt } from '../../src/contexts/accounts/totp/totp.js';
import { E2E_TEST_TIMEOUT, TEST_PASSWORD, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

describe.skipIf(!chromiumPath)('two-factor sign-in (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  const e2e = useE2e(chromiumPath);

  it('turns on two-factor from My account, then signs in with a code, by keyboard alone', async () => {
    const tenant = await e2e.createTenant();
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);

    await page.goto(`${e2e.url}/settings/account`);
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const secret = await page.getByRole('textbox', { name: 'Setup key' }).inputValue();
    await screenshot(page, 'totp-setup');
    const now = Date.now();
    await page.getByRole('textbox', { name: 'Authentication code' }).fill(codeAt(secret, new Date(now)));
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.getByRole('button', { name: 'Turn off two-factor' }).waitFor();

    await page.getByRole('button', { name: /^Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // Keyboard only: the email field has focus, Tab to the password, Enter submits.
    await page.keyboard.type(tenant.owner.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Two-factor check' }).waitFor();
    // The app stays closed until the code is given.
    await expect(page.evaluate(async () => (await fetch('/api/users')).status)).resolves.toBe(401);
    await page.keyboard.type(codeAt(secret, new Date(now + 30_000))); // next step: the first code is spent
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor({ state: 'attached' });
    await expect(page.evaluate(async () => (await fetch('/api/users')).status)).resolves.toBe(200);
    await page.close();
  });

  it('shows a wrong code next to the code field', async () => {
    const tenant = await e2e.createTenant();
    const page = await e2e.newPage({ width: 390, height: 844 });
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/settings/account`);
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.getByRole('textbox', { name: 'Authentication code' }).fill('000000');
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    const field = page.getByRole('textbox', { name: 'Authentication code' });
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'totp-wrong-code');
    await page.close();
  });

  it('requiring two-factor sends a user without it to set it up before anything else', async () => {
    const tenant = await e2e.createTenant();
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/settings/security`);
    await page.getByRole('switch', { name: /Require two-factor sign-in for everyone/ }).click({ force: true }); // the input is visually hidden under the track
    await page.waitForURL(`${e2e.url}/settings/account`);
    await page.getByText('Set up two-factor sign-in to continue').waitFor();
    await page.goto(`${e2e.url}/settings/users`);
    await page.waitForURL(`${e2e.url}/settings/account`);
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const secret = await page.getByRole('textbox', { name: 'Setup key' }).inputValue();
    await page.getByRole('textbox', { name: 'Authentication code' }).fill(codeAt(secret, new Date()));
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    // Required, it stays on: no form the server would refuse.
    await page.getByText('Your organisation requires two-factor sign-in, so it stays on').waitFor();
    expect(await page.getByRole('button', { name: 'Turn off two-factor' }).count()).toBe(0);
    await page.close();
  });
});
