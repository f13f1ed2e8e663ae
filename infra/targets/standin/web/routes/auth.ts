import type { FastifyInstance, FastifyRequest } from 'fastify';
import { enqueue } from '../../jobs/queue.js';
import type { WebContext } from '../context.js';
import { str } from '../params.js';
import { parseScopes, within } from '../scopes.js';
import { secret } from './apps.js';

// Doorkeeper's token endpoint (client_credentials only: the password grant was
// removed in 4.4) and Devise's confirmation link.

const oauthError = (error: string, description: string) => ({ error, error_description: description });
const INVALID_CLIENT = oauthError(
  'invalid_client',
  'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
);

const UNAUTHORIZED_REVOKE = oauthError('unauthorized_client', 'You are not authorized to revoke this token');

/** Client credentials from the body or, as RFC 6749 prefers, HTTP Basic. */
function clientCredentials(req: FastifyRequest): { clientId: string | undefined; clientSecret: string | undefined } {
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!basic) return { clientId: str(req.params_, 'client_id'), clientSecret: str(req.params_, 'client_secret') };
  const [id, sec] = Buffer.from(basic[1]!, 'base64').toString().split(':');
  return { clientId: decodeURIComponent(id ?? ''), clientSecret: decodeURIComponent(sec ?? '') };
}

export function authRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.post('/oauth/token', { config: { controller: 'oauth/tokens', action: 'create' } }, async (req, reply) => {
    const p = req.params_;
    const { clientId, clientSecret } = clientCredentials(req);
    const grant = str(p, 'grant_type');
    if (!grant) return reply.code(400).send(oauthError('invalid_request', 'Missing required parameter: grant_type.'));
    if (grant !== 'client_credentials' && grant !== 'authorization_code') {
      return reply.code(400).send(oauthError('unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.'));
    }
    const { rows } = await ctx.db.query('SELECT id::text, secret, scopes FROM oauth_applications WHERE uid = $1', [clientId ?? '']);
    const client = rows[0];
    if (!client || client.secret !== clientSecret) return reply.code(401).send(INVALID_CLIENT);
    if (grant === 'authorization_code') {
      // No browser sign-in exists on the stand-in, so no code can have been issued.
      return reply.code(400).send(oauthError('invalid_grant', 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.'));
    }
    const requested = parseScopes(str(p, 'scope') ?? 'read');
    if (!within(requested, parseScopes(client.scopes))) {
      return reply.code(400).send(oauthError('invalid_scope', 'The requested scope is invalid, unknown, or malformed.'));
    }
    const token = secret();
    const { rows: t } = await ctx.db.query(
      `INSERT INTO oauth_access_tokens (token, application_id, scopes) VALUES ($1, $2, $3) RETURNING extract(epoch FROM created_at)::bigint AS created_at`,
      [token, client.id, requested.join(' ')],
    );
    reply.header('cache-control', 'no-store');
    return { access_token: token, token_type: 'Bearer', scope: requested.join(' '), created_at: Number(t[0].created_at) };
  });

  // Doorkeeper's revoke: an unknown token is no error (RFC 7009); a token of
  // an app (every Mastodon app is confidential) is revoked only for that app's
  // own client credentials, else 403.
  app.post('/oauth/revoke', { config: { controller: 'oauth/tokens', action: 'revoke' } }, async (req, reply) => {
    const { clientId, clientSecret } = clientCredentials(req);
    const token = str(req.params_, 'token');
    const owner = await ctx.db.query('SELECT application_id::text FROM oauth_access_tokens WHERE token = $1', [token ?? '']);
    if (owner.rows.length === 0) return {};
    const tokenApp: string | null = owner.rows[0].application_id;
    if (tokenApp !== null) {
      const client = await ctx.db.query('SELECT id::text FROM oauth_applications WHERE uid = $1 AND secret = $2', [clientId ?? '', clientSecret ?? '']);
      if (client.rows[0]?.id !== tokenApp) return reply.code(403).send(UNAUTHORIZED_REVOKE);
    }
    const { rows } = await ctx.db.query(
      'UPDATE oauth_access_tokens SET revoked_at = now() WHERE token = $1 AND revoked_at IS NULL RETURNING id::text',
      [token],
    );
    // As Doorkeeper's token hook in Mastodon: open streams on this token are closed.
    for (const r of rows) await ctx.redis.publish(`timeline:access_token:${r.id}`, JSON.stringify({ event: 'kill' }));
    return {};
  });

  app.get('/auth/confirmation', { config: { controller: 'auth/confirmations', action: 'show' } }, async (req, reply) => {
    const token = str(req.params_, 'confirmation_token') ?? '';
    const { rows } = await ctx.db.query(
      `UPDATE users SET confirmed_at = now(), confirmation_token = NULL
        WHERE confirmation_token = $1 AND confirmed_at IS NULL AND confirmation_sent_at > now() - interval '2 days'
        RETURNING id::text, account_id::text, approved`,
      [token],
    );
    const user = rows[0];
    if (!user) {
      return reply.code(422).type('text/html').send('<!DOCTYPE html><p>Confirmation token is invalid</p>');
    }
    // prepare_new_user!: bootstrap the timeline once the user may sign in.
    if (user.approved) await enqueue(ctx.redis, 'default', 'BootstrapTimelineWorker', [user.account_id]);
    return reply.redirect('/auth/sign_in', 302);
  });

  app.get('/auth/sign_in', { config: { controller: 'auth/sessions', action: 'new' } }, async (_req, reply) =>
    reply.type('text/html').send('<!DOCTYPE html><p>Your email address has been successfully confirmed.</p>'),
  );
}
