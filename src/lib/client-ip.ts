import { BlockList, isIP } from 'node:net';

/** Socket addresses whose normal form is remembered. */
const MAX_PEERS = 10_000;

/** From TRUST_PROXY: unset/false, `true`, or a list of IPs/CIDRs (SPEC §9). */
export type TrustProxy = boolean | string[];

/**
 * Who the client is (SPEC §8: the Go service believed `X-Forwarded-For` from anyone, so any client
 * could pick its own rate-limit key).
 * - Untrusted peer: its socket address; a forwarded header it sent changes nothing.
 * - Trusted peer, list of proxies: `X-Forwarded-For` is walked from the right (the entry the nearest
 *   proxy appended), trusted proxies are skipped, and the first untrusted address is the client. A
 *   junk entry ends the walk at the last proxy that vouched for it. When every hop is trusted, the
 *   left-most one is the client.
 * - `true`: every hop is trusted, so the left-most valid entry (what Express does with `trust proxy`).
 * The answer is normalised (`::ffff:1.2.3.4` → `1.2.3.4`, IPv6 compressed and lower-case) so one
 * client is one limiter key however an address is spelled.
 */
export function createClientIpResolver(trust: TrustProxy): (socketAddress: string, forwardedFor: string | undefined) => string {
  const trusted = compileTrust(trust);
  // A socket's address is normalised once, not on every request over it (issue 15): a few regular
  // expressions, and a URL parse for IPv6. Bounded: cleared whole when full.
  const peers = new Map<string, string | null>();
  const peerOf = (socketAddress: string) => {
    let peer = peers.get(socketAddress);
    if (peer === undefined) {
      if (peers.size >= MAX_PEERS) peers.clear();
      peer = normalizeIp(socketAddress);
      peers.set(socketAddress, peer);
    }
    return peer;
  };
  return (socketAddress, forwardedFor) => {
    const peer = peerOf(socketAddress);
    if (peer === null) return socketAddress.trim() || 'unknown';
    if (!trusted(peer) || forwardedFor === undefined) return peer;
    const hops = forwardedFor
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (trust === true) return leftmostValid(hops) ?? peer;
    return walkFromRight(hops, peer, trusted);
  };
}

function walkFromRight(hops: string[], peer: string, trusted: (ip: string) => boolean): string {
  let nearest = peer;
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = normalizeIp(hops[i] ?? '');
    if (hop === null) return nearest;
    if (!trusted(hop)) return hop;
    nearest = hop;
  }
  return nearest;
}

function leftmostValid(hops: string[]): string | null {
  for (const entry of hops) {
    const ip = normalizeIp(entry);
    if (ip !== null) return ip;
  }
  return null;
}

function compileTrust(trust: TrustProxy): (ip: string) => boolean {
  if (trust === true) return () => true;
  return createAddressMatcher(trust === false ? [] : trust, 'TRUST_PROXY');
}

/**
 * Whether a normalised address (as `createClientIpResolver` answers) is in a list of IPs/CIDRs, for
 * TRUST_PROXY and RATE_LIMIT_EXEMPT_IPS. Throws, naming `setting`, on an entry that is neither.
 */
export function createAddressMatcher(entries: readonly string[], setting: string): (ip: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) addEntry(list, entry, setting);
  return (ip) => {
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** The entries of a list that `createAddressMatcher` would refuse, for start-up errors (config.ts). */
export function invalidAddressEntries(entries: readonly string[]): string[] {
  return entries.filter((entry) => {
    try {
      addEntry(new BlockList(), entry, '');
      return false;
    } catch {
      return true;
    }
  });
}

function addEntry(list: BlockList, entry: string, setting: string): void {
  const [rawAddress = '', bits, ...rest] = entry.trim().split('/');
  let address = normalizeIp(rawAddress);
  let prefix = bits === undefined ? undefined : Number(bits);
  // `::ffff:10.0.0.0/104` names IPv4 addresses, and mapped peers are compared as IPv4.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(rawAddress.trim());
  if (mapped && prefix !== undefined && prefix >= 96) {
    address = mapped[1] ?? null;
    prefix -= 96;
  }
  const type = address !== null && isIP(address) === 4 ? 'ipv4' : 'ipv6';
  const prefixOk = prefix === undefined || (Number.isInteger(prefix) && prefix >= 0 && prefix <= (type === 'ipv4' ? 32 : 128));
  if (address === null || rest.length > 0 || !prefixOk) throw new Error(`${setting}: not an IP address or CIDR: ${entry}`);
  if (prefix === undefined) list.addAddress(address, type);
  else list.addSubnet(address, prefix, type);
}

/**
 * A usable address or null. Accepts what proxies and sockets really produce: `[v6]`, `[v6]:port`,
 * `v4:port`, zone ids, IPv4-mapped IPv6 (dotted or hex), any letter case.
 */
export function normalizeIp(value: string): string | null {
  let text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1] ?? '';
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  text = text.replace(/%.*$/, '');
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return null;
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  return unmapIpv4(canonical) ?? canonical;
}

/** `::ffff:1.2.3.4` and its hex spelling `::ffff:102:304` (the URL parser's canonical form). */
function unmapIpv4(ipv6: string): string | null {
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(ipv6);
  if (!hex) return null;
  const high = parseInt(hex[1] ?? '0', 16);
  const low = parseInt(hex[2] ?? '0', 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}
