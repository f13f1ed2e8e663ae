import type { FastifyInstance } from 'fastify';
import { enqueue } from '../../jobs/queue.js';
import { authorize, requireUser } from '../auth.js';
import type { WebContext } from '../context.js';
import { errors, validationError } from '../errors.js';
import { list, str } from '../params.js';
import { findLocalAccount } from '../queries.js';
import { renderAccount } from '../render.js';

// The admin API's account moderation, enough to approve signups in `approved`
// mode and to list or remove a rehearsal's synthetic accounts. As in Mastodon,
// an account is deleted only once suspended (AccountPolicy#destroy?). The
// stand-in keeps no suspended_at: a suspension is recorded as the user's
// disabled flag, which is what a suspended user's API calls meet (403 "Your
// login is currently disabled"), and reported as `suspended`.

const MANAGE_USERS_ROLES = new Set(['Owner', 'Admin', 'Moderator']);

export function adminRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;

  async function adminAccount(id: string) {
    const account = await findLocalAccount(ctx.db, id);
    if (!account) throw errors.notFound();
    const { rows } = await ctx.db.query(
      `SELECT id::text, email, host(sign_up_ip) AS ip, locale, role, confirmed_at IS NOT NULL AS confirmed, approved, disabled, created_at
         FROM users WHERE account_id = $1`,
      [id],
    );
    const u = rows[0];
    return {
      id,
      username: account.username,
      domain: null,
      created_at: account.created_at.toISOString(),
      email: u?.email ?? null,
      ip: u?.ip ?? null,
      ips: [],
      locale: u?.locale ?? null,
      invite_request: null,
      role: { id: '-99', name: u?.role ?? '', permissions: '65536', color: '', highlighted: false },
      confirmed: Boolean(u?.confirmed),
      approved: Boolean(u?.approved),
      disabled: false,
      silenced: false,
      suspended: Boolean(u?.disabled),
      sensitized: false,
      account: renderAccount(account, base),
    };
  }

  async function staff(req: { auth: import('../auth.js').Auth | undefined }, scope: string) {
    const user = await requireUser(ctx.db, authorize(req.auth, scope));
    if (!MANAGE_USERS_ROLES.has(user.role)) throw errors.forbidden();
    return user;
  }

  app.get('/api/v1/admin/accounts/:id', { config: { controller: 'api/v1/admin/accounts', action: 'show' } }, async (req) => {
    await staff(req, 'admin:read:accounts');
    return adminAccount((req.params as { id: string }).id);
  });

  app.post('/api/v1/admin/accounts/:id/approve', { config: { controller: 'api/v1/admin/accounts', action: 'approve' } }, async (req) => {
    await staff(req, 'admin:write:accounts');
    const id = (req.params as { id: string }).id;
    await findLocalAccount(ctx.db, id).then((a) => a ?? Promise.reject(errors.notFound()));
    const { rows } = await ctx.db.query(
      'UPDATE users SET approved = true WHERE account_id = $1 AND approved = false RETURNING confirmed_at IS NOT NULL AS confirmed',
      [id],
    );
    if (!rows[0]) throw errors.forbidden();
    if (rows[0].confirmed) await enqueue(ctx.redis, 'default', 'BootstrapTimelineWorker', [id]);
    return adminAccount(id);
  });

  // Only `suspend` (what a cleanup needs); Mastodon answers an empty object.
  app.post('/api/v1/admin/accounts/:id/action', { config: { controller: 'api/v1/admin/account_actions', action: 'create' } }, async (req) => {
    const user = await staff(req, 'admin:write:accounts');
    const id = (req.params as { id: string }).id;
    const type = req.params_.type;
    if (type !== 'suspend') throw validationError({ type: [{ error: 'ERR_INCLUSION', description: 'is not supported by the stand-in (only suspend)' }] });
    const target = await adminAccount(id);
    if (target.role.name === 'Owner' || id === user.accountId) throw errors.forbidden();
    await ctx.db.query('UPDATE users SET disabled = true WHERE account_id = $1', [id]);
    return {};
  });

  // The dashboard's daily measures, new_users only (every created user, confirmed or
  // not, as Mastodon counts them); other keys are skipped, as Mastodon skips unknown ones.
  app.post('/api/v1/admin/measures', { config: { controller: 'api/v1/admin/measures', action: 'create' } }, async (req) => {
    await staff(req, 'admin:read');
    const from = str(req.params_, 'start_at');
    const to = str(req.params_, 'end_at');
    if (!from || !to || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) throw validationError({ start_at: [{ error: 'ERR_BLANK', description: 'must be a date' }] });
    if (!list(req.params_, 'keys').includes('new_users')) return [];
    const { rows } = await ctx.db.query(
      `SELECT d::date AS day, count(u.id)::int AS n
         FROM generate_series($1::date, $2::date, interval '1 day') d
         LEFT JOIN users u ON u.created_at >= d AND u.created_at < d + interval '1 day'
        GROUP BY d ORDER BY d`,
      [from, to],
    );
    const total = rows.reduce((a, r) => a + r.n, 0);
    return [{ key: 'new_users', unit: null, total: String(total), previous_total: null, data: rows.map((r) => ({ date: new Date(r.day).toISOString(), value: String(r.n) })) }];
  });

  app.delete('/api/v1/admin/accounts/:id', { config: { controller: 'api/v1/admin/accounts', action: 'destroy' } }, async (req) => {
    await staff(req, 'admin:write:accounts');
    const id = (req.params as { id: string }).id;
    const body = await adminAccount(id);
    if (!body.suspended) throw errors.forbidden();
    await ctx.db.query('DELETE FROM accounts WHERE id = $1', [id]);
    return body;
  });
}
