import { describe, expect, it } from 'vitest';
import {
  createAddressMatcher,
  createClientIpResolver,
  invalidAddressEntries,
  normalizeIp,
  type TrustProxy,
} from '../../src/lib/client-ip.js';

type Row = [name: string, trust: TrustProxy, socket: string, xff: string | undefined, expected: string];

const proxies = ['10.0.0.0/8', '192.168.1.1', 'fd00::/8', '2001:db8:ffff::1'];

describe('createClientIpResolver', () => {
  it.each<Row>([
    // TRUST_PROXY unset: the header is never believed (SPEC §8, go-service-api B18).
    ['no trust, no header', false, '203.0.113.9', undefined, '203.0.113.9'],
    ['no trust, spoofed header', false, '203.0.113.9', '1.2.3.4', '203.0.113.9'],
    ['empty list is no trust', [], '10.0.0.1', '1.2.3.4', '10.0.0.1'],
    ['no trust, mapped socket address', false, '::ffff:203.0.113.9', '1.2.3.4', '203.0.113.9'],

    // A list: only listed peers are believed, and only as far as the chain stays trusted.
    ['untrusted peer with spoofed header', proxies, '203.0.113.9', '1.2.3.4', '203.0.113.9'],
    ['trusted peer, one hop', proxies, '10.1.2.3', '198.51.100.7', '198.51.100.7'],
    ['trusted peer, no header', proxies, '10.1.2.3', undefined, '10.1.2.3'],
    ['trusted peer, empty header', proxies, '10.1.2.3', ' , ', '10.1.2.3'],
    ['client-spoofed left part is ignored', proxies, '10.1.2.3', '1.2.3.4, 198.51.100.7', '198.51.100.7'],
    ['two trusted proxies are skipped', proxies, '10.1.2.3', '1.2.3.4, 198.51.100.7, 192.168.1.1, 10.9.9.9', '198.51.100.7'],
    ['every hop trusted: left-most', proxies, '10.1.2.3', '10.0.0.5, 192.168.1.1', '10.0.0.5'],
    ['mapped socket address of a trusted proxy', proxies, '::ffff:10.1.2.3', '198.51.100.7', '198.51.100.7'],
    ['mapped client in the header', proxies, '10.1.2.3', '::ffff:198.51.100.7', '198.51.100.7'],
    ['IPv6 proxy in a CIDR, IPv6 client', proxies, 'fd12::1', '2001:DB8::0:7', '2001:db8::7'],
    ['single IPv6 proxy', proxies, '2001:db8:ffff:0::1', '198.51.100.7', '198.51.100.7'],
    ['a neighbour of a single proxy is not trusted', proxies, '192.168.1.2', '198.51.100.7', '192.168.1.2'],
    ['ports and brackets that proxies add', proxies, '10.1.2.3', '[2001:db8::9]:443, 198.51.100.7:5000', '198.51.100.7'],
    ['bracketed IPv6 hop behind a trusted IPv6 hop', proxies, '10.1.2.3', '[2001:db8::9]:443, [fd00::2]', '2001:db8::9'],
    ['junk right of the client ends the walk at the proxy that sent it', proxies, '10.1.2.3', '198.51.100.7, junk', '10.1.2.3'],
    ['junk behind a trusted hop: that hop', proxies, '10.1.2.3', '1.2.3.4, <script>, 10.0.0.8', '10.0.0.8'],
    ['junk left of the client is never reached', proxies, '10.1.2.3', 'junk, 198.51.100.7', '198.51.100.7'],
    ['a hostname is junk', proxies, '10.1.2.3', 'evil.example', '10.1.2.3'],

    // true: every hop is trusted, the left-most valid entry wins (spoofable by design).
    ['true, header', true, '203.0.113.9', '1.2.3.4, 198.51.100.7', '1.2.3.4'],
    ['true, junk first', true, '203.0.113.9', 'unknown, 1.2.3.4', '1.2.3.4'],
    ['true, only junk', true, '203.0.113.9', 'unknown', '203.0.113.9'],
    ['true, no header', true, '203.0.113.9', undefined, '203.0.113.9'],

    // A socket address that is not an address (destroyed socket) is passed through, never trusted.
    ['empty socket address', proxies, '', '1.2.3.4', 'unknown'],
  ])('%s', (_, trust, socket, xff, expected) => {
    expect(createClientIpResolver(trust)(socket, xff)).toBe(expected);
  });

  it('treats `::ffff:10.0.0.0/104` as the IPv4 network 10.0.0.0/8', () => {
    const resolve = createClientIpResolver(['::ffff:10.0.0.0/104']);
    expect(resolve('10.200.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(resolve('11.0.0.1', '198.51.100.7')).toBe('11.0.0.1');
  });

  it.each(['not-an-ip', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/1', '10.0.0.0/x'])('refuses TRUST_PROXY entry %j', (entry) => {
    expect(() => createClientIpResolver([entry])).toThrow(/TRUST_PROXY/);
  });
});

describe('normalizeIp', () => {
  it.each<[string, string | null]>([
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['1.2.3.4:8080', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:102:304', '1.2.3.4'],
    ['[::1]', '::1'],
    ['[::1]:80', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::', '::'],
    ['1.2.3', null],
    ['256.1.1.1', null],
    ['', null],
    ['::1:80:', null],
    ['example.com', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});

describe('createAddressMatcher (TRUST_PROXY, RATE_LIMIT_EXEMPT_IPS)', () => {
  it('matches normalised addresses against IPs and CIDRs of both families', () => {
    const exempt = createAddressMatcher(['192.0.2.7', '198.18.0.0/15', '2001:db8::/32', '::ffff:10.0.0.0/104'], 'RATE_LIMIT_EXEMPT_IPS');
    for (const ip of ['192.0.2.7', '198.19.255.255', '2001:db8::1', '10.1.2.3']) expect(exempt(ip)).toBe(true);
    for (const ip of ['192.0.2.8', '198.20.0.1', '2001:db9::1', '11.0.0.1', 'unknown', '']) expect(exempt(ip)).toBe(false);
    expect(createAddressMatcher([], 'RATE_LIMIT_EXEMPT_IPS')('192.0.2.7')).toBe(false);
  });

  it('names the setting of an entry it refuses; invalidAddressEntries lists them', () => {
    expect(() => createAddressMatcher(['10.0.0.0/33'], 'RATE_LIMIT_EXEMPT_IPS')).toThrow(/RATE_LIMIT_EXEMPT_IPS: .*10\.0\.0\.0\/33/);
    expect(invalidAddressEntries(['10.0.0.1', 'office', 'fd00::/129', '[::1]'])).toEqual(['office', 'fd00::/129']);
  });
});
