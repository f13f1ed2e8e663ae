import { describe, expect, it } from 'vitest';
import { clientIp, IP_HOSTS, mix32, mulberry32, postText, rngFor, syntheticUser } from '../../scenarios/lib/users.js';

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const LOW = ipToInt('198.18.0.0');
const HIGH = ipToInt('198.19.255.255');

describe('mulberry32', () => {
  it('is deterministic per seed, in [0,1), and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('mix32 spreads neighbouring inputs', () => {
    const hashes = new Set(Array.from({ length: 10_000 }, (_, i) => mix32(1, i)));
    expect(hashes.size).toBe(10_000);
    expect(rngFor(1, 2)()).toBe(rngFor(1, 2)());
  });
});

describe('syntheticUser', () => {
  const N = 10_000;
  const users = Array.from({ length: N }, (_, i) => syntheticUser(7, i, { namespace: 'w' }));

  it('is deterministic per (seed, index), independent of what else was generated', () => {
    expect(syntheticUser(7, 1234, { namespace: 'w' })).toEqual(users[1234]);
    expect(syntheticUser(7, 9999, { namespace: 'w' })).toEqual(users[9999]);
    expect(syntheticUser(8, 1234, { namespace: 'w' }).username).not.toBe(users[1234]!.username);
  });

  it('gives 10,000 users unique usernames, emails and client IPs, all valid for Mastodon', () => {
    expect(new Set(users.map((u) => u.username)).size).toBe(N);
    expect(new Set(users.map((u) => u.email)).size).toBe(N);
    expect(new Set(users.map((u) => u.ip)).size).toBe(N);
    for (const u of users) {
      expect(u.username).toMatch(/^[a-z0-9_]{1,30}$/);
      expect(u.email).toBe(`${u.username}@surge.test`);
      expect(u.password.length).toBeGreaterThanOrEqual(8);
      expect(u.password.length).toBeLessThanOrEqual(72);
      const ip = ipToInt(u.ip);
      expect(ip).toBeGreaterThan(LOW);
      expect(ip).toBeLessThan(HIGH);
    }
  });

  it('keeps namespaces and seeds apart, and long indices within 30 characters', () => {
    const a = syntheticUser(7, 5, { namespace: 'a' });
    expect(a.username).not.toBe(users[5]!.username);
    const longest = syntheticUser(0xffffffff, 2 ** 31 - 1, { namespace: 'z' });
    expect(longest.username.length).toBeLessThanOrEqual(30);
    expect(longest.username).toMatch(/^[a-z]+_z1z141z3_zik0zj$/);
  });

  it('uses the given email domain, and shares CLIENT_IPS addresses when asked', () => {
    expect(syntheticUser(1, 0, { emailDomain: 'example.org' }).email).toMatch(/@example\.org$/);
    const shared = new Set(Array.from({ length: 50 }, (_, i) => syntheticUser(1, i, { clientIps: 3 }).ip));
    expect(shared.size).toBe(3);
  });

  it('hands out each of the 131,070 benchmarking addresses once before reusing any', () => {
    const seen = new Set<string>();
    for (let i = 0; i < IP_HOSTS; i++) seen.add(clientIp(3, i));
    expect(seen.size).toBe(IP_HOSTS);
    expect(clientIp(3, IP_HOSTS)).toBe(clientIp(3, 0));
  });

  it('refuses bad seeds, indices and namespaces', () => {
    expect(() => syntheticUser(-1, 0)).toThrow(/seed must be/);
    expect(() => syntheticUser(1, 1.5)).toThrow(/user index must be/);
    expect(() => syntheticUser(1, 0, { namespace: 'ab' })).toThrow(/namespace/);
  });

  it('writes short posts deterministically', () => {
    expect(postText(rngFor(1, 2))).toBe(postText(rngFor(1, 2)));
    expect(postText(rngFor(1, 2)).length).toBeLessThanOrEqual(500);
  });
});
