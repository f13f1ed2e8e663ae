import { isIPv4, isIPv6 } from 'node:net';
import { AddressRanges, PRIVATE_RANGES, splitRanges } from '../../../services/address-ranges.js';

/** Rails' default trusted proxies, which Mastodon keeps unless TRUSTED_PROXY_IP replaces them (config/initializers/trusted_proxies.rb). */
export class TrustedProxies extends AddressRanges {
  constructor(spec?: string) {
    super(spec ? splitRanges(spec) : PRIVATE_RANGES, 'TRUSTED_PROXY_IP');
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
