import { describe, expect, it } from 'vitest';
import { call } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { makeGroup, makeMember, makeSite } from '../../test/signin-factories.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

describe.skipIf(!chromiumPath)('the kiosk (Chromium)', { timeout: E2E_TEST_TIMEOUT * 2 }, () => {
  const e2e = useE2e(chromiumPath);

  it('pairs, signs a member in and out by name search, and tells a rejected visitor to see reception without the reasons', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const site = await makeSite(env, tenant, { name: 'Front <i>office</i>' });
    const staff = await makeGroup(env, tenant, { name: 'Staff' }, [site.id]);
    await makeGroup(
      env,
      tenant,
      { name: 'Visitors', type: 'standard', options: { customFields: [{ id: 'unwell', label: 'Are you unwell?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Please do not come in when unwell' } }] } },
      [site.id],
    );
    await makeMember(env, tenant, staff.id, { fullName: 'Ada Lovelace', role: 'Teacher' });

    // The portal: a one-time pairing code for the site.
    const portal = await e2e.newPage();
    await signIn(portal, e2e.url, tenant.owner);
    await portal.goto(`${e2e.url}/signin/sites`);
    await portal.getByRole('region', { name: 'Site Front <i>office</i>' }).getByRole('button', { name: 'Pair a kiosk' }).click();
    const code = (await portal.getByTestId('pairing-code').textContent())!.trim();
    expect(code).toMatch(/^[A-Z2-9]{8}$/);

    // The tablet.
    const kiosk = await e2e.context.newPage();
    await kiosk.setViewportSize({ width: 1024, height: 768 });
    // A kiosk has no user session: it must not ask for one (a probe per start, and /me's 401 an error in its console).
    const sessionProbes: string[] = [];
    kiosk.on('request', (r) => {
      if (['/api/auth/me', '/api/auth/session'].includes(new URL(r.url()).pathname)) sessionProbes.push(r.url());
    });
    await kiosk.goto(`${e2e.url}/kiosk`);
    await kiosk.getByRole('textbox', { name: 'Pairing code' }).fill(code);
    await kiosk.getByRole('textbox', { name: 'Name this kiosk (optional)' }).fill('Main reception');
    await kiosk.getByRole('button', { name: 'Pair' }).click();
    await kiosk.getByRole('heading', { name: 'Front <i>office</i>' }).waitFor();
    // The portal lists it by that name (it used to be the browser's user agent, cut at 80 characters).
    const devices = await call(env.app, 'GET', `/api/signin/sites/${site.id}/kiosks`, { headers: tenant.owner.headers });
    expect(devices.body.items.map((d: { name: string }) => d.name)).toEqual(['Main reception']);

    await kiosk.getByRole('button', { name: 'Staff' }).click();
    await kiosk.getByRole('textbox', { name: 'Type your name, or scan your card' }).fill('lovel');
    await kiosk.getByRole('button', { name: /Ada Lovelace/ }).click();
    await kiosk.getByRole('status').filter({ hasText: 'Welcome, Ada Lovelace' }).waitFor();
    await kiosk.getByRole('button', { name: 'Done' }).click();

    await kiosk.getByRole('button', { name: 'Staff' }).click();
    await kiosk.getByRole('textbox', { name: 'Type your name, or scan your card' }).fill('ada');
    await kiosk.getByRole('button', { name: /Ada Lovelace.*Sign out/ }).click();
    await kiosk.getByRole('status').filter({ hasText: 'Goodbye, Ada Lovelace' }).waitFor();
    await kiosk.getByRole('button', { name: 'Done' }).click();

    await kiosk.getByRole('button', { name: 'Visitors' }).click();
    await kiosk.getByRole('textbox', { name: 'Your full name' }).fill('<b>Sam</b> Visitor');
    await kiosk.getByRole('button', { name: 'Next' }).click();
    await kiosk.getByRole('radio', { name: 'Yes' }).click();
    await kiosk.getByRole('button', { name: 'Sign in' }).click();
    // Privacy at the entrance (the group's default): the lobby screen is told no reasons.
    const alert = kiosk.getByRole('alert').filter({ hasText: 'Please see reception.' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('Sorry, <b>Sam</b> Visitor, you cannot sign in');
    await expect(alert.textContent()).resolves.not.toContain('unwell');
    await screenshot(kiosk, 'kiosk-rejected');
    await kiosk.getByRole('button', { name: 'Done' }).click();

    // A visitor who is well signs in, then finds their name to sign out.
    await kiosk.getByRole('button', { name: 'Visitors' }).click();
    await kiosk.getByRole('textbox', { name: 'Your full name' }).fill('Val Visitor');
    await kiosk.getByRole('button', { name: 'Next' }).click();
    await kiosk.getByRole('radio', { name: 'No' }).click();
    await kiosk.getByRole('button', { name: 'Sign in' }).click();
    await kiosk.getByRole('status').filter({ hasText: 'Welcome, Val Visitor' }).waitFor();
    await kiosk.getByRole('button', { name: 'Done' }).click();
    await kiosk.getByRole('button', { name: 'Visitors' }).click();
    await kiosk.getByRole('button', { name: 'Leaving? Sign out' }).click();
    await kiosk.getByRole('button', { name: /Val Visitor/ }).click();
    await kiosk.getByRole('status').filter({ hasText: 'Goodbye, Val Visitor' }).waitFor();
    await kiosk.reload();
    await kiosk.getByRole('button', { name: 'Visitors' }).waitFor();
    expect(sessionProbes).toEqual([]);

    const history = await call(env.app, 'GET', '/api/signin/visits', { headers: tenant.owner.headers });
    expect(history.body.items.map((v: { personName: string; outcome: string; signedOutBy: string | null }) => `${v.personName}:${v.outcome}:${v.signedOutBy}`).sort()).toEqual([
      '<b>Sam</b> Visitor:rejected:null',
      'Ada Lovelace:signed_in:kiosk',
      'Val Visitor:signed_in:kiosk',
    ]);
  });
});
