import type { FastifyInstance } from 'fastify';
import { authorizeIfGotToken } from '../auth.js';
import type { WebContext } from '../context.js';
import { errors } from '../errors.js';
import { bool, limit, str } from '../params.js';
import { linkHeader, page } from '../paging.js';
import { findLocalAccount, renderStatuses } from '../queries.js';

// An account's posts (Api::V1::Accounts::StatusesController), as a profile
// page loads them: pinned ones first, then the rest with its filters.
// The stand-in has no pins, media or hashtags, so asking for those finds nothing.

export function accountStatusRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;

  app.get('/api/v1/accounts/:id/statuses', { config: { controller: 'api/v1/accounts/statuses', action: 'index' } }, async (req, reply) => {
    const viewer = authorizeIfGotToken(req.auth, 'read:statuses')?.accountId ?? undefined;
    const id = (req.params as { id: string }).id;
    if (!(await findLocalAccount(ctx.db, id))) throw errors.notFound();
    const p = req.params_;
    // A pinned list is never paged (no Link header), as in Mastodon.
    if (bool(p, 'pinned')) return [];
    if (bool(p, 'only_media') || str(p, 'tagged')) return [];
    const pg = page(p, limit(p, 20, 40));
    const { rows } = await ctx.db.query(
      `SELECT id::text FROM statuses WHERE account_id = $1 AND visibility <= 1
          AND ($2::bigint IS NULL OR id < $2) AND ($3::bigint IS NULL OR id > $3) AND ($4::bigint IS NULL OR id > $4)
          -- without_replies keeps replies to oneself (threads)
          AND (NOT $6 OR in_reply_to_id IS NULL OR in_reply_to_account_id = account_id)
          AND (NOT $7 OR reblog_of_id IS NULL)
        ORDER BY id ${pg.minId ? 'ASC' : 'DESC'} LIMIT $5`,
      [id, pg.maxId ?? null, pg.sinceId ?? null, pg.minId ?? null, pg.limit, bool(p, 'exclude_replies') === true, bool(p, 'exclude_reblogs') === true],
    );
    const ids = rows.map((r) => r.id as string);
    if (pg.minId) ids.reverse();
    const link = linkHeader(`${base}/api/v1/accounts/${id}/statuses`, req.query as Record<string, unknown>, ids, { more: ids.length === pg.limit });
    if (link) reply.header('link', link);
    return renderStatuses(ctx.db, ids, base, viewer);
  });
}
