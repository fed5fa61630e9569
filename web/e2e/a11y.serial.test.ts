import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AREAS, pagePath } from '../src/areas.js';
import type { TestEnv } from '../../test/harness.js';
import { call } from '../../test/factories.js';
import { recordTenant } from '../../test/record-fixtures.js';
import { makeGroup, makeMember, makeSite } from '../../test/signin-factories.js';
import { makeVisit } from '../../test/signin-live-fixtures.js';
import { axe, E2E_TEST_TIMEOUT, findChromiumOrSkip, signIn, useE2e, type AxeFinding } from './harness.js';

const chromiumPath = findChromiumOrSkip();
function report(problems: string[], path: string, findings: AxeFinding[]) {
  for (const f of findings) problems.push(`${path}: ${f.impact} ${f.id} (${f.help}) at ${f.nodes.join(' ')}`);
}

/** Waits until the page has drawn its data: a new level-1 heading and no loading indicator. */
async function settled(page: Page): Promise<void> {
  await page.locator('h1:not([data-a11y-seen])').first().waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => !document.body.innerText.includes('Loading…'), undefined, { timeout: 10_000 });
  // Best effort: the heading and the absence of 'Loading…' already say the data is drawn; a request
  // left pending (seen after the kiosk's service worker is installed) must not stall the whole walk.
  await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => undefined);
}

/**
 * Every route of web/src/areas.tsx (detail pages with real ids), the sign-in page, the kiosk and
 * the roll call: no serious or critical axe-core violations, and the navigation marks exactly one
 * item as the current page. One browser, one signed-in tab for the whole walk.
 */
describe.skipIf(!chromiumPath)('accessibility (axe-core, Chromium)', { timeout: E2E_TEST_TIMEOUT * 6 }, () => {
  const e2e = useE2e(chromiumPath);

  it('every page: no serious or critical violations; one aria-current item in the navigation', async () => {
    const tenant = await e2e.createTenant({ name: 'Northgate Learning Trust', kind: 'trust' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const h = tenant.owner.headers;
    const site = await makeSite(env, tenant, { name: 'Main building' });
    const group = await makeGroup(env, tenant, { name: 'Staff' }, [site.id]);
    await makeGroup(env, tenant, { name: 'Visitors', type: 'standard' }, [site.id]);
    const scimGroup = await makeGroup(env, tenant, { name: 'Staff from Okta', type: 'scim' }, [site.id]);
    const member = await makeMember(env, tenant, group.id, { fullName: 'Ada Lovelace' });
    await makeVisit(env, { tenantId: tenant.tenantId, siteId: site.id, groupId: group.id, memberId: member.id, personName: 'Ada Lovelace' });
    const rollCall = await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: h, body: {} });
    expect(rollCall.status).toBe(201);
    const { org, typeId } = await recordTenant(env, tenant);
    const profile = await call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { firstName: 'Grace', lastName: 'Hopper', organisationId: org.id, profileTypeId: typeId('teaching') } });
    expect(profile.status).toBe(201);
    const ids: Record<string, string> = { id: '', groupId: group.id, memberId: member.id };

    const routes: string[] = [];
    for (const area of AREAS) {
      for (const p of area.pages) {
        const idFor = (param: string) => {
          if (area.id === 'signin' && p.path.startsWith('roll-calls/')) return rollCall.body.rollCall.id as string;
          if (area.id === 'signin' && p.path.startsWith('groups/')) return group.id;
          if (area.id === 'record') return profile.body.id as string;
          if (area.id === 'scim' && param === 'groupId') return scimGroup.id;
          const id = ids[param];
          if (!id) throw new Error(`no id for :${param} of ${pagePath(area, p)}: add one to this test`);
          return id;
        };
        routes.push(pagePath(area, p).replace(/:(\w+)/g, (_, param: string) => idFor(param)));
      }
    }

    const problems: string[] = [];
    const page = await e2e.newPage();
    const favicon = await fetch(`${e2e.url}/favicon.svg`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get('content-type')).toContain('image/svg+xml');
    // The kiosk last: opening it installs the offline kiosk's service worker in this browser, and the
    // portal pages after it never reached 'networkidle' (a pending session probe), which the walk waits for.
    for (const path of ['/login', '/reset']) {
      await page.goto(`${e2e.url}${path}`);
      try {
        await settled(page);
      } catch {
        problems.push(`${path}: no level-1 heading, or still loading, after 15 s`);
      }
      report(problems, path, await axe(page));
    }
    await signIn(page, e2e.url, tenant.owner);
    for (const path of routes) {
      // In-app navigation (as a click on a link does), marking the last page's heading as seen.
      await page.evaluate((to) => {
        document.querySelectorAll('h1').forEach((h) => h.setAttribute('data-a11y-seen', ''));
        window.history.pushState({}, '', to);
        window.dispatchEvent(new PopStateEvent('popstate'));
      }, path);
      try {
        await settled(page);
      } catch {
        problems.push(`${path}: no level-1 heading, or still loading, after 15 s`);
      }
      report(problems, path, await axe(page));
      const current = await page.getByRole('navigation', { name: 'Main navigation' }).locator('[aria-current="page"]').count();
      if (current !== 1) problems.push(`${path}: ${current} navigation items have aria-current="page"`);
    }
    await page.goto(`${e2e.url}/kiosk`);
    try {
      await settled(page);
    } catch {
      problems.push('/kiosk: no level-1 heading, or still loading, after 15 s');
    }
    report(problems, '/kiosk', await axe(page));
    expect(routes.length).toBeGreaterThanOrEqual(30);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the kiosk's outcome screens (welcome and refused) and the signed-out pages: no serious or critical violations, one main landmark", async () => {
    const tenant = await e2e.createTenant({ name: 'Westbrook School' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const site = await makeSite(env, tenant, { name: 'Reception' });
    const staff = await makeGroup(env, tenant, { name: 'Staff' }, [site.id]);
    await makeMember(env, tenant, staff.id, { fullName: 'Ada Lovelace' });
    const blocked = await call(env.app, 'POST', '/api/signin/block-list', { headers: tenant.owner.headers, body: { fullName: 'Barred Person', reason: 'Court order' } });
    expect(blocked.status).toBe(201);
    await makeMember(env, tenant, staff.id, { fullName: 'Barred Person' });
    const pairing = await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`, { headers: tenant.owner.headers, body: {} });
    expect(pairing.status).toBe(201);

    const problems: string[] = [];
    const mains = async (path: string, page: Page) => {
      const n = await page.locator('main').count();
      if (n !== 1) problems.push(`${path}: ${n} main landmarks`);
    };
    const page = await e2e.newPage();
    for (const path of ['/login', '/reset']) {
      await page.goto(`${e2e.url}${path}`);
      await page.locator('h1').first().waitFor();
      await mains(path, page);
    }
    await page.goto(`${e2e.url}/kiosk`);
    await page.getByRole('textbox', { name: 'Pairing code' }).fill(pairing.body.code);
    await mains('/kiosk (pairing)', page);
    await page.getByRole('button', { name: 'Pair' }).click();
    await page.getByRole('heading', { name: 'Reception' }).waitFor();
    await mains('/kiosk', page);
    for (const [name, outcome] of [
      ['Ada Lovelace', page.getByRole('status').filter({ hasText: 'Welcome, Ada Lovelace' })],
      ['Barred Person', page.getByRole('alert').filter({ hasText: 'Please see reception.' })],
    ] as const) {
      await page.getByRole('button', { name: 'Staff' }).click();
      await page.getByRole('textbox', { name: 'Type your name, or scan your card' }).fill(name);
      await page.getByRole('button', { name: new RegExp(name) }).click();
      await outcome.waitFor();
      report(problems, `/kiosk: ${name}'s outcome`, await axe(page));
      await page.getByRole('button', { name: 'Done' }).click();
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('record settings: every tab (the walk sees only the first), a named-checks rule and the "Add a check" dialog', async () => {
    const tenant = await e2e.createTenant({ name: 'Eastfield Trust', kind: 'trust' });
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    await recordTenant(env, tenant, [
      { name: 'Eastfield Primary', type: 'maintained' },
      { name: 'Eastfield Academy', type: 'academy' },
    ]);
    await tenant.as('manager');
    const problems: string[] = [];
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/record/settings`);
    await page.getByRole('table', { name: 'Organisations' }).waitFor();
    report(problems, 'Organisations', await axe(page));
    const loaded = () => page.waitForFunction(() => !document.body.innerText.includes('Loading…'), undefined, { timeout: 10_000 });
    for (const [tab, shown] of [
      ['Profile types', page.getByRole('table', { name: 'Profile types' })],
      ['Checks', page.getByRole('table', { name: 'Checks' })],
      ['Rating systems', page.getByLabel('School ready rule for Volunteers')],
      ['Retention', page.getByText('No deletions are due.')],
      ['Access', page.getByRole('table', { name: 'Record access' })],
      ['Rule set', page.getByTestId('rule-set-version')],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await shown.waitFor();
      await loaded();
      report(problems, tab, await axe(page));
      if (tab === 'Rating systems') {
        await page.getByLabel('School ready rule for Volunteers').selectOption('list');
        await page.getByRole('checkbox', { name: 'Enhanced DBS' }).waitFor();
        report(problems, 'Rating systems, named checks', await axe(page));
      }
      if (tab === 'Checks') {
        await page.getByRole('button', { name: 'Add a check' }).click();
        const dialog = page.getByRole('dialog', { name: 'Add a check' });
        await dialog.getByLabel('For', { exact: true }).selectOption('organisation');
        await dialog.getByRole('button', { name: 'Add condition' }).click();
        await dialog.getByRole('textbox', { name: 'Value 1' }).waitFor();
        report(problems, 'Add a check', await axe(page));
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
      }
    }
    expect(problems).toEqual([]);
    await page.close();
  });
});
