import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../context.js';
import { errors, validationError, type ValidationDetails } from '../errors.js';
import { list, str } from '../params.js';
import { allKnown, parseScopes } from '../scopes.js';

// POST /api/v1/apps (Api::V1::AppsController): client registration. Scopes
// default to `read`; a signup's token later gets exactly these scopes.

export const secret = () => randomBytes(32).toString('base64url');

export function renderApp(row: { id: string; name: string; website: string | null; scopes: string; redirect_uri: string; uid?: string; secret?: string }) {
  const redirectUris = row.redirect_uri.split(/\s+/).filter(Boolean);
  return {
    id: row.id,
    name: row.name,
    website: row.website,
    scopes: parseScopes(row.scopes),
    redirect_uri: redirectUris.join('\n'),
    redirect_uris: redirectUris,
    vapid_key: 'BMxIcxvRjpr-surge-stand-in-has-no-web-push',
    ...(row.uid ? { client_id: row.uid, client_secret: row.secret, client_secret_expires_at: 0 } : {}),
  };
}

export function appRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.post('/api/v1/apps', { config: { controller: 'api/v1/apps', action: 'create' } }, async (req) => {
    const p = req.params_;
    const name = str(p, 'client_name')?.trim() ?? '';
    const uris = list(p, 'redirect_uris').length > 0 ? list(p, 'redirect_uris') : (str(p, 'redirect_uris') ?? '').split(/\s+/).filter(Boolean);
    const scopes = parseScopes(str(p, 'scopes') ?? 'read');
    const details: ValidationDetails = {};
    if (!name) details.client_name = [{ error: 'ERR_BLANK', description: "can't be blank" }];
    else if (name.length > 60) details.client_name = [{ error: 'ERR_TOO_LONG', description: 'is too long (maximum is 60 characters)' }];
    if (uris.length === 0) details.redirect_uri = [{ error: 'ERR_BLANK', description: "can't be blank" }];
    else if (!uris.every(validRedirect)) details.redirect_uri = [{ error: 'ERR_INVALID', description: 'must be an absolute URI.' }];
    if (scopes.length === 0 || !allKnown(scopes)) details.scopes = [{ error: 'ERR_INVALID', description: "doesn't match configured on the server." }];
    if (Object.keys(details).length > 0) throw validationError(details);
    const { rows } = await ctx.db.query(
      `INSERT INTO oauth_applications (name, uid, secret, redirect_uri, scopes, website)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text, name, website, scopes, redirect_uri, uid, secret`,
      [name, secret(), secret(), uris.join('\n'), scopes.join(' '), str(p, 'website') || null],
    );
    return renderApp(rows[0]);
  });

  app.get('/api/v1/apps/verify_credentials', { config: { controller: 'api/v1/apps/credentials', action: 'show' } }, async (req) => {
    if (!req.auth?.applicationId) throw errors.invalidToken();
    if (req.auth.revoked) throw errors.revokedToken();
    const { rows } = await ctx.db.query(
      'SELECT id::text, name, website, scopes, redirect_uri FROM oauth_applications WHERE id = $1',
      [req.auth.applicationId],
    );
    if (!rows[0]) throw errors.invalidToken();
    return renderApp(rows[0]);
  });
}

function validRedirect(uri: string): boolean {
  if (uri === 'urn:ietf:wg:oauth:2.0:oob') return true;
  try {
    const u = new URL(uri);
    return Boolean(u.protocol) && !u.hash;
  } catch {
    return false;
  }
}
