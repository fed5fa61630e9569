import { describe, expect, it } from 'vitest';
import { call } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { makeGroup, makeMember, makeSite, pairKiosk } from '../../test/signin-factories.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

/** An instant as `dd/mm/yyyy HH:mm` on a Kolkata clock: what the pages about the site must show. */
function kolkata(iso: string): string {
  const p: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  for (const { type, value } of f.formatToParts(new Date(iso))) p[type] = value;
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/**
 * The fire roll call pages, a site's kiosk list and the sign-in overview show their times on the
 * site's clock, like the kiosk and visit history (decision 047, "sitetimes"); each assertion fails
 * with the pages as they were, which used the browser's zone.
 */
describe.skipIf(!chromiumPath)('times on the site’s clock (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  const e2e = useE2e(chromiumPath);

  it('a roll call, the roll call list, the overview and the site’s kiosks read 24-hour times in the site’s zone, in an en-US New York browser', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    // Kolkata: half an hour off any whole-hour zone, so neither New York's clock nor UTC can pass for it.
    const site = await makeSite(env, tenant, { name: 'Kolkata office', timezone: 'Asia/Kolkata' });
    const staff = await makeGroup(env, tenant, { name: 'Staff' }, [site.id]);
    const ada = await makeMember(env, tenant, staff.id, { fullName: 'Ada Lovelace' });
    const kiosk = await pairKiosk(env, tenant, site.id);
    expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: staff.id, memberId: ada.id } })).status).toBe(201);
    const started = await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: tenant.owner.headers, body: {} });
    expect(started.status).toBe(201);
    const rollCall = started.body.rollCall as { id: string; startedAt: string; startedBy: string };
    const startedAt = kolkata(rollCall.startedAt);

    const page = await e2e.newPage();
    const cdp = await e2e.context.newCDPSession(page);
    await cdp.send('Emulation.setLocaleOverride', { locale: 'en-US' });
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'America/New_York' });
    await signIn(page, e2e.url, tenant.owner);

    // The roll call itself (the marshal's phone and the evacuation record).
    await page.goto(`${e2e.url}/signin/roll-calls/${rollCall.id}`);
    await page.getByRole('heading', { name: 'Fire roll call: Kolkata office' }).waitFor();
    await page.getByRole('listitem', { name: 'Ada Lovelace' }).waitFor();
    await expect(page.getByText(/^Started /).textContent()).resolves.toBe(`Started ${startedAt} by ${rollCall.startedBy}`);

    // The list of roll calls.
    await page.goto(`${e2e.url}/signin/roll-calls`);
    const row = page.getByRole('row').filter({ hasText: 'Kolkata office' });
    await row.waitFor();
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toBe(startedAt);

    // The overview's alert of an open roll call.
    await page.goto(`${e2e.url}/signin`);
    const alert = page.getByRole('status').filter({ hasText: 'Fire roll call open at Kolkata office' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain(`Started ${startedAt}.`);

    // The site's paired kiosks: paired and last seen (pairing sets both; a later sign-in moves last seen only after a minute).
    const devices = await call(env.app, 'GET', `/api/signin/sites/${site.id}/kiosks`, { headers: tenant.owner.headers });
    const device = devices.body.items[0] as { createdAt: string; lastSeenAt: string };
    await page.goto(`${e2e.url}/signin/sites`);
    const card = page.getByRole('region', { name: 'Site Kolkata office' });
    await card.getByRole('button', { name: 'Kiosks' }).click();
    const kioskRow = card.getByRole('row').filter({ hasText: 'Front desk' });
    await kioskRow.waitFor();
    await expect(kioskRow.getByRole('cell').nth(1).textContent()).resolves.toBe(kolkata(device.createdAt));
    await expect(kioskRow.getByRole('cell').nth(2).textContent()).resolves.toBe(kolkata(device.lastSeenAt));
    await page.close();
  });
});
