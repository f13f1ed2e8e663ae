import type { Redis } from 'ioredis';
import { luaScript } from './lua.js';
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

// Scores are snowflake ids, which a double cannot hold exactly past 2^53, so
// bounds are applied inclusively on the score and then exactly on the member
// (equal-length decimal strings compare as numbers do), over-fetching the few
// ids a score may share. With a cache prefix, the page's cached entries come
// back in the same round trip, as the MGET Mastodon's cache_collection sends next.
const PAGE = luaScript(`
local function lt(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
local maxId, minId, limit, prefix = ARGV[1], ARGV[3], tonumber(ARGV[4]), ARGV[5]
-- min_id wins over since_id, as in Mastodon's HomeFeed.
local sinceId = minId == '' and ARGV[2] or ''
local slack = limit + 32
local out = {}
local function take(id)
  if (maxId == '' or lt(id, maxId)) and (minId == '' or lt(minId, id)) and (sinceId == '' or lt(sinceId, id)) then
    out[#out + 1] = id
  end
  return #out >= limit
end
if limit > 0 then
  if minId ~= '' then
    local ids = redis.call('ZRANGEBYSCORE', KEYS[1], minId, maxId ~= '' and maxId or '+inf', 'LIMIT', 0, slack)
    for _, id in ipairs(ids) do if take(id) then break end end
    for i = 1, math.floor(#out / 2) do out[i], out[#out - i + 1] = out[#out - i + 1], out[i] end
  else
    local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], maxId ~= '' and maxId or '+inf', sinceId ~= '' and sinceId or '-inf', 'LIMIT', 0, slack)
    for _, id in ipairs(ids) do if take(id) then break end end
  end
end
if prefix == '' or #out == 0 then return {out, {}} end
local keys = {}
for i, id in ipairs(out) do keys[i] = prefix .. id end
return {out, redis.call('MGET', unpack(keys))}
`);

export interface HomePage {
  /** Newest first. */
  ids: string[];
  /** The cache entry of each id (null when not cached); empty without a cache prefix. */
  cached: (string | null)[];
}

/** One page of a home feed, newest first, and with `cachePrefix` the page's cache entries. */
export async function readHomePage(redis: Redis, accountId: string, p: Page, cachePrefix = ''): Promise<HomePage> {
  // Canonical decimals (no leading zeros), so the script's string comparison is numeric.
  const bound = (id: string | undefined) => (id === undefined ? '' : BigInt(id).toString());
  const [ids, cached] = (await PAGE(redis, [homeKey(accountId)], [bound(p.maxId), bound(p.sinceId), bound(p.minId), p.limit, cachePrefix])) as [
    string[],
    (string | null)[],
  ];
  return { ids, cached };
}
