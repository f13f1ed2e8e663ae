import type { FastifyInstance } from 'fastify';
import { authorize, requireUser } from '../auth.js';
import type { WebContext } from '../context.js';
import { errors } from '../errors.js';
import { limit, list, str } from '../params.js';
import { linkHeader, page } from '../paging.js';
import { NOTIFICATION_COLUMNS, renderNotifications, type NotificationRow } from '../notification-render.js';

const TYPES = ['mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'poll', 'update', 'admin.sign_up', 'admin.report'];

export function notificationRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;

  const render = (rows: NotificationRow[], viewer: string) => renderNotifications(ctx.db, rows, base, viewer);

  const SELECT = `SELECT ${NOTIFICATION_COLUMNS} FROM notifications`;

  app.get('/api/v1/notifications', { config: { controller: 'api/v1/notifications', action: 'index' } }, async (req, reply) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'read:notifications'));
    const pg = page(req.params_, limit(req.params_, 40, 80));
    const types = list(req.params_, 'types').filter((t) => TYPES.includes(t));
    const exclude = list(req.params_, 'exclude_types');
    // account_id: only notifications from that account (an unknown id matches none).
    const from = str(req.params_, 'account_id');
    const { rows } = await ctx.db.query(
      `${SELECT} WHERE account_id = $1
          AND ($2::bigint IS NULL OR id < $2) AND ($3::bigint IS NULL OR id > $3) AND ($4::bigint IS NULL OR id > $4)
          AND (cardinality($6::text[]) = 0 OR type = ANY($6)) AND NOT (type = ANY($7))
          AND ($8::text IS NULL OR from_account_id::text = $8)
        ORDER BY id ${pg.minId ? 'ASC' : 'DESC'} LIMIT $5`,
      [user.accountId, pg.maxId ?? null, pg.sinceId ?? null, pg.minId ?? null, pg.limit, types, exclude, from || null],
    );
    if (pg.minId) rows.reverse();
    const link = linkHeader(`${base}/api/v1/notifications`, req.query as Record<string, unknown>, rows.map((r) => r.id));
    if (link) reply.header('link', link);
    return render(rows, user.accountId);
  });

  app.get('/api/v1/notifications/:id', { config: { controller: 'api/v1/notifications', action: 'show' } }, async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'read:notifications'));
    const id = (req.params as { id: string }).id;
    if (!/^\d{1,19}$/.test(id)) throw errors.notFound();
    const { rows } = await ctx.db.query(`${SELECT} WHERE account_id = $1 AND id = $2`, [user.accountId, id]);
    if (!rows[0]) throw errors.notFound();
    return (await render(rows, user.accountId))[0];
  });

  app.post('/api/v1/notifications/:id/dismiss', { config: { controller: 'api/v1/notifications', action: 'dismiss' } }, async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:notifications'));
    const id = (req.params as { id: string }).id;
    if (!/^\d{1,19}$/.test(id)) throw errors.notFound();
    const { rowCount } = await ctx.db.query('DELETE FROM notifications WHERE account_id = $1 AND id = $2', [user.accountId, id]);
    if (!rowCount) throw errors.notFound();
    return {};
  });

  app.post('/api/v1/notifications/clear', { config: { controller: 'api/v1/notifications', action: 'clear' } }, async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:notifications'));
    await ctx.db.query('DELETE FROM notifications WHERE account_id = $1', [user.accountId]);
    return {};
  });
}
