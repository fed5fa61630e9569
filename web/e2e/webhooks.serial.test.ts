import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/contexts/signin/webhooks/webhooks.signature.js';
import { axe, E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

describe.skipIf(!chromiumPath)('webhooks page (Chromium)', { timeout: E2E_TEST_TIMEOUT }, () => {
  // The receiver is on 127.0.0.1: allowed by the operator's setting, as a school's LAN receiver would be.
  const e2e = useE2e(chromiumPath, { env: () => ({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: '1' }) });
  const received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
  let receiver: Server;
  let url = '';
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('got it');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/threshold`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });

  it('adds a webhook, shows its key once, sends a test event and shows it in the delivery log', async () => {
    const tenant = await e2e.createTenant();
    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/signin/webhooks`);
    await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
    await page.getByRole('textbox', { name: 'URL' }).fill('ftp://example.test/');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('An http:// or https:// URL without credentials').waitFor();
    await page.getByRole('textbox', { name: 'URL' }).fill(url);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const key = page.getByRole('textbox', { name: 'Signing key' });
    await key.waitFor();
    const secret = await key.inputValue();
    expect(secret).toMatch(/^whsec_/);

    const card = page.getByRole('region', { name: `Webhook ${url}` });
    await card.getByRole('button', { name: 'Send test event' }).click();
    await card.getByRole('status').filter({ hasText: 'Test event queued' }).waitFor();
    expect(await axe(page)).toEqual([]); // the confirmation in a readable green
    // The delivery log refreshes itself while the delivery is pending.
    const log = card.getByRole('table', { name: 'Delivery log' });
    await log.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: '200' }).filter({ hasText: 'succeeded' }).waitFor();
    await screenshot(page, 'webhooks');
    expect(received).toHaveLength(1);
    const sig = String(received[0]!.headers['threshold-signature']);
    expect(verifySignature(secret, sig, received[0]!.body, Math.floor(Date.now() / 1000))).toBe(true);
  });
});
