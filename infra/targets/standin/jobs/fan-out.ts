import type { Redis } from 'ioredis';
import type pg from 'pg';
import { mergeIntoHome, pushToHome, removeFromHome, MAX_ITEMS } from '../feeds.js';
import { renderStatuses } from '../web/queries.js';
import { enqueueBulk } from './queue.js';

// FanOutOnWriteService and FeedManager: the author's own feed, one
// FeedInsertWorker job per local follower active within USER_ACTIVE_DAYS, and
// the public streams.

export async function distribute(db: pg.Pool, redis: Redis, baseUrl: string, statusId: string, activeDays: number): Promise<void> {
  const { rows } = await db.query(
    'SELECT account_id::text, visibility, reblog_of_id::text, local FROM statuses WHERE id = $1',
    [statusId],
  );
  const s = rows[0];
  if (!s) return;
  // A remote author has no home feed here; its post goes to local followers only.
  if (s.local) await pushToHome(redis, s.account_id, statusId);
  const followers = await db.query(
    `SELECT f.account_id::text FROM follows f JOIN users u ON u.account_id = f.account_id
      WHERE f.target_account_id = $1 AND u.current_sign_in_at > now() - make_interval(days => $2)
        AND ($3::boolean OR f.show_reblogs)`,
    [s.account_id, activeDays, s.reblog_of_id === null],
  );
  await enqueueBulk(redis, 'default', 'FeedInsertWorker', followers.rows.map((f) => [statusId, f.account_id, 'home']));
  if (s.visibility <= 1) {
    const [payload] = await renderStatuses(db, [statusId], baseUrl);
    const message = JSON.stringify({ event: 'update', payload: JSON.stringify(payload) });
    const p = redis.pipeline().publish(`timeline:${s.account_id}`, message);
    if (s.visibility === 0 && s.reblog_of_id === null) p.publish('timeline:public', message).publish(s.local ? 'timeline:public:local' : 'timeline:public:remote', message);
    await p.exec();
  }
}

export async function feedInsert(db: pg.Pool, redis: Redis, baseUrl: string, statusId: string, accountId: string): Promise<void> {
  await pushToHome(redis, accountId, statusId);
  const [payload] = await renderStatuses(db, [statusId], baseUrl, accountId);
  if (payload) await redis.publish(`timeline:${accountId}`, JSON.stringify({ event: 'update', payload: JSON.stringify(payload) }));
}

/** MergeWorker: a new follow brings the followee's recent posts into the follower's feed. */
export async function merge(db: pg.Pool, redis: Redis, fromAccountId: string, intoAccountId: string): Promise<void> {
  const { rows } = await db.query(
    'SELECT id::text FROM statuses WHERE account_id = $1 AND visibility <= 2 ORDER BY id DESC LIMIT $2',
    [fromAccountId, MAX_ITEMS / 4],
  );
  await mergeIntoHome(redis, intoAccountId, rows.map((r) => r.id));
}

export async function unmerge(db: pg.Pool, redis: Redis, fromAccountId: string, intoAccountId: string): Promise<void> {
  const { rows } = await db.query('SELECT id::text FROM statuses WHERE account_id = $1', [fromAccountId]);
  await removeFromHome(redis, intoAccountId, rows.map((r) => r.id));
}

/** RemoveStatusService's feed part: the status leaves its author's and every follower's feed. */
export async function removeEverywhere(db: pg.Pool, redis: Redis, statusId: string, authorId: string): Promise<void> {
  const { rows } = await db.query('SELECT account_id::text FROM follows WHERE target_account_id = $1', [authorId]);
  const p = redis.pipeline();
  // FeedManager#unpush_from_home tells each feed's streams, not only the author's.
  const deleted = JSON.stringify({ event: 'delete', payload: statusId });
  for (const id of [authorId, ...rows.map((r) => r.account_id as string)]) p.zrem(`feed:home:${id}`, statusId).publish(`timeline:${id}`, deleted);
  await p.exec();
}
