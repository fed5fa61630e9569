import { describe, expect, it } from 'vitest';
import { blockedHost, blockedTarget, isLinkLocal } from './webhooks.target.js';
import { webhookUrl } from './webhooks.schemas.js';

describe('webhook targets', () => {
  it.each([
    ['169.254.169.254', true],
    ['169.254.0.1', true],
    ['fe80::1', true],
    ['[fe80::abcd]', true],
    ['::ffff:169.254.169.254', true],
    ['::ffff:a9fe:a9fe', true],
    ['fd00:ec2::254', true],
    ['10.0.0.5', false],
    ['192.168.1.20', false],
    ['127.0.0.1', false],
    ['::1', false],
    ['fd12::1', false],
    ['example.org', false],
  ])('%s link-local: %s', (address, expected) => {
    expect(isLinkLocal(address)).toBe(expected);
  });

  it('refuses metadata hosts and link-local literals, in any spelling the URL parser accepts; LAN hosts are allowed', () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://2852039166/', 'http://0xa9.0xfe.0xa9.0xfe/', 'http://[fe80::1]/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://METADATA.google.internal./']) {
      expect(blockedHost(url), url).not.toBeNull();
      expect(webhookUrl.safeParse(url).success, url).toBe(false);
    }
    for (const url of ['http://192.168.1.20:8080/hook', 'https://intranet.school.local/hook', 'http://10.1.2.3/x', 'https://example.org/hook']) {
      expect(blockedHost(url), url).toBeNull();
      expect(webhookUrl.safeParse(url).success, url).toBe(true);
    }
  });

  it('refuses a name that resolves to a link-local address at delivery time', async () => {
    expect(await blockedTarget('https://rebind.example/hook', async () => [{ address: '10.0.0.1' }, { address: '169.254.169.254' }])).toMatch(/link-local/);
    expect(await blockedTarget('https://lan.example/hook', async () => [{ address: '192.168.0.9' }])).toBeNull();
    expect(
      await blockedTarget('https://missing.example/hook', async () => {
        throw new Error('ENOTFOUND');
      }),
    ).toBeNull();
  });
});
