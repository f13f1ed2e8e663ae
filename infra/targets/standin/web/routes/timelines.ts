import type { FastifyInstance, FastifyReply } from 'fastify';
import { readHomePage } from '../../feeds.js';
import { decodeCached, STATUS_CACHE_PREFIX } from '../../status-cache.js';
import { authorize, authorizeIfGotToken, requireUser } from '../auth.js';
import type { WebContext } from '../context.js';
import { bool, limit } from '../params.js';
import { linkHeader, page } from '../paging.js';
import { renderStatusesJson } from '../queries.js';

export function timelineRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;

  app.get('/api/v1/timelines/home', { config: { controller: 'api/v1/timelines/home', action: 'show' } }, async (req, reply) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'read:statuses'));
    const home = await readHomePage(ctx.redis, user.accountId, page(req.params_, limit(req.params_, 20, 40)), STATUS_CACHE_PREFIX);
    const link = linkHeader(`${base}/api/v1/timelines/home`, req.query as Record<string, unknown>, home.ids);
    if (link) reply.header('link', link);
    const cached = decodeCached(home.ids, home.cached);
    return jsonArray(reply, await renderStatusesJson(ctx.db, home.ids, base, user.accountId, ctx.redis, cached));
  });

  app.get('/api/v1/timelines/public', { config: { controller: 'api/v1/timelines/public', action: 'show' } }, async (req, reply) => {
    // authorize_if_got_token!, and no require_user!: with live feeds open to all
    // (4.5's default), an app token or a not yet confirmed user may read it too.
    const viewer = authorizeIfGotToken(req.auth, 'read:statuses')?.accountId ?? undefined;
    const pg = page(req.params_, limit(req.params_, 20, 40));
    // PublicFeed: local=true alone is local posts, remote=true alone remote ones; otherwise both.
    const local = bool(req.params_, 'local') === true;
    const remote = bool(req.params_, 'remote') === true;
    const only = local === remote ? null : local;
    const { rows } = await ctx.db.query(
      `SELECT id::text FROM statuses
        WHERE visibility = 0 AND reblog_of_id IS NULL AND ($5::boolean IS NULL OR local = $5)
          AND ($1::bigint IS NULL OR id < $1) AND ($2::bigint IS NULL OR id > $2) AND ($3::bigint IS NULL OR id > $3)
        ORDER BY id ${pg.minId ? 'ASC' : 'DESC'} LIMIT $4`,
      [pg.maxId ?? null, pg.sinceId ?? null, pg.minId ?? null, pg.limit, only],
    );
    const ids = rows.map((r) => r.id as string);
    if (pg.minId) ids.reverse();
    const link = linkHeader(`${base}/api/v1/timelines/public`, req.query as Record<string, unknown>, ids);
    if (link) reply.header('link', link);
    return jsonArray(reply, await renderStatusesJson(ctx.db, ids, base, viewer, ctx.redis));
  });
}

/** Entities already rendered as JSON text, sent as fastify would send the parsed array. */
function jsonArray(reply: FastifyReply, items: string[]): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(`[${items.join(',')}]`);
}
