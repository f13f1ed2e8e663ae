import type { FastifyInstance } from 'fastify';
import { readHome } from '../../feeds.js';
import { authorize, requireUser } from '../auth.js';
import type { WebContext } from '../context.js';
import { bool, limit } from '../params.js';
import { linkHeader, page } from '../paging.js';
import { renderStatuses } from '../queries.js';

export function timelineRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;

  app.get('/api/v1/timelines/home', { config: { controller: 'api/v1/timelines/home', action: 'show' } }, async (req, reply) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'read:statuses'));
    const ids = await readHome(ctx.redis, user.accountId, page(req.params_, limit(req.params_, 20, 40)));
    const link = linkHeader(`${base}/api/v1/timelines/home`, req.query as Record<string, unknown>, ids);
    if (link) reply.header('link', link);
    return renderStatuses(ctx.db, ids, base, user.accountId);
  });

  app.get('/api/v1/timelines/public', { config: { controller: 'api/v1/timelines/public', action: 'show' } }, async (req, reply) => {
    const viewer = req.auth ? (await requireUser(ctx.db, authorize(req.auth, 'read:statuses'))).accountId : undefined;
    const pg = page(req.params_, limit(req.params_, 20, 40));
    const remote = bool(req.params_, 'remote') === true;
    // The stand-in has only local posts until federation arrives, so `remote` is empty.
    const { rows } = await ctx.db.query(
      `SELECT id::text FROM statuses
        WHERE visibility = 0 AND reblog_of_id IS NULL AND local = NOT $5
          AND ($1::bigint IS NULL OR id < $1) AND ($2::bigint IS NULL OR id > $2) AND ($3::bigint IS NULL OR id > $3)
        ORDER BY id ${pg.minId ? 'ASC' : 'DESC'} LIMIT $4`,
      [pg.maxId ?? null, pg.sinceId ?? null, pg.minId ?? null, pg.limit, remote],
    );
    const ids = rows.map((r) => r.id as string);
    if (pg.minId) ids.reverse();
    const link = linkHeader(`${base}/api/v1/timelines/public`, req.query as Record<string, unknown>, ids);
    if (link) reply.header('link', link);
    return renderStatuses(ctx.db, ids, base, viewer);
  });
}
