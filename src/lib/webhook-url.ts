import { BlockList, isIP } from 'node:net';

// Loopback, private, CGNAT, link-local and unspecified ranges (SPEC §6: such customer webhook
// targets are refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS allows them).
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** True when an address literal is loopback, private, link-local or unspecified. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Checks a customer webhook URL: http(s), no credentials, and — unless allowed — not a loopback or
 * private host named literally. Names that resolve to such addresses are checked again at delivery.
 */
export function webhookUrlProblem(value: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'webhook_url is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'webhook_url must use http or https';
  if (url.username || url.password) return 'webhook_url must not carry credentials';
  if (allowPrivate) return null;
  if (isPrivateHost(url.hostname)) return 'webhook_url must not point at a private or loopback address';
  return null;
}

/**
 * True for a URL's host (as `new URL` gives it) that names this machine or a private network
 * literally: `localhost` and its subdomains, with or without the root's trailing dot, and private,
 * loopback, link-local or unspecified addresses in any notation the URL parser accepts.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host);
}
