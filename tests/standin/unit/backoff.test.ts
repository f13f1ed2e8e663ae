import { describe, expect, it } from 'vitest';
import { SIDEKIQ_MAX_RETRIES, deliveryDelay, sidekiqDelay } from '../../../infra/targets/standin/jobs/backoff.js';
import { mulberry32 as seeded } from '../../../scenarios/lib/users.js';

// Retry delays for a job that has failed `count` times before:
// Sidekiq's default count⁴ + 15 + rand(10)·(count + 1), and Mastodon's
// ActivityPub::DeliveryWorker count⁴ + 15 + rand(0.5·count⁴) (mastodon.md §4).


const JUST_BELOW_ONE = 1 - Number.EPSILON;

describe('sidekiqDelay', () => {
  const ranges: [number, number, number][] = [
    [0, 15, 24],
    [1, 16, 34],
    [2, 31, 58],
    [3, 96, 132],
  ];

  it.each(ranges)('count %i: whole seconds from %i to %i', (count, lo, hi) => {
    expect(sidekiqDelay(count, () => 0)).toBe(lo);
    expect(sidekiqDelay(count, () => JUST_BELOW_ONE)).toBe(hi);
    const rnd = seeded(count + 1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const d = sidekiqDelay(count, rnd);
      expect(Number.isInteger(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(lo);
      expect(d).toBeLessThanOrEqual(hi);
      expect((d - lo) % (count + 1)).toBe(0);
      seen.add(d);
    }
    // rand(10) has ten outcomes, and all of them turn up.
    expect(seen.size).toBe(10);
  });

  it('grows with the fourth power of the count', () => {
    expect(sidekiqDelay(10, () => 0)).toBe(10_015);
    expect(sidekiqDelay(20, () => 0)).toBe(160_015);
  });

  it('allows Sidekiq’s default of 25 retries', () => {
    expect(SIDEKIQ_MAX_RETRIES).toBe(25);
  });
});

describe('deliveryDelay', () => {
  it.each([0, 1, 2, 3])('count %i: from count⁴ + 15 up to (not including) 1.5·count⁴ + 15', (count) => {
    const lo = count ** 4 + 15;
    const hi = 1.5 * count ** 4 + 15;
    expect(deliveryDelay(count, () => 0)).toBe(lo);
    const rnd = seeded(100 + count);
    let max = -Infinity;
    for (let i = 0; i < 2000; i++) {
      const d = deliveryDelay(count, rnd);
      expect(d).toBeGreaterThanOrEqual(lo);
      if (count === 0) expect(d).toBeLessThan(16);
      else expect(d).toBeLessThan(hi);
      max = Math.max(max, d);
    }
    if (count > 0) expect(max).toBeGreaterThan(lo + 0.45 * count ** 4);
  });

  it('spreads 16 retries over about 2.1 to 3.1 days, as Mastodon does before dropping a delivery', () => {
    const total = (r: () => number) => Array.from({ length: 16 }, (_, c) => deliveryDelay(c, r)).reduce((a, b) => a + b, 0);
    const day = 86_400;
    expect(total(() => 0) / day).toBeGreaterThan(2.0);
    expect(total(() => 0) / day).toBeLessThan(2.15);
    expect(total(() => JUST_BELOW_ONE) / day).toBeGreaterThan(3.0);
    expect(total(() => JUST_BELOW_ONE) / day).toBeLessThan(3.15);
  });
});
