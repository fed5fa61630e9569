import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { call } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { kioskSetup, makeGroup, makeMember, makeSite } from '../../test/signin-factories.js';
import { solidPng } from '../../test/png.js';
import { E2E_TEST_TIMEOUT, findChromiumOrSkip, signIn, useE2e, type E2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

/**
 * The network is cut by stopping the server's listener (the process, database and port stay), so
 * the service worker's own fetches fail too; it listens again on the same port to reconnect.
 */
async function stopServer(e2e: E2e) {
  const server = e2e.server.app.server;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
async function startServer(e2e: E2e) {
  const port = Number(new URL(e2e.url).port);
  await new Promise<void>((resolve, reject) => {
    e2e.server.app.server.once('error', reject);
    e2e.server.app.server.listen(port, '127.0.0.1', () => resolve());
  });
  expect((e2e.server.app.server.address() as AddressInfo).port).toBe(port);
}

async function pairedKiosk(e2e: E2e, env: TestEnv, tenant: Awaited<ReturnType<E2e['createTenant']>>, siteId: string, siteName: string): Promise<Page> {
  const code = await call(env.app, 'POST', `/api/signin/sites/${siteId}/kiosk-pairings`, { headers: tenant.owner.headers });
  const kiosk = await e2e.context.newPage();
  await kiosk.setViewportSize({ width: 1024, height: 768 });
  // A fresh device: nothing left from another test's kiosk in this browser profile (cleared from a
  // page that does not hold the database open).
  await kiosk.goto(`${e2e.url}/health`);
  await kiosk.evaluate(() => (localStorage.clear(), new Promise((resolve) => (indexedDB.deleteDatabase('threshold-offline').onsuccess = resolve))));
  await kiosk.goto(`${e2e.url}/kiosk`);
  await kiosk.getByRole('textbox', { name: 'Pairing code' }).fill(code.body.code);
  await kiosk.getByRole('button', { name: 'Pair' }).click();
  await kiosk.getByRole('heading', { name: siteName }).waitFor();
  // Ready offline: the service worker holds the shell and IndexedDB the copy.
  await kiosk.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await kiosk.getByText(/Ready offline/).waitFor();
  return kiosk;
}

/** The photos a kiosk keeps offline (IndexedDB `photos`): member id, size and type of each. */
function keptPhotos(kiosk: Page) {
  return kiosk.evaluate(
    () =>
      new Promise<Array<{ id: string; size: number; type: string }>>((resolve) => {
        const req = indexedDB.open('threshold-offline');
        req.onsuccess = () => {
          if (!req.result.objectStoreNames.contains('photos')) return (req.result.close(), resolve([]));
          const tx = req.result.transaction('photos');
          const keys = tx.objectStore('photos').getAllKeys();
          const values = tx.objectStore('photos').getAll();
          tx.oncomplete = () => (req.result.close(), resolve((values.result as Array<{ blob: Blob }>).map((v, i) => ({ id: String(keys.result[i]), size: v.blob.size, type: v.blob.type }))));
        };
      }),
  );
}

async function findAndTap(kiosk: Page, group: string, q: string, button: RegExp) {
  await kiosk.getByRole('button', { name: group }).click();
  await kiosk.getByRole('textbox', { name: 'Type your name, or scan your card' }).fill(q);
  await kiosk.getByRole('button', { name: button }).click();
}

describe.skipIf(!chromiumPath)('the kiosk offline (Chromium, server stopped)', { timeout: E2E_TEST_TIMEOUT * 2 }, () => {
  const e2e = useE2e(chromiumPath);
  const envOf = () => ({ app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config }) as TestEnv;

  it('signs in and out offline, reloads offline, and on reconnect the visits arrive exactly once with their original times', async () => {
    const env = envOf();
    const tenant = await e2e.createTenant();
    const site = await makeSite(env, tenant, { name: 'Front office' });
    const staff = await makeGroup(env, tenant, { name: 'Staff' }, [site.id]);
    const ada = await makeMember(env, tenant, staff.id, { fullName: 'Ada Lovelace' });
    const bo = await makeMember(env, tenant, staff.id, { fullName: 'Bo Diddley' });
    const kiosk = await pairedKiosk(e2e, env, tenant, site.id, 'Front office');

    await stopServer(e2e);
    try {
      const t0 = Date.now();
      await findAndTap(kiosk, 'Staff', 'lovel', /Ada Lovelace/);
      await kiosk.getByRole('status').filter({ hasText: 'Welcome, Ada Lovelace' }).filter({ hasText: 'Recorded offline' }).waitFor();
      const t1 = Date.now();
      await kiosk.getByRole('button', { name: 'Done' }).click();
      await kiosk.getByRole('status', { name: 'Connection' }).filter({ hasText: /Offline since \d\d:\d\d · 1 event waiting/ }).waitFor();

      // A reload with no server: the shell comes from the service worker, the state from IndexedDB.
      await kiosk.reload();
      await kiosk.getByRole('heading', { name: 'Front office' }).waitFor();
      await kiosk.getByRole('status', { name: 'Connection' }).filter({ hasText: /Offline since .* 1 event waiting/ }).waitFor();

      const t2 = Date.now();
      await findAndTap(kiosk, 'Staff', 'ada', /Ada Lovelace.*Sign out/);
      await kiosk.getByRole('status').filter({ hasText: 'Goodbye, Ada Lovelace' }).waitFor();
      const t3 = Date.now();
      await kiosk.getByRole('button', { name: 'Done' }).click();
      await findAndTap(kiosk, 'Staff', 'bo', /Bo Diddley.*Sign in/);
      await kiosk.getByRole('status').filter({ hasText: 'Welcome, Bo Diddley' }).waitFor();
      await kiosk.getByRole('button', { name: 'Done' }).click();
      await kiosk.getByRole('status', { name: 'Connection' }).filter({ hasText: '3 events waiting' }).waitFor();
      expect(await call(env.app, 'GET', '/api/signin/visits', { headers: tenant.owner.headers }).then((r) => r.body.items)).toHaveLength(0);

      await startServer(e2e);
      await kiosk.getByRole('status', { name: 'Connection' }).filter({ hasText: /^Online/ }).and(kiosk.locator('[data-waiting="0"]')).waitFor({ timeout: 30_000 });
      // The next sync finds nothing more to send: still exactly once.
      await kiosk.reload();
      await kiosk.getByRole('status', { name: 'Connection' }).filter({ hasText: /^Online/ }).waitFor();

      const items = (await call(env.app, 'GET', '/api/signin/visits', { headers: tenant.owner.headers })).body.items as Array<{ memberId: string; signedInAt: string; signedOutAt: string | null; signedOutBy: string | null; recordedOffline: boolean }>;
      expect(items).toHaveLength(2);
      const a = items.find((v) => v.memberId === ada.id)!;
      const b = items.find((v) => v.memberId === bo.id)!;
      expect(a).toMatchObject({ recordedOffline: true, signedOutBy: 'kiosk' });
      expect(b).toMatchObject({ recordedOffline: true, signedOutAt: null });
      // The original (kiosk) times, not the time of the replay.
      expect(new Date(a.signedInAt).getTime()).toBeGreaterThanOrEqual(t0 - 1000);
      expect(new Date(a.signedInAt).getTime()).toBeLessThanOrEqual(t1 + 1000);
      expect(new Date(a.signedOutAt!).getTime()).toBeGreaterThanOrEqual(t2 - 1000);
      expect(new Date(a.signedOutAt!).getTime()).toBeLessThanOrEqual(t3 + 1000);
    } finally {
      if (!e2e.server.app.server.listening) await startServer(e2e);
      await kiosk.close();
    }
  });

  it('keeps photos small offline and shows them in the name search; a question answered with its reject-on answer is refused on the device and the refusal is queued for the history; revoked, the photos go', async () => {
    const env = envOf();
    const tenant = await e2e.createTenant();
    const site = await makeSite(env, tenant, { name: 'Reception' });
    const customFields = [{ id: 'unwell', label: 'Are you unwell?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Please stay at home when unwell' } }];
    const staff = await makeGroup(env, tenant, { name: 'Staff', options: { safetyCheckMode: 'reject', showReasonsOnKiosk: true, customFields } }, [site.id]);
    const ada = await makeMember(env, tenant, staff.id, { fullName: 'Ada Lovelace' });
    await makeMember(env, tenant, staff.id, { fullName: 'Bo Diddley' });
    const photo = solidPng(600, 400, [30, 120, 200]);
    const put = await env.app.inject({ method: 'PUT', url: `/api/signin/members/${ada.id}/photo`, headers: { ...tenant.owner.headers, 'content-type': 'image/png' }, payload: photo });
    expect(put.statusCode).toBe(200);
    const kiosk = await pairedKiosk(e2e, env, tenant, site.id, 'Reception');
    // Fetched in the background with the copy, made small (a JPEG of at most 160 px a side).
    await expect.poll(async () => (await keptPhotos(kiosk)).map((p) => p.id), { timeout: 20_000 }).toEqual([ada.id]);
    const [kept] = await keptPhotos(kiosk);
    expect(kept!.type).toBe('image/jpeg');
    expect(kept!.size).toBeLessThan(48 * 1024);
    expect(kept!.size).toBeLessThan(photo.length);

    await stopServer(e2e);
    try {
      await kiosk.getByRole('button', { name: 'Staff' }).click();
      await kiosk.getByRole('textbox', { name: 'Type your name, or scan your card' }).fill('lovel');
      const match = kiosk.getByRole('button', { name: /Ada Lovelace/ });
      // The photo comes from the device: the server is down.
      await expect.poll(() => match.locator('img').getAttribute('src'), { timeout: 10_000 }).toMatch(/^blob:/);
      expect(await match.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
      await match.click();
      await kiosk.getByRole('radiogroup', { name: 'Are you unwell?' }).getByRole('radio', { name: 'Yes' }).click();
      await kiosk.getByRole('button', { name: 'Sign in' }).click();
      // Refused on the device with the group's reason, as online; the refusal waits to be sent, for the history.
      const refused = kiosk.getByRole('alert').filter({ hasText: 'Sorry, Ada Lovelace, you cannot sign in' });
      await refused.filter({ hasText: 'Please stay at home when unwell' }).waitFor();
      await kiosk.getByRole('status', { name: 'Connection' }).filter({ hasText: /Offline since \d\d:\d\d · 1 event waiting/ }).waitFor();
      await kiosk.getByRole('button', { name: 'Done' }).click();

      // Answered otherwise, the same person signs in offline (queued).
      await kiosk.getByRole('button', { name: 'Staff' }).click();
      await kiosk.getByRole('textbox', { name: 'Type your name, or scan your card' }).fill('lovel');
      await kiosk.getByRole('button', { name: /Ada Lovelace/ }).click();
      await kiosk.getByRole('radiogroup', { name: 'Are you unwell?' }).getByRole('radio', { name: 'No' }).click();
      await kiosk.getByRole('button', { name: 'Sign in' }).click();
      await kiosk.getByRole('status').filter({ hasText: 'Welcome, Ada Lovelace' }).waitFor();
      await kiosk.getByRole('button', { name: 'Done' }).click();
      await kiosk.getByRole('status', { name: 'Connection' }).filter({ hasText: '2 events waiting' }).waitFor();

      await startServer(e2e);
      await kiosk.getByRole('status', { name: 'Connection' }).filter({ hasText: /^Online/ }).and(kiosk.locator('[data-waiting="0"]')).waitFor({ timeout: 30_000 });
      const items = (await call(env.app, 'GET', '/api/signin/visits', { headers: tenant.owner.headers })).body.items as Array<{ memberId: string; outcome: string; answers: Record<string, string>; reasons: Array<{ code: string }> }>;
      // Each once: the refusal in the history with its answer and the question's reason, then the sign-in.
      expect(items.map((v) => [v.memberId, v.outcome, v.answers]).sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
        [ada.id, 'rejected', { unwell: 'yes' }],
        [ada.id, 'signed_in', { unwell: 'no' }],
      ]);
      expect(items.find((v) => v.outcome === 'rejected')!.reasons.map((r) => r.code)).toContain('decided_offline');

      // Revoked: the photos are wiped with the copy at the next contact.
      const devices = await call(env.app, 'GET', `/api/signin/sites/${site.id}/kiosks`, { headers: tenant.owner.headers });
      for (const d of devices.body.items as Array<{ id: string }>) await call(env.app, 'POST', `/api/signin/kiosks/${d.id}/revoke`, { headers: tenant.owner.headers });
      await kiosk.reload();
      await kiosk.getByRole('textbox', { name: 'Pairing code' }).waitFor();
      await expect.poll(async () => (await keptPhotos(kiosk)).length, { timeout: 10_000 }).toBe(0);
    } finally {
      if (!e2e.server.app.server.listening) await startServer(e2e);
      await kiosk.close();
    }
  });

  it('a revoked kiosk wipes its offline copy and queue at its next contact', async () => {
    const env = envOf();
    const tenant = await e2e.createTenant();
    const site = await makeSite(env, tenant, { name: 'Back gate' });
    const staff = await makeGroup(env, tenant, { name: 'Staff' }, [site.id]);
    await makeMember(env, tenant, staff.id, { fullName: 'Cy Twombly' });
    const kiosk = await pairedKiosk(e2e, env, tenant, site.id, 'Back gate');
    const stored = () =>
      kiosk.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const req = indexedDB.open('threshold-offline');
            req.onsuccess = () => {
              const tx = req.result.transaction(['kv', 'queue'], 'readonly');
              const kv = tx.objectStore('kv').count();
              tx.oncomplete = () => resolve(kv.result);
            };
          }),
      );
    expect(await stored()).toBeGreaterThan(0);
    const devices = await call(env.app, 'GET', `/api/signin/sites/${site.id}/kiosks`, { headers: tenant.owner.headers });
    for (const d of devices.body.items as Array<{ id: string }>) await call(env.app, 'POST', `/api/signin/kiosks/${d.id}/revoke`, { headers: tenant.owner.headers });
    await kiosk.reload();
    await kiosk.getByRole('textbox', { name: 'Pairing code' }).waitFor();
    await expect.poll(stored, { timeout: 10_000 }).toBe(0);
    expect(await kiosk.evaluate(() => localStorage.getItem('threshold.kiosk.token'))).toBeNull();
    // Its page holds the database open: closed, so the next test's fresh kiosk can delete it.
    await kiosk.close();
  });

  it('a kiosk out of contact longer than OFFLINE_MAX_HOURS wipes its copy (members, config, PINs) and keeps its queue, sent on reconnect', async () => {
    const env = envOf();
    const tenant = await e2e.createTenant();
    const site = await makeSite(env, tenant, { name: 'Side door' });
    const staff = await makeGroup(env, tenant, { name: 'Staff' }, [site.id]);
    const dee = await makeMember(env, tenant, staff.id, { fullName: 'Dee Rolle' });
    const put = await env.app.inject({ method: 'PUT', url: `/api/signin/members/${dee.id}/photo`, headers: { ...tenant.owner.headers, 'content-type': 'image/png' }, payload: solidPng(80, 80, [0, 0, 0]) });
    expect(put.statusCode).toBe(200);
    const kiosk = await pairedKiosk(e2e, env, tenant, site.id, 'Side door');
    await expect.poll(async () => (await keptPhotos(kiosk)).length, { timeout: 20_000 }).toBe(1);
    /** The kv keys and the queue's length in the kiosk's IndexedDB. */
    const stored = () =>
      kiosk.evaluate(
        () =>
          new Promise<{ keys: string[]; queued: number }>((resolve) => {
            const req = indexedDB.open('threshold-offline');
            req.onsuccess = () => {
              const tx = req.result.transaction(['kv', 'queue']);
              const keys = tx.objectStore('kv').getAllKeys();
              const queued = tx.objectStore('queue').count();
              tx.oncomplete = () => (req.result.close(), resolve({ keys: (keys.result as string[]).sort(), queued: queued.result }));
            };
          }),
      );
    expect((await stored()).keys).toEqual(expect.arrayContaining(['kiosk.config', 'kiosk.data', 'kiosk.lastContact']));
    const maxHours = env.platform.config.offlineMaxHours;

    await stopServer(e2e);
    try {
      await findAndTap(kiosk, 'Staff', 'dee', /Dee Rolle/);
      await kiosk.getByRole('status').filter({ hasText: 'Welcome, Dee Rolle' }).waitFor();
      await kiosk.getByRole('button', { name: 'Done' }).click();
      expect((await stored()).queued).toBe(1);
      // The last contact with the server was longer ago than OFFLINE_MAX_HOURS.
      await kiosk.evaluate(
        (hours) =>
          new Promise<void>((resolve) => {
            const req = indexedDB.open('threshold-offline');
            req.onsuccess = () => {
              const tx = req.result.transaction('kv', 'readwrite');
              tx.objectStore('kv').put(new Date(Date.now() - (hours + 1) * 3_600_000).toISOString(), 'kiosk.lastContact');
              tx.oncomplete = () => (req.result.close(), resolve());
            };
          }),
        maxHours,
      );
      await kiosk.reload();
      await expect.poll(async () => (await stored()).keys, { timeout: 10_000 }).not.toContain('kiosk.data');
      const after = await stored();
      expect(after.keys).not.toContain('kiosk.config');
      expect(after.queued).toBe(1);
      expect(await keptPhotos(kiosk)).toEqual([]);

      // Back online: the queue kept is sent; the sign-in is recorded once.
      await startServer(e2e);
      await expect.poll(async () => (await call(env.app, 'GET', '/api/signin/visits', { headers: tenant.owner.headers })).body.items.length, { timeout: 30_000 }).toBe(1);
      const [visit] = (await call(env.app, 'GET', '/api/signin/visits', { headers: tenant.owner.headers })).body.items;
      expect(visit).toMatchObject({ memberId: dee.id, recordedOffline: true });
      await expect.poll(async () => (await stored()).queued, { timeout: 10_000 }).toBe(0);
    } finally {
      if (!e2e.server.app.server.listening) await startServer(e2e);
      await kiosk.close();
    }
  });

  it('the group page sets the offline policy (how old a safety check the kiosk trusts, what it does then, whether it keeps photos), and the kiosk copy carries it', async () => {
    const env = envOf();
    const tenant = await e2e.createTenant();
    const { group, kiosk } = await kioskSetup(env, tenant, { name: 'Staff', options: { safetyCheckMode: 'reject' } });
    const page = await e2e.newPage();
    try {
      await signIn(page, e2e.url, tenant.owner);
      await page.goto(`${e2e.url}/signin/groups/${group.id}`);
      const hours = page.getByRole('textbox', { name: 'Offline: trust a safety check for (hours)' });
      await expect.poll(() => hours.inputValue()).toBe('24');
      await hours.fill('6');
      await page.getByRole('textbox', { name: 'Offline: when it is older' }).click();
      await page.getByRole('option', { name: 'Let them in and flag the visit for review' }).click();
      const photos = page.getByRole('checkbox', { name: 'Offline: keep members’ photos on the kiosk' });
      expect(await photos.isChecked()).toBe(true);
      await photos.uncheck();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect
        .poll(async () => (await call(env.app, 'GET', `/api/signin/groups/${group.id}`, { headers: tenant.owner.headers })).body.options.offline, { timeout: 10_000 })
        .toEqual({ maxSafetyAgeHours: 6, whenStale: 'allow_flag', photos: false });
      const copy = (await call(env.app, 'GET', '/api/kiosk/offline', { headers: kiosk.headers })).body;
      expect(copy.groups.find((g: { id: string }) => g.id === group.id).offline).toEqual({ maxSafetyAgeHours: 6, whenStale: 'allow_flag', photos: false });
    } finally {
      await page.close();
    }
  });

  it('a roll call continued offline on two phones (reloaded offline), ticked, and merged on reconnect; printing works offline', async () => {
    const env = envOf();
    const tenant = await e2e.createTenant();
    const { site, group, kiosk } = await kioskSetup(env, tenant, { name: 'Staff' });
    const ids: Record<string, string> = {};
    for (const fullName of ['Ada Lovelace', 'Alan Turing', 'Grace Hopper']) {
      const m = await makeMember(env, tenant, group.id, { fullName });
      ids[fullName] = m.id;
      expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: m.id } })).status).toBe(201);
    }
    const rc = (await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: tenant.owner.headers, body: {} })).body;
    const url = `${e2e.url}/signin/roll-calls/${rc.rollCall.id}`;

    const phone = await e2e.newPage({ width: 390, height: 844 });
    await signIn(phone, e2e.url, tenant.owner);
    await phone.goto(url);
    await phone.getByRole('listitem', { name: 'Ada Lovelace' }).waitFor();
    await phone.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    const other = await e2e.context.newPage();
    await other.setViewportSize({ width: 390, height: 844 });
    await other.goto(url);
    await other.getByRole('listitem', { name: 'Ada Lovelace' }).waitFor();

    await stopServer(e2e);
    try {
      // The phone reloads with no server: the shell, the session and the last list are on the phone.
      await phone.reload();
      await phone.getByText('Offline: showing the last list').waitFor();
      const t0 = Date.now();
      await phone.getByRole('button', { name: 'Mark safe: Ada Lovelace' }).click();
      await phone.getByTestId('count-safe').filter({ hasText: '1' }).waitFor();
      await other.getByText('Offline: showing the last list').waitFor();
      // Both marshals tick Ada (not a conflict); the second ticks Alan too.
      await other.getByRole('button', { name: 'Mark safe: Ada Lovelace' }).click();
      await other.getByRole('button', { name: 'Mark safe: Alan Turing' }).click();
      await other.getByTestId('count-safe').filter({ hasText: '2' }).waitFor();
      await phone.getByTestId('ticks-waiting').waitFor();
      // Printing needs nothing from the server: the evacuation record is on the page.
      await phone.emulateMedia({ media: 'print' });
      expect(await phone.locator('table').innerText()).toContain('Grace Hopper');
      await phone.emulateMedia({ media: 'screen' });

      await startServer(e2e);
      await phone.getByTestId('ticks-waiting').waitFor({ state: 'detached', timeout: 30_000 });
      await other.getByTestId('ticks-waiting').waitFor({ state: 'detached', timeout: 30_000 });
      await phone.getByTestId('count-safe').filter({ hasText: '2' }).waitFor({ timeout: 20_000 });

      const view = (await call(env.app, 'GET', `/api/signin/roll-calls/${rc.rollCall.id}`, { headers: tenant.owner.headers })).body;
      expect(view.rollCall).toMatchObject({ safe: 2, unaccounted: 1 });
      const ada = view.entries.find((e: { personName: string }) => e.personName === 'Ada Lovelace');
      expect(ada.status).toBe('safe');
      // Marked when the marshal ticked, offline, not when it arrived.
      expect(new Date(ada.markedAt).getTime()).toBeGreaterThanOrEqual(t0 - 1000);
      expect(view.entries.find((e: { personName: string }) => e.personName === 'Grace Hopper').status).toBe('unaccounted');
    } finally {
      if (!e2e.server.app.server.listening) await startServer(e2e);
      await phone.close();
      await other.close();
    }
  });

  it('a roll call started offline on a phone (reloaded offline) is sent on reconnect and merged into the one started online meanwhile', async () => {
    const env = envOf();
    const tenant = await e2e.createTenant();
    const { site, group, kiosk } = await kioskSetup(env, tenant, { name: 'Staff' });
    for (const fullName of ['Ada Lovelace', 'Alan Turing', 'Grace Hopper']) {
      const m = await makeMember(env, tenant, group.id, { fullName });
      expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kiosk.headers, body: { groupId: group.id, memberId: m.id } })).status).toBe(201);
    }
    const phone = await e2e.newPage({ width: 390, height: 844 });
    await signIn(phone, e2e.url, tenant.owner);
    await phone.goto(`${e2e.url}/signin/roll-calls`);
    await phone.getByRole('button', { name: 'Start fire roll call' }).waitFor();
    await phone.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    // The phone keeps who is on site at each site while online.
    await expect.poll(() => phone.evaluate((id) => localStorage.getItem(`threshold.onSite.${id}`) ?? '', site.id), { timeout: 10_000 }).toContain('Grace Hopper');

    await stopServer(e2e);
    try {
      // The fire alarm rings with the network down: the phone reloads and starts the roll call from its copy.
      await phone.reload();
      await phone.getByRole('textbox', { name: 'Site' }).click();
      await phone.getByRole('option', { name: site.name }).click();
      const t0 = Date.now();
      await phone.getByRole('button', { name: 'Start fire roll call' }).click();
      await phone.getByText('Started offline on this phone').waitFor();
      await phone.getByRole('button', { name: 'Mark safe: Ada Lovelace' }).click();
      await phone.getByRole('button', { name: 'Mark safe: Alan Turing' }).click();
      await phone.getByTestId('count-safe').filter({ hasText: '2' }).waitFor();
      await phone.getByTestId('ticks-waiting').filter({ hasText: '2 ticks' }).waitFor();
      // Printing works from the phone's list.
      await phone.emulateMedia({ media: 'print' });
      expect(await phone.locator('table').innerText()).toContain('Grace Hopper');
      await phone.emulateMedia({ media: 'screen' });
      expect(phone.url()).toContain('/signin/roll-calls/offline-');

      // Meanwhile another marshal, online elsewhere (in process: the phone still cannot reach the
      // server), started the roll call and ticked Grace and Ada.
      const online = (await call(env.app, 'POST', `/api/signin/sites/${site.id}/roll-calls`, { headers: tenant.owner.headers, body: {} })).body;
      for (const name of ['Grace Hopper', 'Ada Lovelace']) {
        const e = online.entries.find((x: { personName: string }) => x.personName === name);
        expect((await call(env.app, 'POST', `/api/signin/roll-calls/${online.rollCall.id}/entries/${e.id}`, { headers: tenant.owner.headers, body: { status: 'safe' } })).status).toBe(200);
      }

      await startServer(e2e);
      // The phone sends its roll call and moves to the merged one.
      await phone.waitForURL(`**/signin/roll-calls/${online.rollCall.id}`, { timeout: 20_000 });
      await phone.getByTestId('count-safe').filter({ hasText: '3' }).waitFor({ timeout: 20_000 });
      const list = (await call(env.app, 'GET', '/api/signin/roll-calls', { headers: tenant.owner.headers })).body.items;
      expect(list).toHaveLength(1);
      const view = (await call(env.app, 'GET', `/api/signin/roll-calls/${online.rollCall.id}`, { headers: tenant.owner.headers })).body;
      expect(view.rollCall).toMatchObject({ startedAt: online.rollCall.startedAt, safe: 3, unaccounted: 0 });
      const alan = view.entries.find((e: { personName: string }) => e.personName === 'Alan Turing');
      // Ticked when the marshal ticked, offline, not when it arrived.
      expect(new Date(alan.markedAt).getTime()).toBeGreaterThanOrEqual(t0 - 1000);
      expect(new Date(alan.markedAt).getTime()).toBeLessThan(new Date(online.rollCall.startedAt).getTime());
      expect(await phone.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('offline-')))).toEqual([]);
    } finally {
      if (!e2e.server.app.server.listening) await startServer(e2e);
      await phone.close();
    }
  });

  it('a roll call started offline on a device that is also a paired kiosk lists the sign-ins that kiosk took offline; on reconnect its queue goes first and the tick on that person arrives', async () => {
    const env = envOf();
    const tenant = await e2e.createTenant();
    const site = await makeSite(env, tenant, { name: 'Hall' });
    const staff = await makeGroup(env, tenant, { name: 'Staff' }, [site.id]);
    const ada = await makeMember(env, tenant, staff.id, { fullName: 'Ada Lovelace' });
    const bo = await makeMember(env, tenant, staff.id, { fullName: 'Bo Diddley' });
    // The reception PC: the kiosk (its service worker installed) and, in the same browser profile, the portal.
    const kiosk = await pairedKiosk(e2e, env, tenant, site.id, 'Hall');
    const device = (await call(env.app, 'GET', `/api/signin/sites/${site.id}/kiosks`, { headers: tenant.owner.headers })).body.items[0];
    const kioskHeaders = { authorization: `Bearer ${await kiosk.evaluate(() => localStorage.getItem('threshold.kiosk.token'))}` };
    expect(device).toBeTruthy();
    expect((await call(env.app, 'POST', '/api/kiosk/sign-in', { headers: kioskHeaders, body: { groupId: staff.id, memberId: ada.id } })).status).toBe(201);
    const portal = await e2e.newPage({ width: 390, height: 844 });
    // Issue 15's "/api/auth/me left pending after the service worker installs": the portal opens
    // and reloads under the kiosk's service worker, and each session probe (now /api/auth/session) is answered.
    const me = portal.waitForResponse((r) => r.url().endsWith('/api/auth/session'));
    await signIn(portal, e2e.url, tenant.owner);
    expect((await me).status()).toBeLessThan(500);
    expect(await portal.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
    await portal.goto(`${e2e.url}/signin/roll-calls`);
    const again = portal.waitForResponse((r) => r.url().endsWith('/api/auth/session'));
    await portal.reload();
    expect((await again).status()).toBe(200);
    await portal.getByRole('button', { name: 'Start fire roll call' }).waitFor();
    await expect.poll(() => portal.evaluate((id) => localStorage.getItem(`threshold.onSite.${id}`) ?? '', site.id), { timeout: 10_000 }).toContain('Ada Lovelace');

    await stopServer(e2e);
    try {
      // The kiosk signs Bo in offline: the portal's copy of who is on site does not know.
      await findAndTap(kiosk, 'Staff', 'bo', /Bo Diddley/);
      await kiosk.getByRole('status').filter({ hasText: 'Welcome, Bo Diddley' }).waitFor();
      await kiosk.getByRole('button', { name: 'Done' }).click();
      await kiosk.getByRole('status', { name: 'Connection' }).filter({ hasText: '1 event waiting' }).waitFor();
      // The kiosk is switched off: only the portal page can send its queue.
      await kiosk.close();

      await portal.reload();
      await portal.getByRole('textbox', { name: 'Site' }).click();
      await portal.getByRole('option', { name: 'Hall' }).click();
      const t0 = Date.now();
      await portal.getByRole('button', { name: 'Start fire roll call' }).click();
      await portal.getByText('Started offline on this phone').waitFor();
      await portal.getByRole('listitem', { name: 'Ada Lovelace' }).waitFor();
      await portal.getByRole('button', { name: 'Mark safe: Bo Diddley' }).click();
      await portal.getByTestId('count-safe').filter({ hasText: '1' }).waitFor();

      await startServer(e2e);
      await portal.waitForURL(/\/signin\/roll-calls\/[0-9a-f-]{36}$/, { timeout: 30_000 });
      const list = (await call(env.app, 'GET', '/api/signin/roll-calls', { headers: tenant.owner.headers })).body.items as Array<{ id: string }>;
      expect(list).toHaveLength(1);
      const view = (await call(env.app, 'GET', `/api/signin/roll-calls/${list[0]!.id}`, { headers: tenant.owner.headers })).body;
      const byName = Object.fromEntries((view.entries as Array<{ personName: string; status: string; markedAt: string | null }>).map((e) => [e.personName, e]));
      expect(Object.keys(byName).sort()).toEqual(['Ada Lovelace', 'Bo Diddley']);
      expect(byName['Bo Diddley']).toMatchObject({ status: 'safe' });
      expect(new Date(byName['Bo Diddley']!.markedAt!).getTime()).toBeGreaterThanOrEqual(t0 - 1000);
      expect(byName['Ada Lovelace']).toMatchObject({ status: 'unaccounted' });
      // Bo's visit arrived once, from the kiosk's queue, recorded offline.
      const visits = (await call(env.app, 'GET', '/api/signin/visits', { headers: tenant.owner.headers })).body.items as Array<{ memberId: string; recordedOffline: boolean }>;
      expect(visits.filter((v) => v.memberId === bo.id)).toEqual([expect.objectContaining({ recordedOffline: true })]);
    } finally {
      if (!e2e.server.app.server.listening) await startServer(e2e);
      if (!kiosk.isClosed()) await kiosk.close();
      await portal.close();
    }
  });
});
