import { describe, expect, it } from 'vitest';
import { call } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { kioskSetup, makeMember, makeSite } from '../../test/signin-factories.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

describe.skipIf(!chromiumPath)('fire roll call (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  const e2e = useE2e(chromiumPath);

  it('lists who is on site and a marshal ticks them safe while a second device sees the tick', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const { site, group, kiosk } = await kioskSetup(env, tenant, { name: 'Staff' });
    await call(env.app, 'PATCH', `/api/signin/sites/${site.id}`, { headers: tenant.owner.headers, body: { name: 'Main <b>building</b>' } });
    for (const fullName of ['Ada Lovelace', 'Grace Hopper']) {
      const m = await makeMember(env, tenant, group.id, { fullName });
      const res = await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: m.id, answers: {}, agreementAccepted: true } });
      expect(res.status).toBe(201);
    }

    // The marshal's phone: who is on site, then start the roll call from there.
    const phone = await e2e.newPage({ width: 390, height: 844 });
    await signIn(phone, e2e.url, tenant.owner);
    await phone.goto(`${e2e.url}/signin/on-site`);
    await phone.getByTestId('on-site-total').filter({ hasText: '2 people on site at Main <b>building</b>' }).waitFor();
    await phone.getByRole('button', { name: 'Start fire roll call' }).click();
    await phone.getByRole('heading', { name: 'Fire roll call: Main <b>building</b>' }).waitFor();
    await phone.getByRole('listitem', { name: 'Ada Lovelace' }).waitFor();
    await phone.getByRole('listitem', { name: 'Grace Hopper' }).waitFor();
    const rollCallUrl = phone.url();

    // A second device on the same roll call.
    const other = await e2e.context.newPage();
    await other.setViewportSize({ width: 390, height: 844 });
    await other.goto(rollCallUrl);
    await other.getByRole('listitem', { name: 'Ada Lovelace' }).waitFor();
    await expect(other.getByTestId('count-unaccounted').textContent()).resolves.toBe('2');

    await phone.getByRole('button', { name: 'Mark safe: Ada Lovelace' }).click();
    await phone.getByTestId('count-safe').filter({ hasText: '1' }).waitFor();

    // The other device hears the tick: counts change and Ada leaves its unaccounted list.
    await other.getByTestId('count-safe').filter({ hasText: '1' }).waitFor();
    await other.getByTestId('count-unaccounted').filter({ hasText: '1' }).waitFor();
    await other.getByRole('listitem', { name: 'Ada Lovelace' }).waitFor({ state: 'detached' });
    await other.locator('label', { hasText: 'Everyone' }).click();
    await other.getByRole('button', { name: 'Undo safe for Ada Lovelace' }).waitFor();
    await screenshot(other, 'rollcall-second-device');

    // The phone keeps the last list for when the network drops.
    const cached = await phone.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('threshold.rollCall.')).length);
    expect(cached).toBe(1);
    await other.close();
    await e2e.context.setOffline(true);
    try {
      await phone.getByText('Offline: showing the last list').waitFor();
      await phone.getByRole('listitem', { name: 'Grace Hopper' }).waitFor();
    } finally {
      await e2e.context.setOffline(false);
    }
    await phone.getByText('Offline: showing the last list').waitFor({ state: 'detached', timeout: 20_000 });
  });

  it("the overview's \"See who\" and site rows open who is on site at that site, not always the first site", async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    await makeSite(env, tenant, { name: 'Annexe' }); // first by name, nobody there
    const { group, kiosk } = await kioskSetup(env, tenant, { name: 'Staff' });
    const siteName = (await call(env.app, 'GET', '/api/signin/sites', { headers: tenant.owner.headers })).body.items.find((s: { name: string }) => s.name !== 'Annexe').name as string;
    const m = await makeMember(env, tenant, group.id, { fullName: 'Ada Lovelace' });
    expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: m.id, answers: {}, agreementAccepted: true } })).status).toBe(201);

    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/signin`);
    await page.getByRole('link', { name: 'See who' }).click();
    await page.getByTestId('on-site-total').filter({ hasText: `1 person on site at ${siteName}` }).waitFor();
    await page.goto(`${e2e.url}/signin`);
    await page.getByRole('link', { name: 'Annexe' }).click();
    await page.getByTestId('on-site-total').filter({ hasText: '0 people on site at Annexe' }).waitFor();
  });
});

