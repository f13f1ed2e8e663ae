import type { FastifyInstance } from 'fastify';
import { authorizeIfGotToken } from '../auth.js';
import type { WebContext } from '../context.js';
import { errors } from '../errors.js';
import { limit } from '../params.js';
import { linkHeader, page } from '../paging.js';
import { findLocalAccount, loadAccounts, loadStatuses, shownTo } from '../queries.js';
import { renderAccount } from '../render.js';

// Lists of accounts: an account's followers and follows, and who favourited or
// boosted a post (Mastodon's FollowerAccounts, FollowingAccounts,
// FavouritedByAccounts and RebloggedByAccounts controllers). Newest first,
// paged by the follow's, favourite's or boost's own id rather than the
// account's, so the Link header carries those ids.

interface AccountList {
  path: string;
  controller: string;
  /** Rows of `table` whose `anchor` column is the :id, listing `listed` accounts. */
  table: 'follows' | 'favourites' | 'statuses';
  anchor: string;
  listed: string;
  /** Whether the :id names something this viewer may see. */
  found(ctx: WebContext, id: string, viewer: string | undefined): Promise<boolean>;
}

const anAccount = async (ctx: WebContext, id: string) => (await findLocalAccount(ctx.db, id)) !== undefined;
const aShownPost = async (ctx: WebContext, id: string, viewer: string | undefined) => {
  const s = /^\d{1,19}$/.test(id) ? (await loadStatuses(ctx.db, [id])).get(id) : undefined;
  return s !== undefined && shownTo(s, viewer);
};

const LISTS: AccountList[] = [
  { path: 'accounts/:id/followers', controller: 'api/v1/accounts/follower_accounts', table: 'follows', anchor: 'target_account_id', listed: 'account_id', found: anAccount },
  { path: 'accounts/:id/following', controller: 'api/v1/accounts/following_accounts', table: 'follows', anchor: 'account_id', listed: 'target_account_id', found: anAccount },
  { path: 'statuses/:id/favourited_by', controller: 'api/v1/statuses/favourited_by_accounts', table: 'favourites', anchor: 'status_id', listed: 'account_id', found: aShownPost },
  { path: 'statuses/:id/reblogged_by', controller: 'api/v1/statuses/reblogged_by_accounts', table: 'statuses', anchor: 'reblog_of_id', listed: 'account_id', found: aShownPost },
];

export function accountListRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;
  for (const list of LISTS) {
    app.get(`/api/v1/${list.path}`, { config: { controller: list.controller, action: 'index' } }, async (req, reply) => {
      const viewer = authorizeIfGotToken(req.auth, 'read:accounts')?.accountId ?? undefined;
      const id = (req.params as { id: string }).id;
      if (!(await list.found(ctx, id, viewer))) throw errors.notFound();
      const pg = page(req.params_, limit(req.params_, 40, 80));
      // paginate_by_max_id: max_id and since_id only, newest first.
      const { rows } = await ctx.db.query<{ page_id: string; account_id: string }>(
        `SELECT id::text AS page_id, ${list.listed}::text AS account_id FROM ${list.table}
          WHERE ${list.anchor} = $1 AND ($2::bigint IS NULL OR id < $2) AND ($3::bigint IS NULL OR id > $3)
          ORDER BY id DESC LIMIT $4`,
        [id, pg.maxId ?? null, pg.sinceId ?? null, pg.limit],
      );
      const accounts = await loadAccounts(ctx.db, rows.map((r) => r.account_id));
      const listed = rows.filter((r) => accounts.has(r.account_id));
      const url = `${base}/api/v1/${list.path.replace(':id', id)}`;
      const link = linkHeader(url, req.query as Record<string, unknown>, listed.map((r) => r.page_id), {
        more: rows.length === pg.limit,
        prevKey: 'since_id',
      });
      if (link) reply.header('link', link);
      return listed.map((r) => renderAccount(accounts.get(r.account_id)!, base));
    });
  }
}
