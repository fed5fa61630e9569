import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Which webhook targets are refused (docs/decisions/003-webhook-targets.md, amended by
 * 043-hostile-leftovers.md). Always: link-local addresses (169.254.0.0/16, fe80::/10, where cloud
 * metadata services answer) in every spelling, including IPv6 addresses that embed an IPv4 one
 * (::ffff:, ::a.b.c.d, 64:ff9b::/96, 64:ff9b:1::/48, 6to4, Teredo), and the metadata host names.
 * By default also every other address that is not globally routable (loopback, RFC 1918, CGNAT,
 * IPv6 ULA and loopback, …: `isPublicAddress`); the operator's WEBHOOK_ALLOW_PRIVATE_NETWORKS lets
 * those through for a self-hosted school whose receiver is on its LAN — their replies are still not
 * stored, so the delivery log cannot be used to read an internal service.
 */
export type TargetPolicy = { allowPrivateNetworks: boolean };

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

type V4 = [number, number, number, number];

function parseV4(a: string): V4 | undefined {
  if (isIP(a) !== 4) return undefined;
  return a.split('.').map(Number) as V4;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part is folded in). */
function parseV6(a: string): number[] | undefined {
  if (isIP(a) !== 6) return undefined;
  let s = a.split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const v4 = parseV4(dotted[1]!)!;
    s = `${s.slice(0, -dotted[1]!.length)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16));
}

const v4From = (hi: number, lo: number): V4 => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];

/** IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo). */
function embeddedV4(g: number[]): V4[] {
  const out: V4[] = [];
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) out.push(v4From(g[6]!, g[7]!)); // ::ffff:a.b.c.d, ::a.b.c.d
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) out.push(v4From(g[6]!, g[7]!)); // ::ffff:0:a.b.c.d (SIIT)
  if (g[0] === 0x64 && g[1] === 0xff9b) out.push(v4From(g[6]!, g[7]!)); // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
  if (g[0] === 0x2002) out.push(v4From(g[1]!, g[2]!)); // 6to4
  if (g[0] === 0x2001 && g[1] === 0) out.push(v4From(g[2]!, g[3]!), v4From(g[6]! ^ 0xffff, g[7]! ^ 0xffff)); // Teredo server, client
  return out;
}

const linkLocalV4 = ([a, b]: V4) => a === 169 && b === 254;
const nonPublicV4 = (v: V4) => {
  const [a, b] = v;
  return (
    a === 0 || a === 10 || a === 127 || a >= 224 || linkLocalV4(v) ||
    (a === 100 && b >= 64 && b <= 127) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
    (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19))
  );
};

/** True for a link-local IPv4/IPv6 address, in any IPv6 spelling that embeds an IPv4 one. */
export function isLinkLocal(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = parseV4(a);
  if (v4) return linkLocalV4(v4);
  const g = parseV6(a);
  if (!g) return false;
  if (a === 'fd00:ec2::254' || (g[0] === 0xfd00 && g[1] === 0xec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254)) return true; // AWS IMDS over IPv6
  if ((g[0]! & 0xffc0) === 0xfe80) return true;
  // 64:ff9b:1::/48 (RFC 8215, local-use NAT64) may carry its IPv4 address in any RFC 6052 layout,
  // not only the last 32 bits `embeddedV4` reads: refused whole rather than parsed.
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return true;
  return embeddedV4(g).some(linkLocalV4);
}

/** True only for a globally routable address: replies from anything else are not kept. */
export function isPublicAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = parseV4(a);
  if (v4) return !nonPublicV4(v4);
  const g = parseV6(a);
  if (!g) return false;
  if (g.every((x, i) => (i < 7 ? x === 0 : x <= 1))) return false; // :: and ::1
  if ((g[0]! & 0xfe00) === 0xfc00 || (g[0]! & 0xffc0) === 0xfe80 || (g[0]! & 0xffc0) === 0xfec0 || (g[0]! & 0xff00) === 0xff00) return false; // ULA, link-local, site-local, multicast
  if (g[0] === 0x2001 && g[1] === 0xdb8) return false; // documentation
  const inner = embeddedV4(g);
  return inner.length === 0 || !inner.some(nonPublicV4);
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
