import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TrustedProxies, clientIp, throttleKeyIp } from '../../../infra/targets/standin/web/remote-ip.js';

// Rails' RemoteIp as Mastodon configures it (mastodon.md §3): X-Forwarded-For
// counts only when the connecting peer is a trusted proxy; the chain is read
// from the right, skipping trusted hops; TRUSTED_PROXY_IP replaces the defaults;
// Rack::Attack keys IPv6 clients by their /64.

describe('TrustedProxies defaults (127/8, ::1, 10/8, 172.16/12, 192.168/16, fc00::/7)', () => {
  const defaults = new TrustedProxies();

  it.each(['127.0.0.1', '127.200.1.1', '10.255.0.3', '172.16.0.1', '172.31.255.255', '192.168.7.7', '::1', 'fc00::1', 'fd12:3456::9'])(
    'trusts %s',
    (ip) => {
      expect(defaults.has(ip)).toBe(true);
    },
  );

  it.each(['8.8.8.8', '172.32.0.1', '172.15.255.255', '192.169.0.1', '11.0.0.1', '2001:db8::1', '::2', 'fe00::1', 'not-an-ip', ''])(
    'does not trust %s',
    (ip) => {
      expect(defaults.has(ip)).toBe(false);
    },
  );
});

describe('clientIp with the default trusted proxies', () => {
  const proxies = new TrustedProxies();

  it('uses the peer address when there is no X-Forwarded-For', () => {
    expect(clientIp('198.51.100.9', undefined, proxies)).toBe('198.51.100.9');
    expect(clientIp('10.0.0.5', undefined, proxies)).toBe('10.0.0.5');
  });

  it('believes X-Forwarded-For from a trusted peer', () => {
    expect(clientIp('10.0.0.5', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientIp('127.0.0.1', '2001:db8::42', proxies)).toBe('2001:db8::42');
    expect(clientIp('::1', '203.0.113.7', proxies)).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For from an untrusted peer, so a client cannot pick its own throttle key', () => {
    expect(clientIp('198.51.100.9', '203.0.113.7', proxies)).toBe('198.51.100.9');
    expect(clientIp('198.51.100.9', '10.0.0.1, 203.0.113.7', proxies)).toBe('198.51.100.9');
  });

  it('walks the chain from the right and stops at the first untrusted hop', () => {
    // 1.1.1.1 is whatever the client wrote; 203.0.113.7 is what the first trusted proxy saw.
    expect(clientIp('127.0.0.1', '1.1.1.1, 203.0.113.7, 10.1.2.3, 192.168.0.9', proxies)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.2', '198.51.100.1,203.0.113.8', proxies)).toBe('203.0.113.8');
  });

  it('returns the furthest hop when every hop is a trusted proxy', () => {
    expect(clientIp('127.0.0.1', '10.0.0.1, 192.168.1.1', proxies)).toBe('10.0.0.1');
  });

  it('skips entries that are not IP addresses', () => {
    expect(clientIp('127.0.0.1', 'unknown, 203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientIp('127.0.0.1', '203.0.113.7, garbage', proxies)).toBe('203.0.113.7');
    expect(clientIp('127.0.0.1', 'garbage', proxies)).toBe('127.0.0.1');
  });

  it('treats IPv4-mapped IPv6 peers (as a dual-stack socket reports them) as their IPv4 address', () => {
    expect(clientIp('::ffff:10.0.0.5', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientIp('::ffff:198.51.100.9', '203.0.113.7', proxies)).toBe('198.51.100.9');
  });

  it('lets a load generator on a private address give each request its own public IP', () => {
    const seen = new Set(Array.from({ length: 50 }, (_, i) => clientIp('10.9.9.9', `198.18.${i >> 8}.${i & 255}`, proxies)));
    expect(seen.size).toBe(50);
  });
});

describe('TRUSTED_PROXY_IP replaces the defaults', () => {
  const proxies = new TrustedProxies('203.0.113.0/24, 2001:db8:ffff::/48 198.51.100.77');

  it('trusts exactly the listed ranges and single addresses (comma or space separated)', () => {
    expect(proxies.has('203.0.113.200')).toBe(true);
    expect(proxies.has('2001:db8:ffff:1::1')).toBe(true);
    expect(proxies.has('198.51.100.77')).toBe(true);
    expect(proxies.has('198.51.100.78')).toBe(false);
  });

  it('no longer trusts loopback or private ranges', () => {
    for (const ip of ['127.0.0.1', '::1', '10.0.0.1', '172.16.0.1', '192.168.0.1', 'fd00::1']) expect(proxies.has(ip)).toBe(false);
    expect(clientIp('10.0.0.5', '203.0.113.7', proxies)).toBe('10.0.0.5');
    expect(clientIp('127.0.0.1', '8.8.8.8', proxies)).toBe('127.0.0.1');
  });

  it('believes forwarded addresses from the configured proxies, and private hops become clients', () => {
    expect(clientIp('203.0.113.10', '8.8.8.8', proxies)).toBe('8.8.8.8');
    expect(clientIp('203.0.113.10', '8.8.8.8, 10.0.0.7', proxies)).toBe('10.0.0.7');
  });

  it('rejects an entry that is not an address, naming the variable', () => {
    expect(() => new TrustedProxies('10.0.0.0/8, proxy.example')).toThrow(/TRUSTED_PROXY_IP.*proxy\.example/);
  });
});

describe('throttleKeyIp', () => {
  it('keeps IPv4 addresses as they are', () => {
    expect(throttleKeyIp('203.0.113.7')).toBe('203.0.113.7');
    expect(throttleKeyIp('203.0.113.8')).not.toBe(throttleKeyIp('203.0.113.7'));
  });

  it('masks IPv6 to the /64, so one host cannot rotate through its own subnet', () => {
    const key = throttleKeyIp('2001:db8:1:2:aaaa::1');
    expect(throttleKeyIp('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe(key);
    expect(throttleKeyIp('2001:0DB8:0001:0002::ffff')).toBe(key);
    expect(throttleKeyIp('2001:db8:1:2::')).toBe(key);
    expect(throttleKeyIp('2001:db8:1:3::1')).not.toBe(key);
    expect(throttleKeyIp('2001:db8:2:2::1')).not.toBe(key);
  });

  it('produces an IPv6 network address whose first 64 bits are the client’s', () => {
    const key = throttleKeyIp('2001:db8:1:2:aaaa::1');
    expect(isIPv6(key)).toBe(true);
    expect(clientIp(key, undefined, new TrustedProxies())).toBe(key);
    expect(throttleKeyIp(key)).toBe(key);
    const groups = (ip: string) => {
      const [h, t] = ip.split('::');
      const head = h ? h.split(':') : [];
      const tail = t ? t.split(':') : [];
      return [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail].map((g) => parseInt(g, 16));
    };
    expect(groups(key)).toEqual([0x2001, 0xdb8, 1, 2, 0, 0, 0, 0]);
    expect(groups(throttleKeyIp('fe80::1234:5678'))).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 0]);
  });
});
