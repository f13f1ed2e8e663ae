import type { Redis } from 'ioredis';
import type { Page } from './web/paging.js';

// Home feeds as Mastodon's FeedManager keeps them: a sorted set per account,
// scored by status id, trimmed to the newest 800.

export const MAX_ITEMS = 800;

export const homeKey = (accountId: string) => `feed:home:${accountId}`;

export async function pushToHome(redis: Redis, accountId: string, statusId: string): Promise<void> {
  await redis
    .multi()
    .zadd(homeKey(accountId), statusId, statusId)
    .zremrangebyrank(homeKey(accountId), 0, -(MAX_ITEMS + 1))
    .exec();
}

export async function mergeIntoHome(redis: Redis, accountId: string, statusIds: string[]): Promise<void> {
  if (statusIds.length === 0) return;
  const args = statusIds.flatMap((id) => [id, id]);
  await redis.multi().zadd(homeKey(accountId), ...args).zremrangebyrank(homeKey(accountId), 0, -(MAX_ITEMS + 1)).exec();
}

export async function removeFromHome(redis: Redis, accountId: string, statusIds: string[]): Promise<void> {
  if (statusIds.length > 0) await redis.zrem(homeKey(accountId), ...statusIds);
}

/**
 * One page of a home feed, newest first. Scores are snowflake ids, which a
 * double cannot hold exactly past 2^53, so bounds are applied inclusively on the
 * score and then exactly on the member, over-fetching the few ids a score may share.
 */
export async function readHome(redis: Redis, accountId: string, p: Page): Promise<string[]> {
  const key = homeKey(accountId);
  const slack = p.limit + 32;
  const below = (id: string) => !p.maxId || BigInt(id) < BigInt(p.maxId);
  if (p.minId) {
    const above = (id: string) => BigInt(id) > BigInt(p.minId!);
    const ids = await redis.zrangebyscore(key, p.minId, p.maxId ?? '+inf', 'LIMIT', 0, slack);
    return ids.filter((id) => above(id) && below(id)).slice(0, p.limit).reverse();
  }
  const above = (id: string) => !p.sinceId || BigInt(id) > BigInt(p.sinceId);
  const ids = await redis.zrevrangebyscore(key, p.maxId ?? '+inf', p.sinceId ?? '-inf', 'LIMIT', 0, slack);
  return ids.filter((id) => above(id) && below(id)).slice(0, p.limit);
}
