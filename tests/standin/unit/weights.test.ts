import { describe, expect, it } from 'vitest';
import { MASTODON_QUEUES, weightedOrder } from '../../../infra/targets/standin/jobs/weights.js';
import { mulberry32 as seeded } from '../../../scenarios/lib/users.js';

// Sidekiq's weighted fetch with Mastodon's config/sidekiq.yml (4.5, mastodon.md §4):
// [default,8] [push,6] [ingress,4] [mailers,2] [pull] [scheduler] [fasp] —
// weighted-random, so default is tried first about 8 times in 23, and no queue starves.

/** mulberry32: a small seeded PRNG, so the statistics below are reproducible. */

describe('MASTODON_QUEUES', () => {
  it('has Mastodon’s queues and weights (unweighted queues count 1)', () => {
    expect(MASTODON_QUEUES).toEqual({ default: 8, push: 6, ingress: 4, mailers: 2, pull: 1, scheduler: 1, fasp: 1 });
    expect(Object.values(MASTODON_QUEUES).reduce((a, b) => a + b, 0)).toBe(23);
  });
});

describe('weightedOrder', () => {
  const queues = Object.keys(MASTODON_QUEUES).sort();

  it('always lists every queue exactly once', () => {
    const rnd = seeded(1);
    for (let i = 0; i < 2000; i++) {
      const order = weightedOrder(MASTODON_QUEUES, rnd);
      expect(order).toHaveLength(queues.length);
      expect([...order].sort()).toEqual(queues);
    }
  });

  it('puts each queue first in proportion to its weight (default ≈ 8/23)', () => {
    const draws = 60_000;
    for (const seed of [7, 2026]) {
      const rnd = seeded(seed);
      const first: Record<string, number> = {};
      for (let i = 0; i < draws; i++) {
        const q = weightedOrder(MASTODON_QUEUES, rnd)[0]!;
        first[q] = (first[q] ?? 0) + 1;
      }
      // 4.5 standard deviations of a binomial share at this sample size is under 0.01.
      expect(Math.abs(first.default! / draws - 8 / 23)).toBeLessThan(0.009);
      expect(Math.abs(first.push! / draws - 6 / 23)).toBeLessThan(0.009);
      expect(Math.abs(first.ingress! / draws - 4 / 23)).toBeLessThan(0.008);
      expect(Math.abs(first.mailers! / draws - 2 / 23)).toBeLessThan(0.006);
      for (const q of ['pull', 'scheduler', 'fasp']) expect(Math.abs(first[q]! / draws - 1 / 23)).toBeLessThan(0.004);
    }
  });

  it('is not strict priority: default is usually not first, and the lightest queues are sometimes first', () => {
    const rnd = seeded(42);
    const orders = Array.from({ length: 5000 }, () => weightedOrder(MASTODON_QUEUES, rnd));
    expect(orders.filter((o) => o[0] !== 'default').length).toBeGreaterThan(2500);
    expect(orders.some((o) => o[0] === 'scheduler')).toBe(true);
    expect(orders.some((o) => o[o.length - 1] === 'default')).toBe(true);
  });

  it('is reproducible for a given random source', () => {
    const a = Array.from({ length: 20 }, ((r) => () => weightedOrder(MASTODON_QUEUES, r).join(','))(seeded(5)));
    const b = Array.from({ length: 20 }, ((r) => () => weightedOrder(MASTODON_QUEUES, r).join(','))(seeded(5)));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('handles other weightings', () => {
    expect(weightedOrder({ only: 3 })).toEqual(['only']);
    expect(weightedOrder({})).toEqual([]);
    expect(weightedOrder({ a: 1, b: 1 }, () => 0.999999).sort()).toEqual(['a', 'b']);
  });
});
