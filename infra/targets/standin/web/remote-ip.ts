import { BlockList, isIPv4, isIPv6 } from 'node:net';

// Rails' default trusted proxies, which Mastodon keeps unless TRUSTED_PROXY_IP
// replaces them (config/initializers/trusted_proxies.rb).
const DEFAULT_TRUSTED = ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];

export class TrustedProxies {
  private readonly list = new BlockList();

  constructor(spec?: string) {
    const items = spec ? spec.split(/\s*,\s*|\s+/).filter(Boolean) : DEFAULT_TRUSTED;
    for (const item of items) {
      const [addr, bits] = item.split('/');
      const type = isIPv6(addr!) ? 'ipv6' : 'ipv4';
      if (!isIPv4(addr!) && !isIPv6(addr!)) throw new Error(`TRUSTED_PROXY_IP: "${item}" is not an IP address or CIDR range`);
      const prefix = bits === undefined ? (type === 'ipv6' ? 128 : 32) : Number(bits);
      this.list.addSubnet(addr!, prefix, type);
    }
  }

  has(ip: string): boolean {
    const type = isIPv6(ip) ? 'ipv6' : isIPv4(ip) ? 'ipv4' : undefined;
    return type !== undefined && this.list.check(ip, type);
  }
}

function normalise(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

/**
 * The client address Mastodon would throttle on. Forwarded addresses are only
 * believed when the peer is a trusted proxy; the chain is then walked from the
 * nearest hop outwards, skipping trusted hops, as Rails' RemoteIp does.
 */
export function clientIp(peer: string, forwardedFor: string | undefined, proxies: TrustedProxies): string {
  const remote = normalise(peer);
  if (!forwardedFor || !proxies.has(remote)) return remote;
  const hops = forwardedFor
    .split(',')
    .map((s) => normalise(s.trim()))
    .filter((s) => isIPv4(s) || isIPv6(s));
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!proxies.has(hops[i]!)) return hops[i]!;
  }
  return hops[0] ?? remote;
}

/** Rack::Attack keys IPv6 clients by their /64, so one host cannot rotate addresses. */
export function throttleKeyIp(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const groups = expandIPv6(ip).slice(0, 4);
  return `${groups.join(':')}::`;
}

function expandIPv6(ip: string): string[] {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = ip.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => (parseInt(g || '0', 16) || 0).toString(16));
}
