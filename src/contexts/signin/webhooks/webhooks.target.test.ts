import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockedAddress, blockedHost, blockedTarget, isLinkLocal, isPublicAddress, resolveTarget } from './webhooks.target.js';

const LAN = { allowPrivateNetworks: true };
const STRICT = { allowPrivateNetworks: false };
import { postTo } from './webhooks.service.js';
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
    ['::a9fe:a9fe', true],
    ['::169.254.169.254', true],
    ['64:ff9b::a9fe:a9fe', true],
    ['64:ff9b::169.254.169.254', true],
    ['64:ff9b:1::a9fe:a9fe', true],
    ['64:ff9b:1:a9fe:a9:fe00::', true], // RFC 6052's /48 layout: 169.254.169.254 split around bits 64–71
    ['64:ff9b:1:808:8:800::', true], // the whole local-use NAT64 prefix, whatever it carries
    ['::ffff:0:a9fe:a9fe', true],
    ['2002:a9fe:a9fe::1', true],
    ['0:0:0:0:0:ffff:a9fe:a9fe', true],
    ['64:ff9b::808:808', false],
    ['10.0.0.5', false],
    ['192.168.1.20', false],
    ['127.0.0.1', false],
    ['::1', false],
    ['fd12::1', false],
    ['example.org', false],
  ])('%s link-local: %s', (address, expected) => {
    expect(isLinkLocal(address)).toBe(expected);
  });

  it('refuses the IPv4-embedded IPv6 spellings of the metadata address in webhook URLs', () => {
    for (const url of ['http://[::a9fe:a9fe]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[::ffff:169.254.169.254]/', 'http://[2002:a9fe:a9fe::]/', 'http://[64:ff9b:1::a9fe:a9fe]/']) {
      expect(blockedHost(url), url).not.toBeNull();
      expect(webhookUrl.safeParse(url).success, url).toBe(false);
    }
  });

  it.each([
    ['8.8.8.8', true],
    ['2606:4700::1111', true],
    ['64:ff9b::808:808', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.20.0.1', false],
    ['192.168.0.9', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['::', false],
    ['fd12::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['64:ff9b::a00:1', false],
    ['2002:0a00:0001::1', false],
  ])('%s public: %s (replies stored only from public addresses)', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  // The answers that changed when ipaddr.js's ranges replaced our own table, each as IANA's
  // special-purpose registries have it; and the rules that stay ours.
  it.each([
    ['192.0.43.10', true], // public space; the old table refused all of 192.0/16, not just 192.0.0/24 and 192.0.2/24
    ['192.0.0.170', false],
    ['192.0.2.1', false],
    ['198.51.100.7', false], // documentation (TEST-NET-2, -3): were public
    ['203.0.113.7', false],
    ['192.88.99.1', false], // the deprecated 6to4 relay anycast: was public
    ['192.52.193.1', true], // AMT anycast: globally reachable
    ['::ffff:198.51.100.7', false], // and in every IPv6 spelling that carries them
    ['2002:cb00:7107::1', false],
    ['2001:2::1', false], // benchmarking, documentation, discard, segment routing, ORCHID, other IETF assignments: were public
    ['3fff::1', false],
    ['100::1', false],
    ['5f00::1', false],
    ['2001:10::1', false],
    ['2001:5::1', false],
    ['2001:3::1', true], // AMT, AS112, ORCHIDv2: globally reachable
    ['2001:4:112::1', true],
    ['2001:20::1', true],
    ['64:ff9b:2::1', false], // ours: outside 2000::/3 (ipaddr.js's `unicast`), as the old NAT64 unwrapping refused it
    ['64:ff9b:1::808:808', false], // ours: local-use NAT64, refused whole
    ['::808:808', true], // ours: IPv4-compatible, unwrapped (ipaddr.js has no range for it)
    ['::7f00:1', false],
    ['::10.0.0.1', false],
  ])('%s public: %s (ipaddr.js ranges, our own rules where it has none)', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  // IANA's special-purpose address registries (IPv4 and IPv6, as of 2025-10), every entry with its
  // "Globally Reachable" column: each block's first and last address is public exactly when the
  // column says True. The most specific entry wins (192.0.0.9 inside 192.0.0.0/24). N/A entries:
  // the deprecated ones (192.88.99.0/24, 2001:10::/28) and what 2001::/23 leaves unassigned are not
  // public; 6to4, Teredo and 64:ff9b::/96 (True) are judged by the IPv4 address they carry, below.
  it.each<[string, string, string, boolean]>([
    ['0.0.0.0/8', '0.0.0.0', '0.255.255.255', false],
    ['10.0.0.0/8', '10.0.0.0', '10.255.255.255', false],
    ['100.64.0.0/10', '100.64.0.0', '100.127.255.255', false],
    ['127.0.0.0/8', '127.0.0.0', '127.255.255.255', false],
    ['169.254.0.0/16', '169.254.0.0', '169.254.255.255', false],
    ['172.16.0.0/12', '172.16.0.0', '172.31.255.255', false],
    ['192.0.0.0/24 IETF protocol assignments', '192.0.0.11', '192.0.0.255', false],
    ['192.0.0.0/29 IPv4 service continuity', '192.0.0.0', '192.0.0.7', false],
    ['192.0.0.8/32 IPv4 dummy address', '192.0.0.8', '192.0.0.8', false],
    ['192.0.0.9/32 Port Control Protocol anycast', '192.0.0.9', '192.0.0.9', true],
    ['192.0.0.10/32 TURN anycast', '192.0.0.10', '192.0.0.10', true],
    ['192.0.0.170/32 NAT64/DNS64 discovery', '192.0.0.170', '192.0.0.170', false],
    ['192.0.0.171/32 NAT64/DNS64 discovery', '192.0.0.171', '192.0.0.171', false],
    ['192.0.2.0/24 TEST-NET-1', '192.0.2.0', '192.0.2.255', false],
    ['192.31.196.0/24 AS112-v4', '192.31.196.0', '192.31.196.255', true],
    ['192.52.193.0/24 AMT', '192.52.193.0', '192.52.193.255', true],
    ['192.88.99.0/24 deprecated 6to4 relay anycast (N/A)', '192.88.99.0', '192.88.99.255', false],
    ['192.88.99.2/32 6a44 relay anycast', '192.88.99.2', '192.88.99.2', false],
    ['192.168.0.0/16', '192.168.0.0', '192.168.255.255', false],
    ['192.175.48.0/24 direct delegation AS112', '192.175.48.0', '192.175.48.255', true],
    ['198.18.0.0/15 benchmarking', '198.18.0.0', '198.19.255.255', false],
    ['198.51.100.0/24 TEST-NET-2', '198.51.100.0', '198.51.100.255', false],
    ['203.0.113.0/24 TEST-NET-3', '203.0.113.0', '203.0.113.255', false],
    ['240.0.0.0/4 reserved', '240.0.0.0', '255.255.255.254', false],
    ['255.255.255.255/32 limited broadcast', '255.255.255.255', '255.255.255.255', false],
    ['::1/128 loopback', '::1', '::1', false],
    ['::/128 unspecified', '::', '::', false],
    ['::ffff:0:0/96 IPv4-mapped (a private IPv4 address)', '::ffff:10.0.0.0', '::ffff:10.255.255.255', false],
    ['64:ff9b:1::/48 local-use IPv4/IPv6 translation', '64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff', false],
    ['100::/64 discard-only', '100::', '100::ffff:ffff:ffff:ffff', false],
    ['100:0:0:1::/64 dummy IPv6 prefix', '100:0:0:1::', '100:0:0:1:ffff:ffff:ffff:ffff', false],
    ['2001::/23 IETF protocol assignments (unassigned)', '2001:5::', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['2001:1::1/128 Port Control Protocol anycast', '2001:1::1', '2001:1::1', true],
    ['2001:1::2/128 TURN anycast', '2001:1::2', '2001:1::2', true],
    ['2001:1::3/128 DNS-SD service registration protocol anycast', '2001:1::3', '2001:1::3', true],
    ['2001:1::/32 around them', '2001:1::', '2001:1::4', false],
    ['2001:2::/48 benchmarking', '2001:2::', '2001:2:0:ffff:ffff:ffff:ffff:ffff', false],
    ['2001:3::/32 AMT', '2001:3::', '2001:3:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:4:112::/48 AS112-v6', '2001:4:112::', '2001:4:112:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:10::/28 deprecated ORCHID (N/A)', '2001:10::', '2001:1f:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['2001:20::/28 ORCHIDv2', '2001:20::', '2001:2f:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:30::/28 drone remote ID entity tags', '2001:30::', '2001:3f:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:db8::/32 documentation', '2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['2620:4f:8000::/48 direct delegation AS112', '2620:4f:8000::', '2620:4f:8000:ffff:ffff:ffff:ffff:ffff', true],
    ['3fff::/20 documentation', '3fff::', '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['5f00::/16 segment routing SIDs', '5f00::', '5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['fc00::/7 unique-local', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['fe80::/10 link-local', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
    // Judged by the IPv4 address they carry (6to4, Teredo: N/A; 64:ff9b::/96: True).
    ['2002::/16 6to4 carrying a public address', '2002:808:808::', '2002:808:808:ffff:ffff:ffff:ffff:ffff', true],
    ['2002::/16 6to4 carrying a private one', '2002:a00:1::', '2002:a00:1:ffff:ffff:ffff:ffff:ffff', false],
    ['64:ff9b::/96 carrying a public address', '64:ff9b::808:808', '64:ff9b::c000:9', true],
    ['64:ff9b::/96 carrying a private one', '64:ff9b::a00:1', '64:ff9b::c0a8:1', false],
  ])('IANA special-purpose %s: %s and %s public: %s', (_block, first, last, reachable) => {
    expect([isPublicAddress(first), isPublicAddress(last)]).toEqual([reachable, reachable]);
  });

  it('resolves once and hands back the address to connect to; the request goes there with no second lookup', async () => {
    expect(await resolveTarget('https://lan.example/hook', LAN, async () => [{ address: '192.168.0.9' }])).toEqual({ blocked: null, address: '192.168.0.9', family: 4, public: false });
    expect(await resolveTarget('https://pub.example/hook', STRICT, async () => [{ address: '2606:4700::1111' }])).toEqual({ blocked: null, address: '2606:4700::1111', family: 6, public: true });
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('x'.repeat(5000)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      // A name that cannot resolve: the request only works because it connects to the given address.
      const res = await postTo(new URL(`http://receiver.invalid:${port}/hook`), '127.0.0.1', 4, { 'content-type': 'application/json' }, '{}', 5000);
      expect(res.status).toBe(200);
      expect(Buffer.byteLength(res.snippet)).toBeLessThanOrEqual(1024);
      expect(res.snippet.length).toBeGreaterThan(1000);
    } finally {
      server.close();
    }
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

  it('refuses a name that resolves to a link-local address at delivery time, whatever the operator allows', async () => {
    for (const policy of [LAN, STRICT]) {
      expect(await blockedTarget('https://rebind.example/hook', policy, async () => [{ address: '8.8.8.8' }, { address: '169.254.169.254' }])).toMatch(/link-local/);
    }
    expect(await blockedTarget('https://lan.example/hook', LAN, async () => [{ address: '192.168.0.9' }])).toBeNull();
    expect(
      await blockedTarget('https://missing.example/hook', STRICT, async () => {
        throw new Error('ENOTFOUND');
      }),
    ).toBeNull();
    // A lookup that hangs is left to the delivery (which resolves and checks again), not waited for.
    expect(await blockedTarget('https://slow.example/hook', STRICT, () => new Promise(() => undefined), 20)).toBeNull();
  });

  it.each([
    ['127.0.0.1'],
    ['127.8.9.10'],
    ['0.0.0.0'],
    ['10.1.2.3'],
    ['172.16.0.1'],
    ['172.31.255.254'],
    ['192.168.1.20'],
    ['100.64.0.1'],
    ['169.254.169.254'],
    ['::1'],
    ['::'],
    ['fd12::1'],
    ['fc00::5'],
    ['fe80::1'],
    ['fec0::1'],
    ['::ffff:10.0.0.1'],
    ['::ffff:7f00:1'],
    ['64:ff9b::a00:1'],
  ])('refuses %s by default (private, loopback, link-local, IPv6 ULA, in any spelling)', (address) => {
    expect(blockedAddress(address, STRICT)).not.toBeNull();
  });

  it('lets the operator allow private and loopback receivers, never link-local ones', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '192.168.1.20', '::1', 'fd12::1']) expect(blockedAddress(address, LAN), address).toBeNull();
    for (const address of ['169.254.169.254', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254']) expect(blockedAddress(address, LAN), address).toMatch(/link-local/);
    for (const address of ['8.8.8.8', '2606:4700::1111', '64:ff9b::808:808']) expect(blockedAddress(address, STRICT), address).toBeNull();
  });

  it('refuses, by default, a literal private URL and a name resolving to a private address, even one of several (DNS rebinding)', async () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://2130706433/', 'http://0x7f.1/', 'http://[::1]/', 'http://[fd12::1]/', 'http://10.1.2.3/x', 'http://[::ffff:192.168.0.1]/']) {
      const t = await resolveTarget(url, STRICT, async () => {
        throw new Error('a literal address is never looked up');
      });
      expect(t.blocked, url).toMatch(/non-public address .*WEBHOOK_ALLOW_PRIVATE_NETWORKS/);
    }
    const rebinding = await resolveTarget('https://rebind.example/hook', STRICT, async () => [{ address: '93.184.216.34' }, { address: '10.0.0.7' }]);
    expect(rebinding).toEqual({ blocked: expect.stringMatching(/^rebind\.example resolves to 10\.0\.0\.7, a private/) });
    expect(await blockedTarget('https://intranet.school.local/hook', STRICT, async () => [{ address: '192.168.10.4' }])).toMatch(/non-public/);
    expect(await blockedTarget('https://intranet.school.local/hook', LAN, async () => [{ address: '192.168.10.4' }])).toBeNull();
  });
});
