import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type pg from 'pg';
import { transaction } from './db.js';
import { generateAccountKeys, BCRYPT_COST } from './web/sign-up.js';

// What `tootctl accounts create --role Owner --confirmed` and an admin's OAuth
// token give a real instance: a staff account the harness can approve and
// clean up with. The token stays in memory or a 0600 file, never in output.

export const OWNER_USERNAME = 'surge_owner';
const OWNER_SCOPES = 'read write follow push admin:read admin:write';

export async function ensureOwner(db: pg.Pool, localDomain: string): Promise<{ accountId: string; token: string }> {
  const existing = await db.query(
    `SELECT a.id::text AS account_id, t.token FROM accounts a JOIN users u ON u.account_id = a.id
       JOIN oauth_access_tokens t ON t.resource_owner_id = u.id AND t.revoked_at IS NULL
      WHERE a.username = $1 AND a.domain IS NULL LIMIT 1`,
    [OWNER_USERNAME],
  );
  if (existing.rows[0]) return { accountId: existing.rows[0].account_id, token: existing.rows[0].token };
  const keys = await generateAccountKeys();
  const password = await bcrypt.hash(randomBytes(24).toString('base64url'), BCRYPT_COST);
  const token = randomBytes(32).toString('base64url');
  return transaction(db, async (c) => {
    const a = await c.query('INSERT INTO accounts (username, private_key, public_key) VALUES ($1, $2, $3) RETURNING id::text', [
      OWNER_USERNAME, keys.privateKey, keys.publicKey,
    ]);
    const accountId: string = a.rows[0].id;
    await c.query('INSERT INTO account_stats (account_id) VALUES ($1)', [accountId]);
    const app = await c.query(
      `INSERT INTO oauth_applications (name, uid, secret, redirect_uri, scopes) VALUES ('mastodon-surge', $1, $2, 'urn:ietf:wg:oauth:2.0:oob', $3) RETURNING id`,
      [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url'), OWNER_SCOPES],
    );
    const u = await c.query(
      `INSERT INTO users (account_id, email, encrypted_password, confirmed_at, approved, role, agreement, current_sign_in_at)
       VALUES ($1, $2, $3, now(), true, 'Owner', true, now()) RETURNING id`,
      [accountId, `owner@${localDomain.replace(/:\d+$/, '')}`, password],
    );
    await c.query('INSERT INTO oauth_access_tokens (token, application_id, resource_owner_id, scopes) VALUES ($1, $2, $3, $4)', [
      token, app.rows[0].id, u.rows[0].id, OWNER_SCOPES,
    ]);
    return { accountId, token };
  });
}
