import type { FastifyInstance } from 'fastify';
import { authorizeIfGotToken } from '../auth.js';
import type { WebContext } from '../context.js';
import { errors } from '../errors.js';
import { limit } from '../params.js';
import { linkHeader, page } from '../paging.js';
import { findLocalAccount, loadAccounts } from '../queries.js';
import { renderAccount } from '../render.js';

// An account's followers and follows (Api::V1::Accounts::FollowerAccountsController
// and FollowingAccountsController): newest follow first, paged by the follow's
// id rather than the account's, so the Link header carries follow ids.

const SIDES = {
  followers: { listed: 'account_id', anchor: 'target_account_id', action: 'api/v1/accounts/follower_accounts' },
  following: { listed: 'target_account_id', anchor: 'account_id', action: 'api/v1/accounts/following_accounts' },
} as const;

export function followListRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;
  for (const [name, side] of Object.entries(SIDES)) {
    app.get(`/api/v1/accounts/:id/${name}`, { config: { controller: side.action, action: 'index' } }, async (req, reply) => {
      authorizeIfGotToken(req.auth, 'read:accounts');
      const id = (req.params as { id: string }).id;
      if (!(await findLocalAccount(ctx.db, id))) throw errors.notFound();
      const pg = page(req.params_, limit(req.params_, 40, 80));
      // paginate_by_max_id: max_id and since_id only, newest first.
      const { rows } = await ctx.db.query<{ follow_id: string; account_id: string }>(
        `SELECT id::text AS follow_id, ${side.listed}::text AS account_id FROM follows
          WHERE ${side.anchor} = $1 AND ($2::bigint IS NULL OR id < $2) AND ($3::bigint IS NULL OR id > $3)
          ORDER BY id DESC LIMIT $4`,
        [id, pg.maxId ?? null, pg.sinceId ?? null, pg.limit],
      );
      const accounts = await loadAccounts(ctx.db, rows.map((r) => r.account_id));
      const listed = rows.filter((r) => accounts.has(r.account_id));
      const link = linkHeader(`${base}/api/v1/accounts/${id}/${name}`, req.query as Record<string, unknown>, listed.map((r) => r.follow_id), {
        more: rows.length === pg.limit,
        prevKey: 'since_id',
      });
      if (link) reply.header('link', link);
      return listed.map((r) => renderAccount(accounts.get(r.account_id)!, base));
    });
  }
}
