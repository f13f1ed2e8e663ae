import { describe, expect, it } from 'vitest';
import { AddressRanges, PRIVATE_RANGES, splitRanges } from '../../infra/services/address-ranges.js';

describe('address ranges as Rails reads them from the environment', () => {
  it('takes addresses and CIDR ranges separated by commas or spaces, IPv4 and IPv6', () => {
    const r = new AddressRanges(splitRanges('10.1.2.3, 172.16.0.0/12  fd00::/8'));
    for (const ip of ['10.1.2.3', '172.31.255.254', 'fd12::1']) expect(r.has(ip), ip).toBe(true);
    for (const ip of ['10.1.2.4', '172.32.0.1', 'fe80::1', 'not an address']) expect(r.has(ip), ip).toBe(false);
  });

  it('the private ranges hold loopback and RFC 1918 but not the benchmarking range newcomers come from', () => {
    const r = new AddressRanges(PRIVATE_RANGES);
    for (const ip of ['127.0.0.5', '::1', '192.168.1.1', '10.0.0.1']) expect(r.has(ip), ip).toBe(true);
    for (const ip of ['198.18.0.1', '8.8.8.8', '2001:db8::1']) expect(r.has(ip), ip).toBe(false);
  });

  it('names the setting and the entry that is not an address', () => {
    expect(() => new AddressRanges(['10.0.0.0/8', 'proxy.local'], 'TRUSTED_PROXY_IP')).toThrow('TRUSTED_PROXY_IP: "proxy.local" is not an IP address or CIDR range');
  });
});
