import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Which webhook targets are refused (docs/decisions/003-webhook-targets.md): link-local addresses
 * (169.254.0.0/16, fe80::/10, where cloud metadata services answer) and the metadata host names.
 * Private and loopback addresses are allowed: a self-hosted school's receiver is often on its LAN.
 */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

function linkLocalV4(a: string): boolean {
  const [p, q] = a.split('.').map(Number);
  return p === 169 && q === 254;
}

/** True for a link-local IPv4/IPv6 address (an IPv4-mapped IPv6 address counts as its IPv4). */
export function isLinkLocal(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(a) === 4) return linkLocalV4(a);
  if (isIP(a) !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return linkLocalV4(mapped[1]!);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) return parseInt(hex[1]!, 16) === 0xa9fe;
  if (a === 'fd00:ec2::254') return true; // AWS IMDS over IPv6
  const first = parseInt(a.split(':')[0] || '0', 16);
  return (first & 0xffc0) === 0xfe80;
}

/** Why this URL's host (as written) is refused, or null. */
export function blockedHost(url: string): string | null {
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata service`;
  if (isLinkLocal(host)) return `${host} is a link-local address`;
  return null;
}

type Resolve = (host: string) => Promise<Array<{ address: string }>>;
const systemResolve: Resolve = (host) => lookup(host, { all: true });

/** Why delivering to this URL is refused once its name is resolved, or null (a failed lookup is left to the request). */
export async function blockedTarget(url: string, resolve: Resolve = systemResolve): Promise<string | null> {
  const literal = blockedHost(url);
  if (literal) return literal;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return null;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await resolve(host);
  } catch {
    return null;
  }
  const bad = addresses.find((a) => isLinkLocal(a.address));
  return bad ? `${host} resolves to the link-local address ${bad.address}` : null;
}
