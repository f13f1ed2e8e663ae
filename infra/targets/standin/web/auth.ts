import type pg from 'pg';
import { errors } from './errors.js';
import { needed, satisfies } from './scopes.js';

// Doorkeeper's token lookup plus the user state Api::BaseController checks.

export interface Auth {
  tokenId: string;
  scopes: string[];
  applicationId: string | null;
  userId: string | null;
  accountId: string | null;
  confirmed: boolean;
  approved: boolean;
  disabled: boolean;
  role: string;
  signInStale: boolean;
  /** Revoked tokens are still found, as Doorkeeper finds them, so callers can say so. */
  revoked: boolean;
}

export function bearer(authorization: string | undefined, query: Record<string, unknown>): string | undefined {
  if (authorization) {
    const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (m) return m[1]!.trim();
  }
  const q = query.access_token;
  return typeof q === 'string' && q ? q : undefined;
}

export async function lookupToken(db: pg.Pool, token: string): Promise<Auth | undefined> {
  // Named, so each connection prepares it once, as Mastodon's ActiveRecord does
  // (prepared_statements defaults to true in its database.yml): this runs on
  // every authenticated request.
  const { rows } = await db.query({
    name: 'auth_token',
    text: `SELECT t.id::text AS token_id, t.scopes, t.application_id::text, t.resource_owner_id::text AS user_id,
            u.account_id::text, u.confirmed_at IS NOT NULL AS confirmed, u.approved, u.disabled, u.role,
            (u.current_sign_in_at IS NULL OR u.current_sign_in_at < now() - interval '24 hours') AS stale,
            t.revoked_at IS NOT NULL AS revoked
       FROM oauth_access_tokens t LEFT JOIN users u ON u.id = t.resource_owner_id
      WHERE t.token = $1`,
    values: [token],
  });
  const r = rows[0];
  if (!r) return undefined;
  return {
    tokenId: r.token_id,
    scopes: String(r.scopes).split(' ').filter(Boolean),
    applicationId: r.application_id,
    userId: r.user_id,
    accountId: r.account_id,
    confirmed: Boolean(r.confirmed),
    approved: Boolean(r.approved),
    disabled: Boolean(r.disabled),
    role: r.role ?? '',
    signInStale: Boolean(r.stale),
    revoked: Boolean(r.revoked),
  };
}

/** doorkeeper_authorize!: a valid token holding one of the scopes that suffice. */
export function authorize(auth: Auth | undefined, scope: string): Auth {
  if (!auth) throw errors.invalidToken();
  if (auth.revoked) throw errors.revokedToken();
  if (!satisfies(auth.scopes, needed(scope))) throw errors.outsideScopes();
  return auth;
}

/** authorize_if_got_token!: an anonymous call (or an unknown token) passes; a known token must be live and hold one of the scopes. */
export function authorizeIfGotToken(auth: Auth | undefined, scope: string): Auth | undefined {
  return auth ? authorize(auth, scope) : undefined;
}

export interface UserAuth extends Auth {
  userId: string;
  accountId: string;
}

/**
 * require_user!: the token must belong to a confirmed, approved, enabled user.
 * Passing it refreshes the sign-in time at most once a day, which is what makes
 * a newcomer "active" for home-feed fan-out.
 */
export async function requireUser(db: pg.Pool, auth: Auth): Promise<UserAuth> {
  if (!auth.userId || !auth.accountId) throw errors.userRequired();
  if (!auth.confirmed) throw errors.unconfirmed();
  if (!auth.approved) throw errors.pending();
  if (auth.disabled) throw errors.disabled();
  if (auth.signInStale) {
    await db.query('UPDATE users SET current_sign_in_at = now() WHERE id = $1', [auth.userId]);
    auth.signInStale = false;
  }
  return auth as UserAuth;
}
