import { describe, expect, it } from 'vitest';
import { apportion, buildGraph, followersOf, remoteServersOf, sizeWeights, topShare, type GraphOptions } from '../../scripts/federation/graph.js';

const base: GraphOptions = { instances: 3, users: 30, fleetDomains: 4, followsPerAccount: 5, shape: 'power-law', seed: 7 };

describe('federation graph', () => {
  it('sizes instances after the s^-0.5 law: the biggest 1 % hold most accounts, as published for Nov 2022', () => {
    const w = sizeWeights(1000, 'power-law');
    expect(topShare(w, 0.01)).toBeGreaterThan(0.84);
    expect(topShare(w, 0.05)).toBeGreaterThan(0.97);
    expect(topShare(sizeWeights(1000, 'uniform'), 0.01)).toBeCloseTo(0.01, 5);
  });

  it('gives the stand-ins exactly the requested users, biggest first, at least one each', () => {
    const g = buildGraph(base);
    const standins = g.instances.filter((i) => i.kind === 'standin').map((i) => i.size);
    expect(standins.reduce((a, b) => a + b, 0)).toBe(30);
    expect(standins).toEqual([...standins].sort((a, b) => b - a));
    expect(standins[0]).toBeGreaterThan(standins[2]! * 3);
    expect(g.instances.filter((i) => i.kind === 'fleet')).toHaveLength(4);
    expect(g.accounts).toHaveLength(g.instances.reduce((a, i) => a + i.size, 0));
    expect(apportion(6, sizeWeights(3, 'power-law'))).toEqual([3, 2, 1]);
  });

  it('is a pure function of its options and changes with the seed', () => {
    expect(buildGraph(base)).toEqual(buildGraph(base));
    expect(buildGraph({ ...base, seed: 8 }).follows).not.toEqual(buildGraph(base).follows);
  });

  it('follows only stand-in accounts, never oneself, never twice, with a heavy-tailed follower count', () => {
    const g = buildGraph({ ...base, users: 200, instances: 4 });
    const seen = new Set<string>();
    for (const [a, b] of g.follows) {
      expect(a).not.toBe(b);
      expect(g.instances[g.accounts[b]!.instance]!.kind).toBe('standin');
      expect(seen.has(`${a}>${b}`)).toBe(false);
      seen.add(`${a}>${b}`);
    }
    const counts = [...followersOf(g).values()].map((f) => f.length).sort((a, b) => b - a);
    const mean = g.follows.length / 200;
    expect(counts[0]).toBeGreaterThan(mean * 5);
  });

  it('counts one delivery per distinct other server among an author\'s followers', () => {
    const g = buildGraph(base);
    const followers = followersOf(g);
    for (const a of g.accounts.filter((x) => g.instances[x.instance]!.kind === 'standin')) {
      const servers = remoteServersOf(g, followers, a.id);
      const expected = new Set(followers.get(a.id)!.map((f) => g.accounts[f]!.instance).filter((i) => i !== a.instance));
      expect(servers).toEqual([...expected].sort((x, y) => x - y));
    }
  });

  it('refuses too few users with the rule in the message', () => {
    expect(() => buildGraph({ ...base, users: 5 })).toThrow(/at least 2 per instance \(6 for 3 instances; got 5\)/);
  });
});
