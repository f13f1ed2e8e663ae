import type { FastifyInstance } from 'fastify';
import { authorizeIfGotToken } from '../auth.js';
import type { WebContext } from '../context.js';
import { errors } from '../errors.js';
import { renderStatuses } from '../queries.js';

// GET /api/v1/statuses/:id/context: the thread around a post, as Mastodon's
// Status#ancestors (oldest first) and #descendants (depth first, in reply
// order) walk it, through posts the viewer may not see but without showing
// them. Anonymous callers get Mastodon's smaller limits.

const LIMITS = {
  anonymous: { ancestors: 40, descendants: 60, depth: 20 },
  signedIn: { ancestors: 4096, descendants: 4096, depth: 4096 },
};

// Shown to this viewer: public and unlisted posts, and their own (followers-only
// delivery is not modelled, as for single posts).
const VISIBLE = '(s.visibility <= 1 OR s.account_id = $2::bigint)';

export function statusContextRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;

  app.get('/api/v1/statuses/:id/context', { config: { controller: 'api/v1/statuses', action: 'context' } }, async (req) => {
    const viewer = authorizeIfGotToken(req.auth, 'read:statuses')?.accountId ?? undefined;
    const id = (req.params as { id: string }).id;
    if (!/^\d{1,19}$/.test(id)) throw errors.notFound();
    const limits = viewer ? LIMITS.signedIn : LIMITS.anonymous;
    const { rows } = await ctx.db.query<{ found: boolean; ancestors: string[]; descendants: string[] }>(
      `WITH RECURSIVE
         up AS (
           SELECT s.in_reply_to_id AS id, 1 AS n FROM statuses s WHERE s.id = $1 AND ${VISIBLE}
           UNION ALL
           SELECT s.in_reply_to_id, up.n + 1 FROM up JOIN statuses s ON s.id = up.id WHERE up.n < $3
         ),
         down AS (
           SELECT s.id, ARRAY[s.id] AS path FROM statuses s WHERE s.in_reply_to_id = $1
           UNION ALL
           SELECT s.id, down.path || s.id FROM down JOIN statuses s ON s.in_reply_to_id = down.id
            WHERE cardinality(down.path) < $5
         )
       SELECT EXISTS (SELECT 1 FROM statuses s WHERE s.id = $1 AND ${VISIBLE}) AS found,
              coalesce((SELECT array_agg(s.id::text ORDER BY up.n DESC) FROM up JOIN statuses s ON s.id = up.id WHERE ${VISIBLE}), '{}') AS ancestors,
              coalesce((SELECT array_agg(s.id::text ORDER BY d.path)
                          FROM (SELECT id, path FROM down ORDER BY path LIMIT $4) d JOIN statuses s ON s.id = d.id WHERE ${VISIBLE}), '{}') AS descendants`,
      [id, viewer ?? null, limits.ancestors, limits.descendants, limits.depth],
    );
    const found = rows[0]!;
    if (!found.found) throw errors.notFound();
    const [ancestors, descendants] = await Promise.all([
      renderStatuses(ctx.db, found.ancestors, base, viewer, ctx.redis),
      renderStatuses(ctx.db, found.descendants, base, viewer, ctx.redis),
    ]);
    return { ancestors, descendants };
  });
}
