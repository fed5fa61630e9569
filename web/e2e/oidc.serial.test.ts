import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/platform/audit/audit.tables.js';
import { users } from '../../src/contexts/accounts/accounts.tables.js';
import { startFakeIdp, type FakeIdp, type FakeLogin } from '../../src/contexts/accounts/oidc/test/fake-idp.js';
import type { TestTenant } from '../../test/factories.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

describe.skipIf(!chromiumPath)('signing in through an OpenID provider (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  // PUBLIC_URL is the server's own address: the fake provider redirects the browser back to it.
  const e2e = useE2e(chromiumPath, { publicUrlIsServer: true });
  let fake: FakeIdp;
  beforeAll(async () => {
    fake = await startFakeIdp();
  });
  afterAll(async () => fake?.close());

  const redirectUri = () => `${e2e.url}/api/auth/oidc/callback`;

  /** A connection made through the API (the Settings page itself is driven in the first test). */
  async function connection(t: TestTenant, over: Record<string, unknown> = {}) {
    const clientId = `client-${randomUUID()}`;
    const res = await e2e.server.app.inject({
      method: 'POST',
      url: '/api/oidc/connections',
      headers: { ...t.owner.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ preset: 'okta', label: 'Sign in with Okta', issuer: fake.issuer, clientId, clientSecret: 'e2e-secret', domains: [`school-${randomUUID().slice(0, 8)}.test`], ...over }),
    });
    expect(res.statusCode, res.body).toBe(201);
    fake.addClient(clientId, 'e2e-secret', [redirectUri()]);
    return JSON.parse(res.body) as { id: string; domains: string[]; label: string };
  }

  /** Types the email on the sign-in page and presses the provider's button; the fake answers with `login`. */
  async function throughButton(page: Page, email: string, login: FakeLogin, button = 'Sign in with Okta') {
    fake.nextLogin(login);
    await page.goto(`${e2e.url}/login`);
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByRole('link', { name: button }).click();
  }

  const shell = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' }).waitFor({ state: 'attached' });
  const refusedWith = async (page: Page, reason: string) => {
    await page.getByRole('heading', { name: 'Sign-in refused' }).waitFor();
    await page.getByText(`Reason code: ${reason}`).waitFor();
  };

  it('an owner adds a connection in Settings, tests it, and a member of staff signs in through it', async () => {
    const t = await e2e.createTenant();
    const domain = `school-${randomUUID().slice(0, 8)}.test`;
    const clientId = `client-${randomUUID()}`;
    fake.addClient(clientId, 'settings-secret', [redirectUri()]);
    const page = await e2e.newPage();
    await signIn(page, e2e.url, t.owner);
    await page.goto(`${e2e.url}/settings/identity-provider`);
    await expect.poll(() => page.getByRole('textbox', { name: 'Redirect URI' }).inputValue()).toBe(redirectUri());
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByRole('textbox', { name: 'Identity provider' }).click();
    await page.getByRole('option', { name: 'Okta' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Button label' }).inputValue()).toBe('Sign in with Okta');
    await page.getByRole('textbox', { name: 'Issuer URL' }).fill(fake.issuer);
    await page.getByRole('textbox', { name: 'Client ID' }).fill(clientId);
    await page.getByLabel('Client secret').fill('settings-secret');
    const domains = page.getByRole('textbox', { name: 'Email domains' });
    await domains.fill(domain);
    await domains.press('Enter');
    await page.getByRole('button', { name: 'Add connection' }).last().click();
    await page.getByRole('cell', { name: domain }).waitFor();
    await page.getByRole('button', { name: 'Test Sign in with Okta' }).click();
    await page.getByText('Sign in with Okta: all checks passed').waitFor();
    await screenshot(page, 'oidc-settings');
    await page.close();

    const [staff] = await e2e.server.platform.db.insert(users).values({ tenantId: t.tenantId, email: `teacher@${domain}`, name: 'Tess Teacher', role: 'manager' }).returning();
    const staffPage = await e2e.newPage();
    await throughButton(staffPage, `teacher@${domain}`, { claims: { email: `teacher@${domain}`, email_verified: true } });
    await shell(staffPage);
    const me = await staffPage.evaluate(async () => (await fetch('/api/auth/me')).json());
    expect(me.user).toMatchObject({ id: staff!.id, role: 'manager' });
    expect(fake.lastAuthorization()?.get('code_challenge_method')).toBe('S256');
    expect(fake.lastAuthorization()?.get('login_hint')).toBe(`teacher@${domain}`);
    await staffPage.close();
  });

  it('creates an unknown user just in time with the role its groups map to', async () => {
    const t = await e2e.createTenant();
    const c = await connection(t, { jitEnabled: true, jitRole: 'viewer', allowedGroups: ['grp-staff'], groupRoles: [{ group: 'grp-office', role: 'manager' }] });
    const email = `new.person@${c.domains[0]}`;
    const page = await e2e.newPage();
    await throughButton(page, email, { claims: { email, email_verified: true, name: 'New Person', groups: ['grp-staff', 'grp-office'] } });
    await shell(page);
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
    expect(me.user).toMatchObject({ email, name: 'New Person', role: 'manager' });
    await page.close();

    const outsider = await e2e.newPage();
    await throughButton(outsider, `pupil@${c.domains[0]}`, { claims: { email: `pupil@${c.domains[0]}`, email_verified: true, groups: ['grp-pupils'] } });
    await refusedWith(outsider, 'not_in_allowed_group');
    await outsider.close();
  });

  it('refuses each bad answer with a clear page and an audit row, never a session', async () => {
    const t = await e2e.createTenant();
    const c = await connection(t);
    const email = `known@${c.domains[0]}`;
    await e2e.server.platform.db.insert(users).values({ tenantId: t.tenantId, email, role: 'viewer' });
    const good = { email, email_verified: true };
    const cases: Array<[string, FakeLogin]> = [
      ['token_invalid', { claims: good, fault: { forged: true } }],
      ['token_invalid', { claims: good, fault: { expiresIn: -600 } }],
      ['token_invalid', { claims: good, fault: { aud: 'another-client' } }],
      ['token_invalid', { claims: good, fault: { nonce: 'a-different-nonce' } }],
      ['email_not_verified', { claims: { email, email_verified: false } }],
    ];
    const page = await e2e.newPage();
    for (const [reason, login] of cases) {
      await throughButton(page, email, login);
      await refusedWith(page, reason);
      expect(await page.evaluate(async () => (await fetch('/api/auth/me')).status)).toBe(401);
    }
    await screenshot(page, 'oidc-refused');

    // A replayed state: the provider's answer opened a second time.
    fake.nextLogin({ claims: good });
    let callback = '';
    page.on('request', (r) => {
      if (r.url().includes('/api/auth/oidc/callback')) callback = r.url();
    });
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByRole('link', { name: 'Sign in with Okta' }).click();
    await shell(page);
    expect(callback).toContain('state=');
    await page.goto(callback);
    await refusedWith(page, 'state_invalid');

    // An issuer that does not answer.
    const dead = await connection(t, { issuer: 'http://127.0.0.1:9', label: 'Sign in with Nowhere' });
    await page.goto(`${e2e.url}/api/auth/oidc/${dead.id}/start`);
    await refusedWith(page, 'issuer_unreachable');
    await page.close();

    const rows = await e2e.server.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'oidc.refused')));
    expect(rows.map((r) => (r.data as { reason: string }).reason).sort()).toEqual([...cases.map(([r]) => r), 'state_invalid', 'issuer_unreachable'].sort());
  });

  it('keeps signing in after the provider rotates its signing key', async () => {
    const t = await e2e.createTenant();
    const c = await connection(t);
    const email = `keys@${c.domains[0]}`;
    await e2e.server.platform.db.insert(users).values({ tenantId: t.tenantId, email, role: 'viewer' });
    const page = await e2e.newPage();
    await throughButton(page, email, { claims: { email, email_verified: true } });
    await shell(page);
    await page.close();
    const before = fake.jwksRequests();
    await fake.rotateKeys();
    const again = await e2e.newPage();
    await throughButton(again, email, { claims: { email, email_verified: true } });
    await shell(again);
    expect(fake.jwksRequests()).toBeGreaterThan(before);
    await again.close();
  });

  it('passwords off: the owner turns them off, the sign-in page shows only the button, sign-out offers the provider’s', async () => {
    const t = await e2e.createTenant();
    const c = await connection(t);
    const ownerEmail = `head@${c.domains[0]}`;
    await e2e.server.platform.db.update(users).set({ email: ownerEmail }).where(eq(users.id, t.owner.id));
    const page = await e2e.newPage();
    await signIn(page, e2e.url, { email: ownerEmail });
    await page.goto(`${e2e.url}/settings/identity-provider`);
    await page.getByRole('switch', { name: 'Sign in only through the identity provider' }).click({ force: true });
    await page.getByText('Password sign-in is off.').waitFor();
    await page.getByRole('button', { name: /^Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await page.getByRole('textbox', { name: 'Email' }).fill(ownerEmail);
    await page.getByRole('link', { name: 'Sign in with Okta' }).waitFor();
    await page.getByText('Your organisation signs in only through its identity provider.').waitFor();
    expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);
    const refused = await page.evaluate(
      async ([email]) => (await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery staple' }) })).status,
      [ownerEmail],
    );
    expect(refused).toBe(403);

    fake.nextLogin({ claims: { email: ownerEmail, email_verified: true } });
    await page.getByRole('link', { name: 'Sign in with Okta' }).click();
    await shell(page);
    const endSession = await page.evaluate(async () => (await fetch('/api/auth/oidc/end-session')).json());
    expect(endSession).toMatchObject({ label: 'Okta', url: expect.stringContaining(`${fake.issuer}/logout`) });
    await page.getByRole('button', { name: /^Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    const offer = page.getByRole('link', { name: 'Also sign out of Okta' });
    await offer.waitFor();
    expect(await offer.getAttribute('href')).toContain(`${fake.issuer}/logout`);
    await screenshot(page, 'oidc-passwords-off');
    await page.close();
  });
});
