import type { Redis } from 'ioredis';
import { errors } from './errors.js';

// Mastodon's in-app RateLimiter (app/lib/rate_limiter.rb): per account and
// family, counted in Redis, independent of Rack::Attack.

const FAMILIES = {
  statuses: { limit: 300, periodSec: 3 * 3600 },
  follows: { limit: 400, periodSec: 24 * 3600 },
} as const;

export async function rateLimit(redis: Redis, accountId: string, family: keyof typeof FAMILIES): Promise<void> {
  const { limit, periodSec } = FAMILIES[family];
  const window = Math.floor(Date.now() / 1000 / periodSec);
  const key = `rate_limit:${accountId}:${family}:${window}`;
  const [[, count]] = (await redis.multi().incr(key).expire(key, periodSec).exec()) as [[unknown, number]];
  if (count > limit) {
    const reset = new Date((window + 1) * periodSec * 1000).toISOString();
    throw errors.tooMany({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset });
  }
}
