import { BlockList, isIP } from 'node:net';

// Address ranges written as Rails and Mastodon read them from the environment
// (TRUSTED_PROXY_IP, ALLOWED_PRIVATE_ADDRESSES): addresses or CIDR ranges,
// separated by commas or spaces. One reading for the stand-in's trusted
// proxies, the planned Mastodon's settings and the fleet's resolver.

/** Loopback and the private ranges: Rails' default trusted proxies, and where a rehearsal's own hosts live. */
export const PRIVATE_RANGES: readonly string[] = ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];

export function splitRanges(spec: string): string[] {
  return spec.split(/\s*,\s*|\s+/).filter(Boolean);
}

export class AddressRanges {
  private readonly list = new BlockList();

  /** `what` names the setting in the error for an entry that is not an address or range. */
  constructor(ranges: readonly string[], what = 'address ranges') {
    for (const item of ranges) {
      const [addr, bits] = item.split('/');
      const family = isIP(addr!);
      if (family === 0) throw new Error(`${what}: "${item}" is not an IP address or CIDR range`);
      const type = family === 6 ? 'ipv6' : 'ipv4';
      this.list.addSubnet(addr!, bits === undefined ? (family === 6 ? 128 : 32) : Number(bits), type);
    }
  }

  has(ip: string): boolean {
    const family = isIP(ip);
    return family !== 0 && this.list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  }
}
