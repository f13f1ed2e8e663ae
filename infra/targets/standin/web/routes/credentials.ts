import type { FastifyInstance } from 'fastify';
import { authorize, requireUser } from '../auth.js';
import type { WebContext } from '../context.js';
import { validationError, type ValidationDetails } from '../errors.js';
import { bool, str } from '../params.js';
import { findLocalAccount } from '../queries.js';
import { renderCredentialAccount } from '../render.js';
import { countGraphemes } from '../status-length.js';

// The signed-in user's own account (Api::V1::Accounts::CredentialsController):
// read it, and set up the profile as a newcomer does. Profile fields, avatars
// and headers are not kept, nor `locked` (follows here never become requests);
// the other settings are accepted and ignored.

const DISPLAY_NAME_MAX = 30;
const NOTE_MAX = 500;

export function credentialRoutes(app: FastifyInstance, ctx: WebContext): void {
  const base = ctx.config.baseUrl;
  const cfg = (action: string) => ({ config: { controller: 'api/v1/accounts/credentials', action } });

  app.get('/api/v1/accounts/verify_credentials', cfg('show'), async (req) => {
    const auth = req.auth && req.auth.scopes.includes('profile') ? req.auth : authorize(req.auth, 'read:accounts');
    const user = await requireUser(ctx.db, auth);
    const account = await findLocalAccount(ctx.db, user.accountId);
    return renderCredentialAccount(account!, base, user.role);
  });

  app.patch('/api/v1/accounts/update_credentials', cfg('update'), async (req) => {
    const user = await requireUser(ctx.db, authorize(req.auth, 'write:accounts'));
    const p = req.params_;
    const displayName = str(p, 'display_name');
    const note = str(p, 'note');
    const details: ValidationDetails = {};
    if (displayName !== undefined && countGraphemes(displayName) > DISPLAY_NAME_MAX) {
      details.display_name = [{ error: 'ERR_TOO_LONG', description: `is too long (maximum is ${DISPLAY_NAME_MAX} characters)` }];
    }
    if (note !== undefined && countGraphemes(note) > NOTE_MAX) {
      details.note = [{ error: 'ERR_TOO_LONG', description: `is too long (maximum is ${NOTE_MAX} characters)` }];
    }
    if (Object.keys(details).length > 0) throw validationError(details);
    // An absent parameter leaves the column as it is.
    await ctx.db.query(
      `UPDATE accounts SET display_name = coalesce($2, display_name), note = coalesce($3, note),
              bot = coalesce($4, bot), discoverable = coalesce($5, discoverable)
        WHERE id = $1`,
      [user.accountId, displayName ?? null, note ?? null, bool(p, 'bot') ?? null, bool(p, 'discoverable') ?? null],
    );
    return renderCredentialAccount((await findLocalAccount(ctx.db, user.accountId))!, base, user.role);
  });
}
