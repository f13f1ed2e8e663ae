import { randomUUID } from 'node:crypto';
import { transaction } from '../db.js';
import { enqueue } from '../jobs/queue.js';
import { followActivity, undoActivity } from './activitypub.js';
import type { Federation } from './federation.js';
import { accountById } from './remote-accounts.js';

// Follows that cross instances. A local account following a remote one first
// holds a FollowRequest and sends Follow; the remote Accept turns it into a
// Follow (Mastodon's FollowService / ActivityPub::Activity::Accept).

export const DELIVERY_WORKER = 'ActivityPub::DeliveryWorker';

/** Inserts a follow and counts it on both accounts; false when it existed. */
export async function insertFollow(fed: Federation, followerId: string, targetId: string, showReblogs = true, notify = false): Promise<boolean> {
  return transaction(fed.db, async (c) => {
    await c.query('SELECT 1 FROM account_stats WHERE account_id = ANY($1::bigint[]) ORDER BY account_id FOR UPDATE', [[followerId, targetId]]);
    const ins = await c.query(
      `INSERT INTO follows (account_id, target_account_id, show_reblogs, notify) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, target_account_id) DO NOTHING RETURNING id`,
      [followerId, targetId, showReblogs, notify],
    );
    if (ins.rowCount === 0) return false;
    await c.query('UPDATE account_stats SET following_count = following_count + 1 WHERE account_id = $1', [followerId]);
    await c.query('UPDATE account_stats SET followers_count = followers_count + 1 WHERE account_id = $1', [targetId]);
    return true;
  });
}

export async function deleteFollow(fed: Federation, followerId: string, targetId: string): Promise<void> {
  await transaction(fed.db, async (c) => {
    await c.query('SELECT 1 FROM account_stats WHERE account_id = ANY($1::bigint[]) ORDER BY account_id FOR UPDATE', [[followerId, targetId]]);
    const del = await c.query('DELETE FROM follows WHERE account_id = $1 AND target_account_id = $2', [followerId, targetId]);
    if (del.rowCount === 0) return;
    await c.query('UPDATE account_stats SET following_count = greatest(following_count - 1, 0) WHERE account_id = $1', [followerId]);
    await c.query('UPDATE account_stats SET followers_count = greatest(followers_count - 1, 0) WHERE account_id = $1', [targetId]);
  });
}

async function localUsername(fed: Federation, accountId: string): Promise<string> {
  const { rows } = await fed.db.query('SELECT username FROM accounts WHERE id = $1 AND domain IS NULL', [accountId]);
  if (!rows[0]) throw new Error(`account ${accountId} is not local`);
  return rows[0].username as string;
}

/** POST /api/v1/accounts/:id/follow on a remote account: a FollowRequest and a Follow on `push`. */
export async function requestRemoteFollow(fed: Federation, followerId: string, targetId: string, showReblogs: boolean, notify: boolean): Promise<void> {
  const target = await accountById(fed, targetId);
  if (!target) throw new Error(`account ${targetId} is not remote`);
  const uri = `${fed.config.baseUrl}/${randomUUID()}`;
  const { rowCount } = await fed.db.query(
    `INSERT INTO follow_requests (account_id, target_account_id, uri, show_reblogs, notify) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (account_id, target_account_id) DO NOTHING`,
    [followerId, targetId, uri, showReblogs, notify],
  );
  if (rowCount === 0) return;
  const actor = fed.uris(await localUsername(fed, followerId)).actor;
  await enqueue(fed.redis, 'push', DELIVERY_WORKER, [JSON.stringify(followActivity(uri, actor, target.uri)), followerId, target.inbox]);
}

/** Unfollowing a remote account (`wasFollowing`) or withdrawing the request sends Undo(Follow). */
export async function undoRemoteFollow(fed: Federation, followerId: string, targetId: string, wasFollowing: boolean): Promise<void> {
  const target = await accountById(fed, targetId);
  if (!target) return;
  const { rows } = await fed.db.query('DELETE FROM follow_requests WHERE account_id = $1 AND target_account_id = $2 RETURNING uri', [followerId, targetId]);
  if (!wasFollowing && !rows[0]) return;
  const actor = fed.uris(await localUsername(fed, followerId)).actor;
  const follow = followActivity((rows[0]?.uri as string | undefined) ?? `${actor}#follows/${targetId}`, actor, target.uri);
  await enqueue(fed.redis, 'push', DELIVERY_WORKER, [JSON.stringify(undoActivity(actor, follow)), followerId, target.inbox]);
}
