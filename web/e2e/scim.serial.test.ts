import { describe, expect, it } from 'vitest';
import type { TestEnv } from '../../test/harness.js';
import { makeGroup } from '../../test/signin-factories.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

/**
 * The SCIM tab end to end: from the group's page to its SCIM tab, generate a token (shown once),
 * let an identity provider call with it, and read the request (and its error) in the activity log.
 */
describe.skipIf(!chromiumPath)('SCIM tab (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  const e2e = useE2e(chromiumPath);

  it("links a SCIM group's page to its SCIM tab, shows the token once, logs the requests and shows a member's SCIM attributes", async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const group = await makeGroup(env, tenant, { name: 'Staff from Okta', type: 'scim' });
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/signin/groups/${group.id}`);
    await page.getByRole('heading', { name: 'Staff from Okta' }).waitFor();
    await page.getByRole('link', { name: 'SCIM settings and activity' }).click();
    await page.getByRole('heading', { name: 'SCIM: Staff from Okta' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/scim/groups/${group.id}`);

    const baseUrl = await page.getByRole('textbox', { name: 'SCIM URL (Base URL)' }).inputValue();
    expect(baseUrl).toMatch(/^https?:\/\//);
    expect(baseUrl).not.toContain('_');
    await page.getByRole('button', { name: 'Generate SCIM token' }).click();
    const token = await page.getByRole('textbox', { name: 'SCIM token (API Token)' }).inputValue();
    expect(token.length).toBeGreaterThan(20);

    // At phone width the token is shown whole: wrapped inside the field, nothing scrolled or cut off.
    await page.setViewportSize({ width: 360, height: 740 });
    const field = page.getByRole('textbox', { name: 'SCIM token (API Token)' });
    await expect
      .poll(() =>
        field.evaluate((el) => {
          const r = el.getBoundingClientRect();
          return { hidden: el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1, inView: r.left >= 0 && r.right <= window.innerWidth };
        }),
      )
      .toEqual({ hidden: false, inView: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Okta's "Test API Credentials", then a create without userName (a failed provisioning run).
    const scim = (init: RequestInit & { path: string }) =>
      fetch(`${e2e.local(baseUrl)}${init.path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' } });
    expect((await scim({ path: '/Users?startIndex=1&count=2' })).status).toBe(200);
    expect((await scim({ path: '/Users', method: 'POST', body: JSON.stringify({ name: { givenName: 'No' } }) })).status).toBe(400);

    const log = page.getByRole('table');
    const deadline = Date.now() + 15_000;
    while ((await log.getByRole('row').filter({ hasText: 'invalidValue' }).count()) === 0 && Date.now() < deadline) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForLoadState('networkidle');
    }
    await log.getByRole('row').filter({ hasText: 'POST /Users' }).filter({ hasText: '400' }).filter({ hasText: 'invalidValue: userName is required' }).waitFor();
    await log.getByRole('row').filter({ hasText: 'GET /Users?startIndex=1&count=2' }).filter({ hasText: '200' }).waitFor();
    await screenshot(page, 'scim-tab');

    // The member the identity provider created shows its SCIM attributes from the group's page.
    const created = await scim({
      path: '/Users',
      method: 'POST',
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        userName: 'adele@contoso.example',
        name: { givenName: 'Adele', familyName: 'Vance' },
        displayName: 'Adele Vance',
        emails: [{ value: 'adele@contoso.example', type: 'work', primary: true }],
        title: 'Maths Teacher',
        externalId: 'AdeleV',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984', department: 'Maths', manager: { value: 'MgrA' } },
      }),
    });
    expect(created.status).toBe(201);
    await page.goto(`${e2e.url}/signin/groups/${group.id}`);
    await page.getByRole('link', { name: 'Adele Vance' }).click();
    const attrs = page.getByRole('table', { name: 'SCIM attributes' });
    for (const [label, value] of [
      ['userName', 'adele@contoso.example'],
      ['Title (role)', 'Maths Teacher'],
      ['External id', 'AdeleV'],
      ['Employee number', '701984'],
      ['Department', 'Maths'],
      ['Manager', 'MgrA'],
      ['Emails', 'adele@contoso.example (work, primary)'],
    ]) {
      await attrs.getByRole('row').filter({ hasText: label }).filter({ hasText: value! }).waitFor();
    }
    await screenshot(page, 'scim-member');

    // The web app's own /scim pages load the app on reload, bookmark and direct link (the SCIM
    // protocol's JSON 404 is for /scim/v2 only).
    expect(new URL(page.url()).pathname).toMatch(/^\/scim\/members\//);
    await page.reload();
    await page.getByRole('table', { name: 'SCIM attributes' }).getByRole('row').filter({ hasText: 'AdeleV' }).waitFor();
    await page.goto(`${e2e.url}/scim/groups/${group.id}`);
    await page.getByRole('heading', { name: 'SCIM: Staff from Okta' }).waitFor();
    for (const spaPath of ['/scim', `/scim/groups/${group.id}`, '/scim/members/00000000-0000-0000-0000-000000000000']) {
      const res = await fetch(`${e2e.url}${spaPath}`);
      expect(res.status, spaPath).toBe(200);
      expect(res.headers.get('content-type'), spaPath).toMatch(/^text\/html/);
    }
    const protocol404 = await fetch(`${e2e.url}/scim/v2/nothing-here`);
    expect(protocol404.status).toBe(404);
    expect(protocol404.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  });
});
