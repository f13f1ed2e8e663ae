import type { FastifyInstance } from 'fastify';
import type { PoolClient } from 'pg';
import { transaction } from '../../db.js';
import { enqueue } from '../../jobs/queue.js';
import { authorize, authorizeIfGotToken, requireUser } from '../auth.js';
import type { WebContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { list, str } from '../params.js';
import { findLocalAccount } from '../queries.js';
import { rateLimit } from '../rate-limiter.js';
import { renderAccount } from '../render.js';
import { registrationsMode } from '../settings.js';
import { signUp } from '../sign-up.js';
import { requestRemoteFollow, undoRemoteFollow } from '../../federation/follows.js';
import { resolveAcct } from '../../federation/remote-accounts.js';
import { webFederation } from '../../federation/routes.js';

const MAX_FOLLOWS = 7500;

export function accountRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;
  const cfg = (action: string) => ({ config: { controller: 'api/v1/accounts', action } });

  app.post('/api/v1/accounts', cfg('create'), async (req) => {
    const auth = authorize(req.auth, 'write:accounts');
    if (auth.userId) throw new ApiError(403, 'This method requires an client credentials authentication');
    const mode = await registrationsMode(ctx.db, ctx.config.registrationsMode);
    if (mode === 'none') throw new ApiError(403, 'Forbidden');
    const r = await signUp(ctx, auth, req.params_, req.clientIp, mode === 'open');
    return { access_token: r.token, token_type: 'Bearer', scope: r.scopes, created_at: r.createdAt };
  });

  app.get('/api/v1/accounts/lookup', { config: { controller: 'api/v1/accounts/lookup', action: 'show' } }, async (req) => {
    authorizeIfGotToken(req.auth, 'read:accounts');
    // Known accounts only, local or remote: Mastodon's lookup skips WebFinger.
    const id = await resolveAcct(webFederation(ctx), str(req.params_, 'acct') ?? '', false);
    if (!id) throw errors.notFound();
    return renderAccount((await findLocalAccount(ctx.db, id))!, base);
  });

  app.get('/api/v1/accounts/relationships', { config: { controller: 'api/v1/accounts/relationships', action: 'index' } }, async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'read:follows'));
    const ids = [...list(req.params_, 'id'), ...(str(req.params_, 'id') ? [str(req.params_, 'id')!] : [])].filter((i) => /^\d{1,19}$/.test(i));
    return relationships(ctx, user.accountId, [...new Set(ids)]);
  });

  app.get('/api/v1/accounts/:id', cfg('show'), async (req) => {
    authorizeIfGotToken(req.auth, 'read:accounts');
    const account = await findLocalAccount(ctx.db, (req.params as { id: string }).id);
    if (!account) throw errors.notFound();
    return renderAccount(account, base);
  });

  app.post('/api/v1/accounts/:id/follow', cfg('follow'), async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:follows'));
    const target = await findLocalAccount(ctx.db, (req.params as { id: string }).id);
    if (!target) throw errors.notFound();
    if (target.id === user.accountId) throw errors.forbidden();
    await rateLimit(ctx.redis, user.accountId, 'follows');
    const showReblogs = req.params_.reblogs !== 'false' && req.params_.reblogs !== false;
    const notify = req.params_.notify === 'true' || req.params_.notify === true;
    if (target.domain) {
      await requestRemoteFollow(webFederation(ctx), user.accountId, target.id, showReblogs, notify);
      return (await relationships(ctx, user.accountId, [target.id]))[0];
    }
    const created = await transaction(ctx.db, async (c) => {
      await lockStats(c, user.accountId, target.id);
      const count = await c.query('SELECT following_count FROM account_stats WHERE account_id = $1', [user.accountId]);
      if (Number(count.rows[0]?.following_count ?? 0) >= MAX_FOLLOWS) {
        throw new ApiError(422, 'Validation failed: You have reached the limit of follows', {
          error: 'Validation failed: You have reached the limit of follows',
          details: { base: [{ error: 'ERR_INVALID', description: 'You have reached the limit of follows' }] },
        });
      }
      const ins = await c.query(
        `INSERT INTO follows (account_id, target_account_id, show_reblogs, notify) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, target_account_id) DO NOTHING RETURNING id`,
        [user.accountId, target.id, showReblogs, notify],
      );
      if (ins.rowCount === 0) return false;
      await c.query('UPDATE account_stats SET following_count = following_count + 1 WHERE account_id = $1', [user.accountId]);
      await c.query('UPDATE account_stats SET followers_count = followers_count + 1 WHERE account_id = $1', [target.id]);
      return true;
    });
    if (created) {
      await enqueue(ctx.redis, 'default', 'MergeWorker', [target.id, user.accountId, 'home']);
      await enqueue(ctx.redis, 'default', 'LocalNotificationWorker', [target.id, user.accountId, 'Follow', 'follow']);
    }
    return (await relationships(ctx, user.accountId, [target.id]))[0];
  });

  app.post('/api/v1/accounts/:id/unfollow', cfg('unfollow'), async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:follows'));
    const target = await findLocalAccount(ctx.db, (req.params as { id: string }).id);
    if (!target) throw errors.notFound();
    const removed = await transaction(ctx.db, async (c) => {
      await lockStats(c, user.accountId, target.id);
      const del = await c.query('DELETE FROM follows WHERE account_id = $1 AND target_account_id = $2', [user.accountId, target.id]);
      if (del.rowCount === 0) return false;
      await c.query('UPDATE account_stats SET following_count = greatest(following_count - 1, 0) WHERE account_id = $1', [user.accountId]);
      await c.query('UPDATE account_stats SET followers_count = greatest(followers_count - 1, 0) WHERE account_id = $1', [target.id]);
      return true;
    });
    if (removed) await enqueue(ctx.redis, 'default', 'UnmergeWorker', [target.id, user.accountId, 'home']);
    if (target.domain) await undoRemoteFollow(webFederation(ctx), user.accountId, target.id, removed);
    return (await relationships(ctx, user.accountId, [target.id]))[0];
  });

  app.get('/api/v1/emails/check_confirmation', { config: { controller: 'api/v1/emails/confirmations', action: 'check' } }, async (req) => {
    const auth = authorize(req.auth, 'read:accounts');
    const { rows } = await ctx.db.query(
      auth.userId
        ? 'SELECT confirmed_at IS NOT NULL AS confirmed FROM users WHERE id = $1'
        : 'SELECT confirmed_at IS NOT NULL AS confirmed FROM users WHERE created_by_application_id = $1 ORDER BY id DESC LIMIT 1',
      [auth.userId ?? auth.applicationId],
    );
    if (!rows[0]) throw errors.notFound();
    return Boolean(rows[0].confirmed);
  });

  app.post('/api/v1/emails/confirmations', { config: { controller: 'api/v1/emails/confirmations', action: 'create' } }, async (req) => {
    const auth = authorize(req.auth, 'write:accounts');
    if (!auth.userId) throw errors.userRequired();
    const { rows } = await ctx.db.query(
      `UPDATE users SET confirmation_sent_at = now() WHERE id = $1 AND confirmed_at IS NULL AND created_by_application_id = $2 RETURNING id::text`,
      [auth.userId, auth.applicationId],
    );
    if (!rows[0]) throw errors.forbidden();
    await enqueue(ctx.redis, 'mailers', 'ActionMailer::MailDeliveryJob', ['UserMailer', 'confirmation_instructions', 'deliver_now', auth.userId]);
    return {};
  });
}

/**
 * Locks both accounts' stats rows in id order before a follow or unfollow
 * changes them, so two accounts following (or unfollowing) each other at the
 * same moment queue behind one another instead of deadlocking.
 */
async function lockStats(c: PoolClient, a: string, b: string): Promise<void> {
  await c.query('SELECT 1 FROM account_stats WHERE account_id = ANY($1::bigint[]) ORDER BY account_id FOR UPDATE', [[a, b]]);
}

/** In the order asked for, leaving out ids that name no account, as Mastodon does. */
export async function relationships(ctx: WebContext, viewerId: string, ids: string[]): Promise<Record<string, unknown>[]> {
  if (ids.length === 0) return [];
  const { rows } = await ctx.db.query(
    `SELECT t.id::text,
            f1.id IS NOT NULL AS following, coalesce(f1.show_reblogs, false) AS showing_reblogs, coalesce(f1.notify, false) AS notifying,
            f2.id IS NOT NULL AS followed_by,
            EXISTS (SELECT 1 FROM follow_requests r WHERE r.account_id = $1 AND r.target_account_id = t.id) AS requested
       FROM unnest($2::bigint[]) WITH ORDINALITY AS t(id, n)
       JOIN accounts a ON a.id = t.id
       LEFT JOIN follows f1 ON f1.account_id = $1 AND f1.target_account_id = t.id
       LEFT JOIN follows f2 ON f2.account_id = t.id AND f2.target_account_id = $1
      ORDER BY t.n`,
    [viewerId, ids],
  );
  return rows.map((r) => ({
    id: r.id,
    following: r.following,
    showing_reblogs: r.showing_reblogs,
    notifying: r.notifying,
    languages: null,
    followed_by: r.followed_by,
    blocking: false,
    blocked_by: false,
    muting: false,
    muting_notifications: false,
    requested: r.requested,
    requested_by: false,
    domain_blocking: false,
    endorsed: false,
    note: '',
  }));
}
