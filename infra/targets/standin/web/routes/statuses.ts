import type { FastifyInstance } from 'fastify';
import { transaction } from '../../db.js';
import { expireStatuses } from '../../status-cache.js';
import { enqueue } from '../../jobs/queue.js';
import { authorize, authorizeIfGotToken, requireUser, type UserAuth } from '../auth.js';
import type { WebContext } from '../context.js';
import { ApiError, errors, validationError } from '../errors.js';
import { bool, str } from '../params.js';
import { loadStatuses, renderStatuses, shownTo } from '../queries.js';
import { rateLimit } from '../rate-limiter.js';
import { VISIBILITIES } from '../render.js';
import { localMentions } from '../mentions.js';
import { MAX_CHARS, statusLength } from '../status-length.js';

const IDEMPOTENCY_TTL_SEC = 3600;

export function statusRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;
  const cfg = (controller: string, action: string) => ({ config: { controller, action } });

  const render = async (id: string, viewer?: string) => (await renderStatuses(ctx.db, [id], base, viewer, ctx.redis))[0]!;

  async function visibleStatus(id: string, viewer?: string) {
    if (!/^\d{1,19}$/.test(id)) throw errors.notFound();
    const s = (await loadStatuses(ctx.db, [id], viewer)).get(id);
    if (!s || !shownTo(s, viewer)) throw errors.notFound();
    return s;
  }

  app.post('/api/v1/statuses', cfg('api/v1/statuses', 'create'), async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:statuses'));
    const idem = req.headers['idempotency-key'];
    const idemKey = typeof idem === 'string' && idem ? `idempotency:status:${user.accountId}:${idem}` : undefined;
    if (idemKey) {
      const existing = await ctx.redis.get(idemKey);
      if (existing) return render(existing, user.accountId);
    }
    const id = await createStatus(ctx, user, req.params_);
    if (idemKey) await ctx.redis.set(idemKey, id, 'EX', IDEMPOTENCY_TTL_SEC);
    return render(id, user.accountId);
  });

  app.get('/api/v1/statuses/:id', cfg('api/v1/statuses', 'show'), async (req) => {
    const viewer = authorizeIfGotToken(req.auth, 'read:statuses')?.accountId ?? undefined;
    const s = await visibleStatus((req.params as { id: string }).id, viewer);
    return render(s.id, viewer);
  });

  app.delete('/api/v1/statuses/:id', cfg('api/v1/statuses', 'destroy'), async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:statuses'));
    const s = await visibleStatus((req.params as { id: string }).id, user.accountId);
    // Mastodon looks the post up among the caller's own: someone else's is not found.
    if (s.account_id !== user.accountId) throw errors.notFound();
    const body = await render(s.id, user.accountId);
    await transaction(ctx.db, async (c) => {
      await c.query('DELETE FROM statuses WHERE id = $1', [s.id]);
      await c.query('UPDATE account_stats SET statuses_count = greatest(statuses_count - 1, 0) WHERE account_id = $1', [user.accountId]);
    });
    await expireStatuses(ctx.redis, [s.id]);
    await enqueue(ctx.redis, 'default', 'RemovalWorker', [s.id, user.accountId]);
    // source_requested: the source text in place of the rendered content, for delete-and-redraft.
    return Object.fromEntries(Object.entries(body).map(([k, v]) => (k === 'content' ? ['text', s.text] : [k, v])));
  });

  app.post('/api/v1/statuses/:id/favourite', cfg('api/v1/statuses/favourites', 'create'), async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:favourites'));
    const asked = await visibleStatus((req.params as { id: string }).id, user.accountId);
    // Favourite's before_validation: favouriting a boost favourites the boosted post;
    // the answer is still the post asked for.
    const s = asked.reblog_of_id ? await visibleStatus(asked.reblog_of_id, user.accountId) : asked;
    const created = await transaction(ctx.db, async (c) => {
      const ins = await c.query('INSERT INTO favourites (account_id, status_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id', [user.accountId, s.id]);
      if (ins.rowCount === 0) return false;
      await bumpStat(c, s.id, 'favourites_count', 1);
      return true;
    });
    if (created) await expireStatuses(ctx.redis, [s.id]);
    if (created && s.account_id !== user.accountId) {
      await enqueue(ctx.redis, 'default', 'LocalNotificationWorker', [s.account_id, user.accountId, 'Favourite', 'favourite', s.id]);
    }
    return render(asked.id, user.accountId);
  });

  app.post('/api/v1/statuses/:id/unfavourite', cfg('api/v1/statuses/favourites', 'destroy'), async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:favourites'));
    const s = await visibleStatus((req.params as { id: string }).id, user.accountId);
    const removed = await transaction(ctx.db, async (c) => {
      const del = await c.query('DELETE FROM favourites WHERE account_id = $1 AND status_id = $2', [user.accountId, s.id]);
      if (!del.rowCount) return false;
      await bumpStat(c, s.id, 'favourites_count', -1);
      return true;
    });
    if (removed) await expireStatuses(ctx.redis, [s.id]);
    return render(s.id, user.accountId);
  });

  app.post('/api/v1/statuses/:id/reblog', cfg('api/v1/statuses/reblogs', 'create'), async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:statuses'));
    const original = await visibleStatus((req.params as { id: string }).id, user.accountId);
    const target = original.reblog_of_id ?? original.id;
    const s = target === original.id ? original : await visibleStatus(target, user.accountId);
    if (s.visibility >= 2) throw errors.forbidden();
    const existing = await ctx.db.query('SELECT id::text FROM statuses WHERE account_id = $1 AND reblog_of_id = $2', [user.accountId, s.id]);
    if (existing.rows[0]) return render(existing.rows[0].id, user.accountId);
    const id = await transaction(ctx.db, async (c) => {
      const ins = await c.query(
        `INSERT INTO statuses (account_id, reblog_of_id, visibility) VALUES ($1, $2, $3)
         ON CONFLICT (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL DO NOTHING RETURNING id::text`,
        [user.accountId, s.id, VISIBILITIES.indexOf(normaliseVisibility(str(req.params_, 'visibility')))],
      );
      if (!ins.rows[0]) return undefined;
      await bumpStat(c, s.id, 'reblogs_count', 1);
      await c.query('UPDATE account_stats SET statuses_count = statuses_count + 1 WHERE account_id = $1', [user.accountId]);
      return ins.rows[0].id as string;
    });
    if (!id) {
      const again = await ctx.db.query('SELECT id::text FROM statuses WHERE account_id = $1 AND reblog_of_id = $2', [user.accountId, s.id]);
      return render(again.rows[0].id, user.accountId);
    }
    await expireStatuses(ctx.redis, [s.id]);
    await enqueue(ctx.redis, 'default', 'DistributionWorker', [id]);
    await enqueue(ctx.redis, 'push', 'ActivityPub::DistributionWorker', [id]);
    if (s.account_id !== user.accountId) {
      await enqueue(ctx.redis, 'default', 'LocalNotificationWorker', [s.account_id, user.accountId, 'Status', 'reblog', s.id]);
    }
    return render(id, user.accountId);
  });

  app.post('/api/v1/statuses/:id/unreblog', cfg('api/v1/statuses/reblogs', 'destroy'), async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:statuses'));
    const s = await visibleStatus((req.params as { id: string }).id, user.accountId);
    const del = await transaction(ctx.db, async (c) => {
      const d = await c.query('DELETE FROM statuses WHERE account_id = $1 AND reblog_of_id = $2 RETURNING id::text', [user.accountId, s.id]);
      if (d.rows[0]) {
        await bumpStat(c, s.id, 'reblogs_count', -1);
        await c.query('UPDATE account_stats SET statuses_count = greatest(statuses_count - 1, 0) WHERE account_id = $1', [user.accountId]);
      }
      return d.rows[0]?.id as string | undefined;
    });
    if (del) {
      await expireStatuses(ctx.redis, [s.id]);
      await enqueue(ctx.redis, 'default', 'RemovalWorker', [del, user.accountId]);
    }
    return render(s.id, user.accountId);
  });
}

function normaliseVisibility(v: string | undefined): (typeof VISIBILITIES)[number] {
  return (VISIBILITIES as readonly string[]).includes(v ?? '') ? (v as (typeof VISIBILITIES)[number]) : 'public';
}

async function bumpStat(c: import('pg').PoolClient, statusId: string, column: 'favourites_count' | 'reblogs_count' | 'replies_count', by: number) {
  await c.query(
    `INSERT INTO status_stats (status_id, ${column}) VALUES ($1, greatest($2, 0))
     ON CONFLICT (status_id) DO UPDATE SET ${column} = greatest(status_stats.${column} + $2, 0)`,
    [statusId, by],
  );
}

/** PostStatusService: validate, insert in one transaction, then enqueue fan-out and delivery. */
async function createStatus(ctx: WebContext, user: UserAuth, p: Record<string, unknown>): Promise<string> {
  const text = str(p, 'status') ?? '';
  const spoiler = str(p, 'spoiler_text') ?? '';
  if (!text.trim()) throw validationError({ text: [{ error: 'ERR_BLANK', description: "can't be blank" }] });
  if (statusLength(text, spoiler) > MAX_CHARS) {
    throw new ApiError(422, `Validation failed: Text character limit of ${MAX_CHARS} exceeded`, {
      error: `Validation failed: Text character limit of ${MAX_CHARS} exceeded`,
      details: { text: [{ error: 'ERR_TOO_LONG', description: `character limit of ${MAX_CHARS} exceeded` }] },
    });
  }
  const visibility = str(p, 'visibility');
  if (visibility !== undefined && !(VISIBILITIES as readonly string[]).includes(visibility)) {
    throw validationError({ visibility: [{ error: 'ERR_INCLUSION', description: 'is not included in the list' }] });
  }
  let inReplyTo: { id: string; account_id: string } | undefined;
  const replyId = str(p, 'in_reply_to_id');
  if (replyId) {
    const parent = /^\d{1,19}$/.test(replyId) ? (await loadStatuses(ctx.db, [replyId], user.accountId)).get(replyId) : undefined;
    // set_thread: a parent that is gone or not shown to the author gets its own 404 message.
    if (!parent || !shownTo(parent, user.accountId)) {
      throw new ApiError(404, 'The post you are trying to reply to does not appear to exist.');
    }
    inReplyTo = parent;
  }
  await rateLimit(ctx.redis, user.accountId, 'statuses');
  const id = await transaction(ctx.db, async (c) => {
    const ins = await c.query(
      `INSERT INTO statuses (account_id, text, spoiler_text, sensitive, visibility, language, in_reply_to_id, in_reply_to_account_id, application_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text`,
      [
        // PostStatusService: a content warning always marks the post sensitive.
        user.accountId, text, spoiler, (bool(p, 'sensitive') ?? false) || spoiler.trim() !== '', VISIBILITIES.indexOf(normaliseVisibility(visibility)),
        str(p, 'language') ?? null, inReplyTo?.id ?? null, inReplyTo?.account_id ?? null, user.applicationId,
      ],
    );
    const statusId: string = ins.rows[0].id;
    await c.query('INSERT INTO status_stats (status_id) VALUES ($1)', [statusId]);
    if (inReplyTo) await bumpStat(c, inReplyTo.id, 'replies_count', 1);
    await c.query('UPDATE account_stats SET statuses_count = statuses_count + 1, last_status_at = now() WHERE account_id = $1', [user.accountId]);
    return statusId;
  });
  if (inReplyTo) await expireStatuses(ctx.redis, [inReplyTo.id]);
  if (/https?:\/\//.test(text)) await enqueue(ctx.redis, 'pull', 'LinkCrawlWorker', [id]);
  await notifyMentioned(ctx, text, user.accountId, id);
  await enqueue(ctx.redis, 'default', 'DistributionWorker', [id]);
  if (normaliseVisibility(visibility) !== 'direct') await enqueue(ctx.redis, 'push', 'ActivityPub::DistributionWorker', [id]);
  return id;
}

/**
 * ProcessMentionsService, notifications only: each local account the text
 * names gets a `mention` (the status's `mentions` list stays empty here).
 */
async function notifyMentioned(ctx: WebContext, text: string, authorId: string, statusId: string): Promise<void> {
  const names = localMentions(text, ctx.config.localDomain);
  if (names.length === 0) return;
  const { rows } = await ctx.db.query(
    'SELECT id::text FROM accounts WHERE domain IS NULL AND lower(username) = ANY($1::text[]) AND id <> $2',
    [names, authorId],
  );
  for (const r of rows) await enqueue(ctx.redis, 'default', 'LocalNotificationWorker', [r.id, authorId, 'Mention', 'mention', statusId]);
}
