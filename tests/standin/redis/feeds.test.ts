import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '../../../infra/services/redis.js';
import { MAX_ITEMS, homeKey, mergeIntoHome, pushToHome, readHomePage, removeFromHome } from '../../../infra/targets/standin/feeds.js';
import type { Page } from '../../../infra/targets/standin/web/paging.js';

// Home feeds as Mastodon's FeedManager keeps them (mastodon.md §4): a sorted
// set `feed:home:<account>` scored by status id, capped at the newest 800, read
// with exclusive max_id/since_id and min_id paging — exact on snowflake ids
// well past 2^53, where a double score can no longer tell neighbours apart.

let server: RedisHandle;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

beforeEach(async () => {
  await redis.flushdb();
});

const SNOWFLAKE = 117685413762170883n;
const id = (offset: number | bigint) => (SNOWFLAKE + BigInt(offset)).toString();
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => id(from + i));
const newestFirst = (ids: string[]) => [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0));
const readHome = async (r: Redis, account: string, p: Page) => (await readHomePage(r, account, p)).ids;
const pg = (p: Partial<Page>): Page => ({ maxId: undefined, sinceId: undefined, minId: undefined, limit: 20, ...p });

describe('the home feed cap', () => {
  it(`keeps the newest ${MAX_ITEMS} of 850 pushes`, async () => {
    expect(MAX_ITEMS).toBe(800);
    // Real snowflakes: milliseconds << 16, so posts a few ms apart.
    const ids = Array.from({ length: 850 }, (_, i) => (SNOWFLAKE + (BigInt(i) << 16n)).toString());
    // Sent without waiting for each reply; ioredis keeps them in order on one connection.
    await Promise.all(ids.map((s) => pushToHome(redis, '1', s)));

    expect(await redis.zcard(homeKey('1'))).toBe(800);
    const kept = await redis.zrange(homeKey('1'), '0', '-1');
    expect(kept).toEqual(ids.slice(50));
    expect(await readHome(redis, '1', pg({ limit: 3 }))).toEqual([ids[849], ids[848], ids[847]]);
  });

  it('keeps the newest 800 when posts arrive out of order, and drops a late old one', async () => {
    const ids = Array.from({ length: 850 }, (_, i) => (SNOWFLAKE + (BigInt(i) << 16n)).toString());
    const shuffled = [...ids];
    let seed = 12345;
    for (let i = shuffled.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const j = seed % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    await Promise.all(shuffled.map((s) => pushToHome(redis, '2', s)));
    expect(await redis.zrange(homeKey('2'), '0', '-1')).toEqual(ids.slice(50));
    await pushToHome(redis, '2', ids[0]!);
    expect(await redis.zcard(homeKey('2'))).toBe(800);
    expect(await redis.zscore(homeKey('2'), ids[0]!)).toBeNull();
  });

  it('applies the cap to merges too, and keeps feeds separate', async () => {
    const many = Array.from({ length: 900 }, (_, i) => (SNOWFLAKE + (BigInt(i) << 16n)).toString());
    await mergeIntoHome(redis, '3', many);
    await pushToHome(redis, '4', many[0]!);
    expect(await redis.zcard(homeKey('3'))).toBe(800);
    expect((await redis.zrange(homeKey('3'), '0', '0'))[0]).toBe(many[100]);
    expect(await redis.zrange(homeKey('4'), '0', '-1')).toEqual([many[0]]);
    await mergeIntoHome(redis, '4', []);
    expect(await redis.zcard(homeKey('4'))).toBe(1);
  });

  it('removes posts (an unfollow or a deletion)', async () => {
    await mergeIntoHome(redis, '5', range(0, 4));
    await removeFromHome(redis, '5', [id(1), id(3)]);
    await removeFromHome(redis, '5', []);
    expect(await readHome(redis, '5', pg({}))).toEqual([id(4), id(2), id(0)]);
  });

  it('pushing the same post twice keeps one copy', async () => {
    await pushToHome(redis, '6', id(0));
    await pushToHome(redis, '6', id(0));
    expect(await redis.zcard(homeKey('6'))).toBe(1);
  });
});

describe('readHome paging on neighbouring snowflake ids', () => {
  // 60 consecutive ids: at ~1.2e17 a double has a step of 16, so groups of up
  // to 16 neighbours share one score and only the member string tells them apart.
  const ACCOUNT = '42';
  const all = range(0, 59);

  beforeEach(async () => {
    await mergeIntoHome(redis, ACCOUNT, all);
  });

  it('the test really is beyond double precision', () => {
    expect(Number(id(1))).toBe(Number(id(2)));
    expect(BigInt(Number(id(0)))).not.toBe(BigInt(id(0)));
  });

  it('returns the newest first without bounds', async () => {
    expect(await readHome(redis, ACCOUNT, pg({ limit: 5 }))).toEqual(newestFirst(range(55, 59)));
    expect(await readHome(redis, ACCOUNT, pg({ limit: 100 }))).toEqual(newestFirst(all));
  });

  it('max_id is exclusive and exact', async () => {
    expect(await readHome(redis, ACCOUNT, pg({ maxId: id(20), limit: 5 }))).toEqual(newestFirst(range(15, 19)));
    expect(await readHome(redis, ACCOUNT, pg({ maxId: id(1), limit: 5 }))).toEqual([id(0)]);
    expect(await readHome(redis, ACCOUNT, pg({ maxId: id(0), limit: 5 }))).toEqual([]);
  });

  it('since_id is exclusive and returns the newest posts above it', async () => {
    expect(await readHome(redis, ACCOUNT, pg({ sinceId: id(55), limit: 10 }))).toEqual(newestFirst(range(56, 59)));
    expect(await readHome(redis, ACCOUNT, pg({ sinceId: id(10), limit: 3 }))).toEqual(newestFirst(range(57, 59)));
    expect(await readHome(redis, ACCOUNT, pg({ sinceId: id(59), limit: 3 }))).toEqual([]);
  });

  it('min_id returns the page immediately above it, newest first', async () => {
    expect(await readHome(redis, ACCOUNT, pg({ minId: id(10), limit: 3 }))).toEqual([id(13), id(12), id(11)]);
    expect(await readHome(redis, ACCOUNT, pg({ minId: id(57), limit: 5 }))).toEqual([id(59), id(58)]);
    expect(await readHome(redis, ACCOUNT, pg({ minId: id(59), limit: 5 }))).toEqual([]);
  });

  it('combines bounds exactly', async () => {
    expect(await readHome(redis, ACCOUNT, pg({ minId: id(10), maxId: id(14), limit: 10 }))).toEqual([id(13), id(12), id(11)]);
    expect(await readHome(redis, ACCOUNT, pg({ sinceId: id(10), maxId: id(14), limit: 10 }))).toEqual([id(13), id(12), id(11)]);
    expect(await readHome(redis, ACCOUNT, pg({ sinceId: id(10), maxId: id(11), limit: 10 }))).toEqual([]);
  });

  it('walks the whole feed with next links (max_id = last id) and back with prev links (min_id = first id)', async () => {
    const seen: string[] = [];
    let maxId: string | undefined;
    for (;;) {
      const ids = await readHome(redis, ACCOUNT, pg({ maxId, limit: 7 }));
      if (ids.length === 0) break;
      seen.push(...ids);
      maxId = ids[ids.length - 1];
    }
    expect(seen).toEqual(newestFirst(all));

    const back: string[] = [];
    let minId = id(0);
    for (;;) {
      const ids = await readHome(redis, ACCOUNT, pg({ minId, limit: 7 }));
      if (ids.length === 0) break;
      back.unshift(...ids);
      minId = ids[0]!;
    }
    expect(back).toEqual(newestFirst(range(1, 59)));
  });

  it('reads an empty or missing feed as empty', async () => {
    expect(await readHome(redis, 'nobody', pg({}))).toEqual([]);
    expect(await readHome(redis, 'nobody', pg({ minId: id(1) }))).toEqual([]);
  });
});

describe('readHomePage with the status cache', () => {
  it('returns each id’s cache entry in the same round trip, null where none is cached', async () => {
    await mergeIntoHome(redis, '7', range(0, 4));
    await redis.set(`cache:test/${id(4)}`, 'four');
    await redis.set(`cache:test/${id(2)}`, 'two');
    const page = await readHomePage(redis, '7', pg({ limit: 3 }), 'cache:test/');
    expect(page.ids).toEqual([id(4), id(3), id(2)]);
    expect(page.cached).toEqual(['four', null, 'two']);
    expect(await readHomePage(redis, '7', pg({ limit: 3 }))).toEqual({ ids: [id(4), id(3), id(2)], cached: [] });
    expect(await readHomePage(redis, '7', pg({ minId: id(4) }), 'cache:test/')).toEqual({ ids: [], cached: [] });
  });

  it('lets min_id win over since_id and reads bounds written with leading zeros as numbers', async () => {
    await mergeIntoHome(redis, '8', range(0, 9));
    expect(await readHome(redis, '8', pg({ minId: id(5), sinceId: id(8), limit: 2 }))).toEqual([id(7), id(6)]);
    expect(await readHome(redis, '8', pg({ maxId: `000${id(3)}`, limit: 2 }))).toEqual([id(2), id(1)]);
  });
});
