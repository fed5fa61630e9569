import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which webhook targets are refused (docs/decisions/003-webhook-targets.md, amended by
 * 043-hostile-leftovers.md). Always: link-local addresses (169.254.0.0/16, fe80::/10, where cloud
 * metadata services answer) in every spelling, including IPv6 addresses that embed an IPv4 one
 * (::ffff:, ::a.b.c.d, 64:ff9b::/96, 64:ff9b:1::/48, 6to4, Teredo), and the metadata host names.
 * By default also every other address that is not globally routable (loopback, RFC 1918, CGNAT,
 * documentation, IPv6 ULA and loopback, …: `isPublicAddress`); the operator's WEBHOOK_ALLOW_PRIVATE_NETWORKS lets
 * those through for a self-hosted school whose receiver is on its LAN — their replies are still not
 * stored, so the delivery log cannot be used to read an internal service. Addresses are parsed and
 * their ranges named by ipaddr.js; the rules it has no range for are ours, below (decision 045).
 */
export type TargetPolicy = { allowPrivateNetworks: boolean };

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

type V4 = ipaddr.IPv4;
type V6 = ipaddr.IPv6;

/**
 * The address as written, parsed by ipaddr.js; undefined when it is not one (a name). Only the
 * standard spellings `isIP` takes (the URL parser has already turned `2130706433` or `0x7f.1` into
 * one). An IPv6 address's trailing dotted IPv4 part is read as its last 32 bits first: ipaddr.js
 * reads `::a.b.c.d` as `::ffff:a.b.c.d`, another address.
 */
function parse(address: string): V4 | V6 | undefined {
  const a = address.replace(/^\[|\]$/g, '');
  const kind = isIP(a);
  if (kind === 4) return ipaddr.IPv4.parse(a);
  if (kind !== 6) return undefined;
  const hex = a.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)(?=$|%)/, (_, w: string, x: string, y: string, z: string) => `${((+w << 8) | +x).toString(16)}:${((+y << 8) | +z).toString(16)}`);
  return ipaddr.IPv6.parse(hex);
}

const v4From = (hi: number, lo: number): V4 => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

// Ours, not ipaddr.js's: the AWS metadata service over IPv6 (a ULA to ipaddr.js), and the local-use
// NAT64 prefix (RFC 8215), which may carry its IPv4 address in any RFC 6052 layout, not only the
// last 32 bits `embeddedV4` reads: refused whole rather than parsed.
const AWS_METADATA_V6 = ipaddr.IPv6.parse('fd00:ec2::254');
const LOCAL_NAT64: [V6, number] = [ipaddr.IPv6.parse('64:ff9b:1::'), 48];

/**
 * IPv4 addresses an IPv6 address carries, by ipaddr.js's range: IPv4-mapped `::ffff:a.b.c.d`, SIIT
 * `::ffff:0:a.b.c.d` (rfc6145), NAT64 `64:ff9b::/96` and `64:ff9b:1::/48` (rfc6052, the last 32
 * bits), 6to4 and Teredo (its server and its client); and, ours, the deprecated IPv4-compatible
 * `::a.b.c.d` (ipaddr.js has no range for it: `unicast` to it).
 */
function embeddedV4(v6: V6): V4[] {
  const g = v6.parts;
  const range: string = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') return [v4From(g[6]!, g[7]!)];
  if (range === '6to4') return [v4From(g[1]!, g[2]!)];
  if (range === 'teredo') return [v4From(g[2]!, g[3]!), v4From(g[6]! ^ 0xffff, g[7]! ^ 0xffff)];
  if (g.slice(0, 6).every((x) => x === 0)) return [v4From(g[6]!, g[7]!)]; // ::a.b.c.d (:: and ::1 too)
  return [];
}

/**
 * Public: an address in none of ipaddr.js's special ranges (`unicast`), or in one that IANA's
 * special-purpose registries call globally reachable (AS112 and AMT anycast; ORCHIDv2 and drone
 * DETs; the single anycast addresses below). Every other special range is not (private, loopback, link-local, CGNAT, multicast,
 * broadcast, documentation, benchmarking, reserved, ULA, site-local, discard, segment routing, …).
 * Ours: an IPv6 address is public only in global unicast space, 2000::/3 (ipaddr.js calls any
 * address outside its ranges `unicast`, unallocated ones too, e.g. the rest of 64:ff9b::/16).
 */
const PUBLIC_V4 = new Set(['unicast', 'as112', 'amt']);
const PUBLIC_V6 = new Set(['unicast', 'as112v6', 'amt', 'orchid2', 'droneRemoteIdProtocolEntityTags']);
const GLOBAL_UNICAST_V6: [V6, number] = [ipaddr.IPv6.parse('2000::'), 3];
/**
 * Ours: the single addresses IANA's registries call globally reachable inside blocks ipaddr.js
 * has as `reserved` (192.0.0.0/24, 2001::/23): the Port Control Protocol and TURN anycast
 * addresses, and DNS-SD's Service Registration Protocol anycast (IPv6 only).
 */
const GLOBAL_ANYCAST_V4 = ['192.0.0.9', '192.0.0.10'].map((a) => ipaddr.IPv4.parse(a));
const GLOBAL_ANYCAST_V6 = ['2001:1::1', '2001:1::2', '2001:1::3'].map((a) => ipaddr.IPv6.parse(a));

const linkLocalV4 = (v: V4) => v.range() === 'linkLocal';
const publicV4 = (v: V4) => PUBLIC_V4.has(v.range()) || GLOBAL_ANYCAST_V4.some((a) => v.match(a, 32));
const publicV6 = (v: V6) => (PUBLIC_V6.has(v.range()) && v.match(GLOBAL_UNICAST_V6)) || GLOBAL_ANYCAST_V6.some((a) => v.match(a, 128));

/** True for a link-local IPv4/IPv6 address, in any IPv6 spelling that embeds an IPv4 one. */
export function isLinkLocal(address: string): boolean {
  const ip = parse(address.toLowerCase());
  if (!ip) return false;
  if (ip instanceof ipaddr.IPv4) return linkLocalV4(ip);
  if (ip.range() === 'linkLocal' || ip.match(AWS_METADATA_V6, 128) || ip.match(LOCAL_NAT64)) return true;
  return embeddedV4(ip).some(linkLocalV4);
}

/** True only for a globally routable address: replies from anything else are not kept. */
export function isPublicAddress(address: string): boolean {
  const ip = parse(address.toLowerCase());
  if (!ip) return false;
  if (ip instanceof ipaddr.IPv4) return publicV4(ip);
  if (ip.match(LOCAL_NAT64)) return false;
  const inner = embeddedV4(ip);
  if (inner.length > 0) return inner.every(publicV4);
  return publicV6(ip);
}

/** Why this URL's host (as written) is always refused, or null (the policy's part is `blockedAddress`). */
export function blockedHost(url: string): string | null {
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata service`;
  if (isLinkLocal(host)) return `${host} is a link-local address`;
  return null;
}

/** What an address is, when the policy refuses it, or null. */
export function blockedAddress(address: string, policy: TargetPolicy): string | null {
  if (isLinkLocal(address)) return 'a link-local address';
  if (!policy.allowPrivateNetworks && !isPublicAddress(address)) return 'a private, loopback or otherwise non-public address (the operator setting WEBHOOK_ALLOW_PRIVATE_NETWORKS allows those)';
  return null;
}

type Resolve = (host: string) => Promise<Array<{ address: string; family?: number }>>;
const systemResolve: Resolve = (host) => lookup(host, { all: true });

export type Target = { blocked: string } | { blocked: null; address: string; family: 4 | 6; public: boolean };

/**
 * The one address a delivery connects to, checked: the name is resolved once here and the
 * request is made to this address (no second lookup that a rebinding name could answer
 * differently). Refused when any resolved address is refused by the policy. A failed lookup throws.
 */
export async function resolveTarget(url: string, policy: TargetPolicy, resolve: Resolve = systemResolve): Promise<Target> {
  const literal = blockedHost(url);
  if (literal) return { blocked: literal };
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  // `localhost` and its subdomains are loopback by definition (RFC 6761 §6.3), whatever the resolver says.
  const name = host.toLowerCase().replace(/\.$/, '');
  const addresses = isIP(host) ? [{ address: host }] : name === 'localhost' || name.endsWith('.localhost') ? [{ address: '127.0.0.1' }] : await resolve(host);
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  for (const a of addresses) {
    const why = blockedAddress(a.address, policy);
    if (why) return { blocked: isIP(host) ? `${host} is ${why}` : `${host} resolves to ${a.address}, ${why}` };
  }
  const chosen = addresses[0]!.address;
  return { blocked: null, address: chosen, family: isIP(chosen) === 6 ? 6 : 4, public: addresses.every((a) => isPublicAddress(a.address)) };
}

/**
 * Why delivering to this URL is refused once its name is resolved, or null: a lookup that fails
 * or takes longer than `timeoutMs` is left to the delivery, which resolves and checks again.
 */
export async function blockedTarget(url: string, policy: TargetPolicy, resolve: Resolve = systemResolve, timeoutMs = 3000): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), timeoutMs);
    timer.unref?.();
  });
  try {
    const checked = resolveTarget(url, policy, resolve).then((t) => t.blocked, () => null);
    return await Promise.race([checked, late]);
  } finally {
    clearTimeout(timer);
  }
}
